/*
 * check-name: cond with a ternary chosen by the guest mode
 */
#include "kvmdc-test.h"
void check_rax(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION((is_long_mode(vcpu) ? kvm_rax_read(vcpu) : (u32)kvm_rax_read(vcpu)) == ~0ul, /* kvmdc: guest */
				   vcpu->kvm);
}
