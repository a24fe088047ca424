/*
 * check-name: VM-exit code via svm->vmcb->control.exit_code
 */
#include "kvmdc-test.h"
int svm_handle_exit_check(struct kvm_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	u32 exit_code = svm->vmcb->control.exit_code;

	if (KVM_BUG_ON_DATA_CORRUPTION(exit_code == (u32)SVM_EXIT_ERR, vcpu->kvm)) /* kvmdc: guest */
		return 0;
	return 1;
}
