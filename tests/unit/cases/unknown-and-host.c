/*
 * check-name: unknown and host: unknown
 */
#include "kvmdc-test.h"
extern bool tdx_check_state(struct kvm *kvm);

void tdx_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	KVM_BUG_ON_DATA_CORRUPTION(!sp->spt && tdx_check_state(kvm), kvm); /* kvmdc: unknown */
}
