/*
 * check-name: cond with arithmetic on a guest register
 */
#include "kvmdc-test.h"
void check_pio(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(((kvm_rdx_read(vcpu) & 0xffff) + 4) >> 16, vcpu->kvm); /* kvmdc: guest */
}
