/*
 * check-name: cond with a ternary over host fields
 */
#include "kvmdc-test.h"
void check_level(struct kvm *kvm, struct kvm_mmu_page *sp, struct tdp_iter *iter)
{
	KVM_BUG_ON_DATA_CORRUPTION((sp->tdp_mmu_page ? iter->level : (int)sp->role.level) > PT64_ROOT_MAX_LEVEL, kvm); /* kvmdc: host */
}
