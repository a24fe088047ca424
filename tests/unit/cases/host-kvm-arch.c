/*
 * check-name: host: kvm_arch MMU accounting
 */
#include "kvmdc-test.h"
void mmu_pages_check(struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(kvm->arch.n_used_mmu_pages > 100000 && /* kvmdc: host */
				   list_empty(&kvm->arch.active_mmu_pages), kvm);
}
