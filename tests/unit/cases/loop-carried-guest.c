/*
 * check-name: loop-carried sum of guest memory
 */
#include "kvmdc-test.h"
void pdptr_check(struct kvm_vcpu *vcpu, gpa_t table)
{
	u64 pdpte, sum = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (kvm_vcpu_read_guest(vcpu, table + i * 8, &pdpte, sizeof(pdpte)))
			return;
		sum |= pdpte;
	}
	KVM_BUG_ON_DATA_CORRUPTION(sum & (1ull << 63), vcpu->kvm); /* kvmdc: guest */
}
