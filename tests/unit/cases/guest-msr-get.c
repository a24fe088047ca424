/*
 * check-name: guest MSR via kvm_get_msr's out-parameter
 */
#include "kvmdc-test.h"
void check_msr_get(struct kvm_vcpu *vcpu)
{
	u64 val;

	if (kvm_get_msr(vcpu, 0xc0000080, &val))
		return;
	KVM_BUG_ON_DATA_CORRUPTION(val & ~0xd01ull, vcpu->kvm); /* kvmdc: guest */
}
