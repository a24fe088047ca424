/*
 * check-name: cond with ||, both guest
 */
#include "kvmdc-test.h"
void check_cr(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION((kvm_read_cr0(vcpu) & 1) || (kvm_read_cr4(vcpu) & 0x20), vcpu->kvm); /* kvmdc: guest */
}
