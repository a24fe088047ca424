/*
 * check-name: static helper returning a guest value
 */
#include "kvmdc-test.h"
static unsigned long get_hypercall_nr(struct kvm_vcpu *vcpu)
{
	return kvm_rax_read(vcpu) & 0xffff;
}

int hypercall_check(struct kvm_vcpu *vcpu)
{
	return KVM_BUG_ON_DATA_CORRUPTION(get_hypercall_nr(vcpu) == 12, vcpu->kvm); /* kvmdc: guest */
}
