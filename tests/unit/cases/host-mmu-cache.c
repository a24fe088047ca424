/*
 * check-name: host: kvm_mmu_memory_cache
 */
#include "kvmdc-test.h"
void *mmu_cache_alloc_check(struct kvm *kvm, struct kvm_mmu_memory_cache *mc)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!mc->nobjs || mc->nobjs > mc->capacity, kvm)) /* kvmdc: host */
		return NULL;
	return mc->objects[--mc->nobjs];
}
