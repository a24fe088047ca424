/*
 * check-name: value returned directly, host
 */
#include "kvmdc-test.h"
bool rmap_head_bad(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	return KVM_BUG_ON_DATA_CORRUPTION((rmap_head->val & 1) && !(rmap_head->val & ~1ul), kvm); /* kvmdc: host */
}
