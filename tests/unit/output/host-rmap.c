#include "kvmdc-test.h"
bool rmap_single_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	unsigned long val = rmap_head->val;

	return KVM_BUG_ON_DATA_CORRUPTION(val && !(val & 1) && !*(u64 *)val, kvm);
}

/*
 * check-name: the macro on rmap bookkeeping (host): no output
 *
 * check-output-start
 * check-output-end
 */
