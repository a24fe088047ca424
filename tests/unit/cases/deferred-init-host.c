/*
 * check-name: uninitialised local (.DEFERRED_INIT) joined with a host value
 */
#include "kvmdc-test.h"
void level_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	int level;

	if (sp)
		level = sp->role.level;
	KVM_BUG_ON_DATA_CORRUPTION(level > PT64_ROOT_MAX_LEVEL, kvm); /* kvmdc: host */
}
