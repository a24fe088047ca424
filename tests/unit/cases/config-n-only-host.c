/*
 * check-name: CONFIG_BUG_ON_DATA_CORRUPTION=n only: WARN and kvm_vm_bugged
 * check-variants: 6.12-n draft-n
 */
#include "kvmdc-test.h"
void check_desc_n(struct kvm *kvm, struct pte_list_desc *desc)
{
	KVM_BUG_ON_DATA_CORRUPTION(desc->spte_count > PTE_LIST_EXT, kvm); /* kvmdc: host */
}
