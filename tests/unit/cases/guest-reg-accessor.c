/*
 * check-name: guest register via kvm_register_read
 */
#include "kvmdc-test.h"
int handle_rdmsr_check(struct kvm_vcpu *vcpu)
{
	u32 ecx = kvm_register_read(vcpu, VCPU_REGS_RCX);

	return KVM_BUG_ON_DATA_CORRUPTION(ecx == 0xc0000080, vcpu->kvm); /* kvmdc: guest */
}
