/*
 * check-name: kvm_run shared with the VMM
 */
#include "kvmdc-test.h"
int complete_mmio_check(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (KVM_BUG_ON_DATA_CORRUPTION(run->mmio.len > 8, vcpu->kvm)) /* kvmdc: guest */
		return 0;
	return 1;
}
