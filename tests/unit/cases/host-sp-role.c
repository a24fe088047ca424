/*
 * check-name: host: kvm_mmu_page.role.level
 */
#include "kvmdc-test.h"
void mmu_free_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(sp->role.level == 0 || sp->root_count < 0, kvm)) /* kvmdc: host */
		return;
}
