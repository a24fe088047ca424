/*
 * check-name: host: pte_list_desc.spte_count and tail_count
 */
#include "kvmdc-test.h"
void desc_tail_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	KVM_BUG_ON_DATA_CORRUPTION(desc->tail_count > desc->spte_count, kvm); /* kvmdc: host */
}
