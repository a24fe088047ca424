/*
 * check-name: local holding a guest register
 */
#include "kvmdc-test.h"
int kvm_emulate_monitor_check(struct kvm_vcpu *vcpu)
{
	unsigned long ecx = kvm_register_read(vcpu, VCPU_REGS_RCX);
	unsigned long ext = ecx & 0xff;

	if (KVM_BUG_ON_DATA_CORRUPTION(ext != 0, vcpu->kvm)) /* kvmdc: guest */
		return 0;
	return 1;
}
