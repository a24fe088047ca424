/*
 * check-name: guest register via vcpu->arch.regs[]
 */
#include "kvmdc-test.h"
void check_rsp(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(vcpu->arch.regs[VCPU_REGS_RSP] & 7, vcpu->kvm); /* kvmdc: guest */
}
