/*
 * check-name: static function's parameter bound to a guest value by its caller
 */
#include "kvmdc-test.h"
static void check_gpte_bits(struct kvm *kvm, u64 pte_val)
{
	KVM_BUG_ON_DATA_CORRUPTION((pte_val >> 51) & 1, kvm); /* kvmdc: guest */
}

int walk_addr_check(struct kvm *kvm, gpa_t pte_gpa)
{
	u64 pte;

	if (kvm_read_guest(kvm, pte_gpa, &pte, sizeof(pte)))
		return -14;
	check_gpte_bits(kvm, pte);
	return 0;
}
