/*
 * check-name: local reassigned from guest to host: the guest value is dead
 */
#include "kvmdc-test.h"
void check_index2(struct kvm_vcpu *vcpu, struct pte_list_desc *desc, u64 *out)
{
	unsigned long idx = kvm_rsi_read(vcpu);

	*out = idx;
	idx = desc->spte_count;
	KVM_BUG_ON_DATA_CORRUPTION(idx > PTE_LIST_EXT, vcpu->kvm); /* kvmdc: host */
}
