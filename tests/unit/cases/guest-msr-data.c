/*
 * check-name: MSR write data (msr_info->data)
 */
#include "kvmdc-test.h"
int set_msr_check(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	u64 data = msr_info->data;

	switch (msr_info->index) {
	case 0x277:
		if (KVM_BUG_ON_DATA_CORRUPTION(data & 0xf8f8f8f8f8f8f8f8ull, vcpu->kvm)) /* kvmdc: guest */
			return 1;
		vcpu->arch.pat = data;
		return 0;
	}
	return 1;
}
