/*
 * check-name: host: list_empty
 */
#include "kvmdc-test.h"
void mmu_teardown_check(struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(!list_empty(&kvm->arch.tdp_mmu_roots), kvm); /* kvmdc: host */
}
