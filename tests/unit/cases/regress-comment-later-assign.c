/*
 * check-name: a guest assignment after the site does not reach it; a multi-line comment before it shifts nothing
 */
#include "kvmdc-test.h"
unsigned long count_check(struct kvm_vcpu *vcpu, struct pte_list_desc *desc)
{
	unsigned long n = desc->spte_count;

	/*
	 * The descriptor's count is host state: KVM
	 * fills it when it adds an SPTE to the rmap.
	 */
	KVM_BUG_ON_DATA_CORRUPTION(n > PTE_LIST_EXT, vcpu->kvm); /* kvmdc: host */
	n = kvm_rax_read(vcpu);
	return n;
}
