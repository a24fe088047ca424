/*
 * check-name: host: refcount_read of a TDP MMU root
 */
#include "kvmdc-test.h"
void tdp_mmu_put_root_check(struct kvm *kvm, struct kvm_mmu_page *root)
{
	KVM_BUG_ON_DATA_CORRUPTION(!refcount_read(&root->tdp_mmu_root_count), kvm); /* kvmdc: host */
}
