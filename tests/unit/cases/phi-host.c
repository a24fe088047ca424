/*
 * check-name: value chosen in branches, both host
 */
#include "kvmdc-test.h"
void check_count(struct kvm *kvm, struct kvm_rmap_head *rmap_head, struct pte_list_desc *desc)
{
	unsigned int count;

	if (rmap_head->val & 1)
		count = desc->spte_count;
	else
		count = rmap_head->val ? 1 : 0;
	KVM_BUG_ON_DATA_CORRUPTION(count > PTE_LIST_EXT, kvm); /* kvmdc: host */
}
