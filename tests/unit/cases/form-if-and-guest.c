/*
 * check-name: left operand of && in an if, guest
 */
#include "kvmdc-test.h"
int kvm_emulate_hypercall_check(struct kvm_vcpu *vcpu, bool strict)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(kvm_rbx_read(vcpu) & 1, vcpu->kvm) && strict) /* kvmdc: guest */
		return -22;
	return 0;
}
