/*
 * check-name: host: is_shadow_present_pte / spte_to_child_sp
 */
#include "kvmdc-test.h"
void drop_parent_check(struct kvm *kvm, u64 *sptep)
{
	u64 spte = *sptep;

	KVM_BUG_ON_DATA_CORRUPTION(is_shadow_present_pte(spte) && !spte_to_child_sp(spte), kvm); /* kvmdc: host */
}
