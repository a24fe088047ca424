/*
 * check-name: exported function, no caller: parameter named gpa is guest
 */
#include "kvmdc-test.h"
int kvm_mmu_gpa_check(struct kvm *kvm, gpa_t gpa)
{
	return KVM_BUG_ON_DATA_CORRUPTION(gpa >> 52, kvm); /* kvmdc: guest */
}
