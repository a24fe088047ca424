/*
 * check-name: draft body only: a u64 cond truncated to int
 * check-variants: draft-n draft-y
 */
#include "kvmdc-test.h"
void check_rmap_draft(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	KVM_BUG_ON_DATA_CORRUPTION(rmap_head->val & ~1ul, kvm); /* kvmdc: host */
}
