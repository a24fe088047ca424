/*
 * check-name: one same-file helper called twice in one condition is followed for each call
 */
#include "kvmdc-test.h"
static bool rmap_empty(struct kvm_rmap_head *head)
{
	return !head->val;
}

void two_heads_check(struct kvm *kvm, struct kvm_rmap_head *a, struct kvm_rmap_head *b)
{
	KVM_BUG_ON_DATA_CORRUPTION(rmap_empty(a) && rmap_empty(b), kvm); /* kvmdc: host */
}
