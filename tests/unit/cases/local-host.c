/*
 * check-name: local holding a host value, as mmu.c:970
 */
#include "kvmdc-test.h"
void pte_list_desc_remove_entry(struct kvm *kvm, struct kvm_rmap_head *rmap_head,
				struct pte_list_desc *desc, int i)
{
	struct pte_list_desc *head_desc = (struct pte_list_desc *)(rmap_head->val & ~1ul);
	int j = head_desc->spte_count - 1;

	KVM_BUG_ON_DATA_CORRUPTION(j < 0, kvm); /* kvmdc: host */
	desc->sptes[i] = head_desc->sptes[j];
	head_desc->sptes[j] = NULL;
	head_desc->spte_count--;
}
