/*
 * check-name: cond with !, host
 */
#include "kvmdc-test.h"
void desc_empty_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	KVM_BUG_ON_DATA_CORRUPTION(!desc->spte_count, kvm); /* kvmdc: host */
}
