/*
 * check-name: cond with arithmetic on host fields
 */
#include "kvmdc-test.h"
void desc_count_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	KVM_BUG_ON_DATA_CORRUPTION((int)desc->spte_count * 2 - 1 < 0, kvm); /* kvmdc: host */
}
