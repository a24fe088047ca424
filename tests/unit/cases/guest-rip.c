/*
 * check-name: guest RIP via kvm_rip_read
 */
#include "kvmdc-test.h"
void skip_insn_check(struct kvm_vcpu *vcpu)
{
	unsigned long rip = kvm_rip_read(vcpu);

	KVM_BUG_ON_DATA_CORRUPTION(rip + 3 < rip, vcpu->kvm); /* kvmdc: guest */
}
