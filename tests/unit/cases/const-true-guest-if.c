/*
 * check-name: constant true under a guest condition
 */
#include "kvmdc-test.h"
int handle_exception_check(struct kvm_vcpu *vcpu)
{
	u32 intr_info = vmcs_read32(VM_EXIT_INTR_INFO);

	if ((intr_info & 0xff) == 0x12) {
		KVM_BUG_ON_DATA_CORRUPTION(true, vcpu->kvm); /* kvmdc: guest */
		return 0;
	}
	return 1;
}
