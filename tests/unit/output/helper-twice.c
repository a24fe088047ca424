#include "kvmdc-test.h"
static bool rmap_empty(struct kvm_rmap_head *head)
{
	return !head->val;
}

void rmap_pair_check(struct kvm *kvm, struct kvm_rmap_head *a, struct kvm_rmap_head *b)
{
	KVM_BUG_ON_DATA_CORRUPTION(rmap_empty(a) && rmap_empty(b), kvm);
}

/*
 * check-name: the same same-file helper called twice in one condition
 *
 * check-output-start
 * check-output-end
 *
 * check-output-start cocci -- the helper's second call is taken for a recursion (one seen set for both calls): unknown
arch/x86/kvm/helper-twice.c:9:2: warning: KVM_BUG_ON_DATA_CORRUPTION() in rmap_pair_check(): provenance of the condition undecided [kvmdc:unknown-condition]
arch/x86/kvm/helper-twice.c:4: note: host source: field 'kvm_rmap_head.val' (rmap head (host))
arch/x86/kvm/helper-twice.c:9: note: unknown source: function 'rmap_empty' (helper not in this file or the policy)
 * check-output-end
 */
