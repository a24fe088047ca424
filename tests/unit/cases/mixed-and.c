/*
 * check-name: host && guest is reported as guest
 */
#include "kvmdc-test.h"
void mixed_check(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp)
{
	KVM_BUG_ON_DATA_CORRUPTION(sp->role.level > 1 && kvm_read_cr3(vcpu) == 0, vcpu->kvm); /* kvmdc: guest */
}
