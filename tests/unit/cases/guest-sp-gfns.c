/*
 * check-name: kvm_mmu_page.gfns holds guest frame numbers
 */
#include "kvmdc-test.h"
void shadowed_gfn_check(struct kvm *kvm, struct kvm_mmu_page *sp, int index, gfn_t expected)
{
	KVM_BUG_ON_DATA_CORRUPTION(sp->gfns[index] != expected, kvm); /* kvmdc: guest */
}
