/*
 * check-name: VM-exit reason cached in vcpu_vmx
 * check-cocci: differs: a field read from a local struct copy (exit_reason.basic) is judged by the field's own entry, not by what the local was copied from (vmx->exit_reason): unknown
 * check-cocci-verdicts: 12:unknown
 */
#include "kvmdc-test.h"
int vmx_handle_exit_check(struct kvm_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	union vmx_exit_reason exit_reason = vmx->exit_reason;

	if (KVM_BUG_ON_DATA_CORRUPTION(exit_reason.basic >= 80, vcpu->kvm)) /* kvmdc: guest */
		return 0;
	return 1;
}
