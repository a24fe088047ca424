/*
 * check-name: hypercall number and arguments from guest registers
 */
#include "kvmdc-test.h"
int kvm_emulate_hypercall_args(struct kvm_vcpu *vcpu)
{
	unsigned long nr, a0, a1;

	nr = kvm_rax_read(vcpu);
	a0 = kvm_rbx_read(vcpu);
	a1 = kvm_rcx_read(vcpu);
	if (!is_long_mode(vcpu)) {
		nr &= 0xffffffff;
		a0 &= 0xffffffff;
		a1 &= 0xffffffff;
	}
	if (nr == 5 && KVM_BUG_ON_DATA_CORRUPTION(a0 > a1, vcpu->kvm)) /* kvmdc: guest */
		return -1;
	return 0;
}
