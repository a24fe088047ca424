/*
 * check-name: two sites on one line, both host
 */
#include "kvmdc-test.h"
void rmap_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!desc->spte_count, kvm) || KVM_BUG_ON_DATA_CORRUPTION(desc->spte_count > PTE_LIST_EXT, kvm)) /* kvmdc: host x2 */
		return;
}
