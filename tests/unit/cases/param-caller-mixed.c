/*
 * check-name: static function called with a host value and with a guest value
 */
#include "kvmdc-test.h"
static void check_level_param(struct kvm *kvm, int level)
{
	KVM_BUG_ON_DATA_CORRUPTION(level > PT64_ROOT_MAX_LEVEL, kvm); /* kvmdc: guest */
}

void from_sp(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	check_level_param(kvm, sp->role.level);
}

void from_guest(struct kvm_vcpu *vcpu)
{
	check_level_param(vcpu->kvm, (int)kvm_rdx_read(vcpu));
}
