/*
 * check-name: CONFIG_BUG_ON_DATA_CORRUPTION=y only: the macro is BUG_ON
 * check-variants: 6.12-y draft-y
 */
#include "kvmdc-test.h"
void check_msr_y(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	KVM_BUG_ON_DATA_CORRUPTION(msr_info->data >> 32, vcpu->kvm); /* kvmdc: guest */
}
