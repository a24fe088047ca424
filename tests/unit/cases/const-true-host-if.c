/*
 * check-name: constant true under a host condition
 */
#include "kvmdc-test.h"
void kvm_mmu_zap_all_check(struct kvm *kvm)
{
	if (!list_empty(&kvm->arch.active_mmu_pages) && !kvm->arch.n_used_mmu_pages)
		KVM_BUG_ON_DATA_CORRUPTION(true, kvm); /* kvmdc: host */
}
