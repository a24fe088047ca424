/*
 * check-cocci: differs: Coccinelle does not expand the wrapper macro: it sees one use in the #define body (condition the wrapper's parameter, unknown), none at the wrapper's uses
 * check-cocci-expect: 7:unknown
 * check-name: wrapper macro around a host check, used twice
 */
#include "kvmdc-test.h"
#define RMAP_BUG_ON(cond, kvm)	KVM_BUG_ON_DATA_CORRUPTION(cond, kvm)

void rmap_wrapper_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head,
			struct pte_list_desc *desc)
{
	if (RMAP_BUG_ON(!rmap_head->val, kvm)) /* kvmdc: host */
		return;
	RMAP_BUG_ON(desc->spte_count > PTE_LIST_EXT, kvm); /* kvmdc: host */
}
