/*
 * check-name: cond with a pointer cast, as mmu.c:1005
 */
#include "kvmdc-test.h"
void pte_list_remove_one(struct kvm *kvm, u64 *spte, struct kvm_rmap_head *rmap_head)
{
	if (!(rmap_head->val & 1)) {
		if (KVM_BUG_ON_DATA_CORRUPTION((u64 *)rmap_head->val != spte, kvm)) /* kvmdc: host */
			return;
		rmap_head->val = 0;
	}
}
