/*
 * check-name: a C syntax error: gcc's own error, plugin silent, no ICE
 * check-exit: error
 * check-error: expected
 * check-cocci: skip: not valid C
 */
#include "kvmdc-test.h"

void pte_list_broken(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!rmap_head->val, kvm)
		return;
	rmap_head->val = 0
}
