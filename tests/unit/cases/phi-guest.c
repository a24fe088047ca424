/*
 * check-name: value chosen in branches, one guest
 */
#include "kvmdc-test.h"
void check_root(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp, bool direct)
{
	u64 pgd;

	if (direct)
		pgd = (u64)sp->spt;
	else
		pgd = kvm_read_cr3(vcpu);
	KVM_BUG_ON_DATA_CORRUPTION(pgd & 0xfff, vcpu->kvm); /* kvmdc: guest */
}
