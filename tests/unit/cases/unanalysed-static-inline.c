/*
 * check-name: unused static inline: never reaches GIMPLE, reported as not analysed
 * check-cocci: differs: an unused static inline is still a site in the source
 * check-cocci-verdicts: 9:host 14:host
 */
#include "kvmdc-test.h"
static inline void unused_rmap_check(struct kvm *kvm, struct kvm_rmap_head *rmap_head)
{
	KVM_BUG_ON_DATA_CORRUPTION(!rmap_head->val, kvm); /* kvmdc: unanalysed */
}

void used_check(struct kvm *kvm, struct pte_list_desc *desc)
{
	KVM_BUG_ON_DATA_CORRUPTION(!desc->spte_count, kvm); /* kvmdc: host */
}
