/*
 * check-name: KVM_BUG_ON() nested in the cond: one site
 */
#include "kvmdc-test.h"
void check_nested_kbo(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	KVM_BUG_ON_DATA_CORRUPTION(KVM_BUG_ON(!sp->spt, kvm) || sp->role.level == 0, kvm); /* kvmdc: host */
}
