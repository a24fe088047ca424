/*
 * check-name: VM-exit information via vmcs_read32
 */
#include "kvmdc-test.h"
int handle_exception_nmi_check(struct kvm_vcpu *vcpu)
{
	u32 intr_info = vmcs_read32(VM_EXIT_INTR_INFO);

	if (KVM_BUG_ON_DATA_CORRUPTION((intr_info & 0x80000000u) == 0, vcpu->kvm)) /* kvmdc: guest */
		return 0;
	return 1;
}
