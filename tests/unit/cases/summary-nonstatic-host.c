/*
 * check-name: helper with a body in the TU (not static) returning a host value
 */
#include "kvmdc-test.h"
int rmap_count_descs(struct kvm_rmap_head *rmap_head)
{
	struct pte_list_desc *desc;
	int n = 0;

	if (!(rmap_head->val & 1))
		return rmap_head->val ? 1 : 0;
	for (desc = (struct pte_list_desc *)(rmap_head->val & ~1ul); desc; desc = desc->more)
		n += desc->spte_count;
	return n;
}

void rmap_nr_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	KVM_BUG_ON_DATA_CORRUPTION(rmap_count_descs(rmap_head) < 0, kvm); /* kvmdc: host */
}
