/*
 * check-name: host: tdp_iter fields
 */
#include "kvmdc-test.h"
void tdp_mmu_iter_check(struct kvm *kvm, struct tdp_iter *iter)
{
	KVM_BUG_ON_DATA_CORRUPTION(iter->level < iter->min_level || !iter->sptep, kvm); /* kvmdc: host */
}
