/*
 * check-name: static helper returning a host value
 */
#include "kvmdc-test.h"
static struct pte_list_desc *rmap_first_desc(struct kvm_rmap_head *rmap_head)
{
	return (struct pte_list_desc *)(rmap_head->val & ~1ul);
}

void rmap_first_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	KVM_BUG_ON_DATA_CORRUPTION(!rmap_first_desc(rmap_head)->spte_count, kvm); /* kvmdc: host */
}
