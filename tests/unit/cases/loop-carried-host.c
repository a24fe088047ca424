/*
 * check-name: loop-carried count over the pte_list_desc chain
 */
#include "kvmdc-test.h"
void rmap_count_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	struct pte_list_desc *desc = (struct pte_list_desc *)(rmap_head->val & ~1ul);
	unsigned int count = 0;

	while (desc) {
		count += desc->spte_count;
		desc = desc->more;
	}
	KVM_BUG_ON_DATA_CORRUPTION(count == 0, kvm); /* kvmdc: host */
}
