/*
 * check-name: statement form, host rmap head
 */
#include "kvmdc-test.h"
void pte_list_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	KVM_BUG_ON_DATA_CORRUPTION(!rmap_head->val, kvm); /* kvmdc: host */
}
