/*
 * check-name: constant true in the default of a switch on a host field
 */
#include "kvmdc-test.h"
int sp_level_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	switch (sp->role.level) {
	case 1: case 2: case 3: case 4: case 5:
		return 1;
	default:
		KVM_BUG_ON_DATA_CORRUPTION(true, kvm); /* kvmdc: host */
		return 0;
	}
}
