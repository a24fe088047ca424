/*
 * check-name: static inline accessor in the TU reading guest state
 * check-cocci: differs: the helper's return reads through to_vmx(), defined in a header the engine does not read: unknown
 * check-cocci-verdicts: 14:unknown
 */
#include "kvmdc-test.h"
static inline bool vmx_exit_is_npf(struct kvm_vcpu *vcpu)
{
	return to_vmx(vcpu)->exit_reason.basic == EXIT_REASON_EPT_VIOLATION;
}

int npf_check(struct kvm_vcpu *vcpu)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!vmx_exit_is_npf(vcpu), vcpu->kvm)) /* kvmdc: guest */
		return 0;
	return 1;
}
