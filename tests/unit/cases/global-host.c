/*
 * check-name: host-side module parameter global
 */
#include "kvmdc-test.h"
static bool tdp_mmu_enabled_check = true;
static int max_huge_page_level_check = 3;

void tdp_root_level_check(struct kvm *kvm, struct kvm_mmu_page *root)
{
	KVM_BUG_ON_DATA_CORRUPTION(tdp_mmu_enabled_check && !root->tdp_mmu_page, kvm); /* kvmdc: host */
	KVM_BUG_ON_DATA_CORRUPTION(root->role.level < max_huge_page_level_check, kvm); /* kvmdc: host */
}
