/*
 * check-name: KVM_BUG_ON_DATA_CORRUPTION() nested in KVM_BUG_ON()'s cond: one site
 */
#include "kvmdc-test.h"
void check_nested_dc(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON(KVM_BUG_ON_DATA_CORRUPTION(vcpu->arch.regs[VCPU_REGS_RAX] == 0, vcpu->kvm), vcpu->kvm); /* kvmdc: guest */
}
