/*
 * check-name: inside if (...), host
 */
#include "kvmdc-test.h"
void pte_list_remove(struct kvm *kvm, u64 *spte, struct kvm_rmap_head *rmap_head)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!rmap_head->val, kvm)) /* kvmdc: host */
		return;
	rmap_head->val = 0;
}
