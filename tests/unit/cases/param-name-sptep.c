/*
 * check-name: exported function, no caller: parameter sptep is host
 */
#include "kvmdc-test.h"
void mmu_spte_clear_check(struct kvm *kvm, u64 *sptep)
{
	KVM_BUG_ON_DATA_CORRUPTION(!sptep, kvm); /* kvmdc: host */
}
