/*
 * check-name: guest memory through kvm_read_guest's out-parameter
 */
#include "kvmdc-test.h"
int read_guest_pte_check(struct kvm *kvm, gpa_t pte_gpa)
{
	u64 gpte;

	if (kvm_read_guest(kvm, pte_gpa, &gpte, sizeof(gpte)))
		return -14;
	if (KVM_BUG_ON_DATA_CORRUPTION(!(gpte & 1), kvm)) /* kvmdc: guest */
		return -5;
	return 0;
}
