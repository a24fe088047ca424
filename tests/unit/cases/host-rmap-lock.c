/*
 * check-name: host: later kernels read rmap_val = kvm_rmap_lock() first
 */
#include "kvmdc-test.h"
extern unsigned long kvm_rmap_lock(struct kvm *kvm, struct kvm_rmap_head *rmap_head);

void pte_list_remove_locked(struct kvm *kvm, u64 *spte, struct kvm_rmap_head *rmap_head)
{
	unsigned long rmap_val = kvm_rmap_lock(kvm, rmap_head);

	if (KVM_BUG_ON_DATA_CORRUPTION(!rmap_val, kvm)) /* kvmdc: host */
		return;
}
