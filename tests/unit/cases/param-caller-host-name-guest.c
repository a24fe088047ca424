/*
 * check-name: callers win over the policy's names: param gpa given a host value
 */
#include "kvmdc-test.h"
static void check_gpa_param(struct kvm *kvm, u64 gpa)
{
	KVM_BUG_ON_DATA_CORRUPTION(gpa & 0xfff, kvm); /* kvmdc: host */
}

void sp_spt_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	check_gpa_param(kvm, (u64)sp->spt);
}
