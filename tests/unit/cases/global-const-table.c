/*
 * check-name: static const table indexed by a host level
 */
#include "kvmdc-test.h"
static const int shadow_levels_check[] = { 0, 1, 2, 3, 4, 5 };

void level_table_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	KVM_BUG_ON_DATA_CORRUPTION(shadow_levels_check[sp->role.level & 3] != (sp->role.level & 3), kvm); /* kvmdc: host */
}
