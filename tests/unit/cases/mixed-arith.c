/*
 * check-name: host value compared with a guest value
 */
#include "kvmdc-test.h"
void mixed_cmp(struct kvm_vcpu *vcpu, struct tdp_iter *iter, struct msr_data *msr)
{
	KVM_BUG_ON_DATA_CORRUPTION(iter->gfn != (gfn_t)(msr->data >> 12), vcpu->kvm); /* kvmdc: guest */
}
