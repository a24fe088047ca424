/*
 * check-name: constant true after a loop that did not find the entry, as mmu.c:1022
 */
#include "kvmdc-test.h"
extern void pte_list_desc_remove_entry(struct kvm *kvm, struct kvm_rmap_head *rmap_head,
				       struct pte_list_desc *desc, int i);

void pte_list_remove(struct kvm *kvm, u64 *spte, struct kvm_rmap_head *rmap_head)
{
	struct pte_list_desc *desc;
	int i;

	if (KVM_BUG_ON_DATA_CORRUPTION(!rmap_head->val, kvm)) /* kvmdc: host */
		return;

	if (!(rmap_head->val & 1)) {
		if (KVM_BUG_ON_DATA_CORRUPTION((u64 *)rmap_head->val != spte, kvm)) /* kvmdc: host */
			return;
		rmap_head->val = 0;
	} else {
		desc = (struct pte_list_desc *)(rmap_head->val & ~1ul);
		while (desc) {
			for (i = 0; i < desc->spte_count; ++i) {
				if (desc->sptes[i] == spte) {
					pte_list_desc_remove_entry(kvm, rmap_head, desc, i);
					return;
				}
			}
			desc = desc->more;
		}

		KVM_BUG_ON_DATA_CORRUPTION(true, kvm); /* kvmdc: host */
	}
}
