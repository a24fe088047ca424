/*
 * check-name: exported function, no caller: parameter error_code is guest
 */
#include "kvmdc-test.h"
int kvm_mmu_page_fault_check(struct kvm_vcpu *vcpu, u64 error_code)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(error_code & 0x8, vcpu->kvm)) /* kvmdc: guest */
		return -5;
	return 0;
}
