/*
 * check-name: macro written over several lines: the site is the line of the name
 */
#include "kvmdc-test.h"
void desc_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	int i = desc->tail_count;

	KVM_BUG_ON_DATA_CORRUPTION( /* kvmdc: host */
		i < 0 ||
		i >= desc->spte_count,
		kvm);
}
