/*
 * check-name: right operand of || in an if, host
 */
#include "kvmdc-test.h"
int mmu_page_zap_check(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	if (sp->unsync ||
	    KVM_BUG_ON_DATA_CORRUPTION(sp->role.level > PT64_ROOT_MAX_LEVEL, kvm)) /* kvmdc: host */
		return 0;
	return 1;
}
