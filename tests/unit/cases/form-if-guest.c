/*
 * check-name: inside if (...), guest exit reason
 */
#include "kvmdc-test.h"
int handle_ept_violation(struct kvm_vcpu *vcpu)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(vmcs_read32(VM_EXIT_REASON) != EXIT_REASON_EPT_VIOLATION, /* kvmdc: guest */
				       vcpu->kvm))
		return -5;
	return 1;
}
