/*
 * check-name: cond with &&, both host
 */
#include "kvmdc-test.h"
void rmap_desc_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	KVM_BUG_ON_DATA_CORRUPTION((rmap_head->val & 1) && !(rmap_head->val & ~1ul), kvm); /* kvmdc: host */
}
