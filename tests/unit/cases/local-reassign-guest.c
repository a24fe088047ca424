/*
 * check-name: local reassigned from host to guest before the site
 */
#include "kvmdc-test.h"
void check_index(struct kvm_vcpu *vcpu, struct pte_list_desc *desc)
{
	unsigned long idx = desc->spte_count;

	idx = kvm_rsi_read(vcpu);
	KVM_BUG_ON_DATA_CORRUPTION(idx >= PTE_LIST_EXT, vcpu->kvm); /* kvmdc: guest */
}
