/*
 * check-name: constant true in the else branch of a guest condition
 */
#include "kvmdc-test.h"
int nested_exit_check(struct kvm_vcpu *vcpu)
{
	struct vmcs12 *vmcs12 = get_vmcs12(vcpu);

	if (vmcs12->vm_exit_reason < 70)
		return 1;
	else
		KVM_BUG_ON_DATA_CORRUPTION(true, vcpu->kvm); /* kvmdc: guest */
	return 0;
}
