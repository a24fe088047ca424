/*
 * check-name: nested state: vmcs12 field
 */
#include "kvmdc-test.h"
int nested_vmx_check_controls(struct kvm_vcpu *vcpu)
{
	struct vmcs12 *vmcs12 = get_vmcs12(vcpu);

	if (KVM_BUG_ON_DATA_CORRUPTION(!vmcs12->virtual_processor_id && /* kvmdc: guest */
				       (vmcs12->cpu_based_vm_exec_control & 0x80000000u),
				       vcpu->kvm))
		return -22;
	return 0;
}
