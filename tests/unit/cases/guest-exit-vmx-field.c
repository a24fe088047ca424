/*
 * check-name: VM-exit reason cached in vcpu_vmx
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
