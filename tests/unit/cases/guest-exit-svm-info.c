/*
 * check-name: VM-exit information exit_info_1 of an NPF
 */
#include "kvmdc-test.h"
int npf_interception_check(struct kvm_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	u64 error_code = svm->vmcb->control.exit_info_1;

	KVM_BUG_ON_DATA_CORRUPTION(error_code >> 32, vcpu->kvm); /* kvmdc: guest */
	return 1;
}
