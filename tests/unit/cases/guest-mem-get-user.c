/*
 * check-name: guest PTE through __get_user (a macro the policy names)
 */
#include "kvmdc-test.h"
int fetch_gpte_check(struct kvm_vcpu *vcpu, u64 __user *ptep_user)
{
	u64 pte;

	if (__get_user(pte, ptep_user))
		return -14;
	KVM_BUG_ON_DATA_CORRUPTION(pte & (1ull << 7), vcpu->kvm); /* kvmdc: guest */
	return 0;
}
