/*
 * check-name: static function's parameter bound to a host value by its caller
 */
#include "kvmdc-test.h"
static void check_desc_count(struct kvm *kvm, unsigned int count)
{
	KVM_BUG_ON_DATA_CORRUPTION(count > PTE_LIST_EXT, kvm); /* kvmdc: host */
}

void rmap_walk_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	for (; desc; desc = desc->more)
		check_desc_count(kvm, desc->spte_count);
}
