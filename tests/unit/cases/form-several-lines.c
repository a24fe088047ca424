/*
 * check-name: three sites in one function, host guest host
 */
#include "kvmdc-test.h"
void mmu_check_all(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp)
{
	KVM_BUG_ON_DATA_CORRUPTION(!sp->spt, vcpu->kvm); /* kvmdc: host */
	KVM_BUG_ON_DATA_CORRUPTION(vcpu->arch.cr3 & 0xfff, vcpu->kvm); /* kvmdc: guest */
	KVM_BUG_ON_DATA_CORRUPTION(sp->role.level < PG_LEVEL_4K, vcpu->kvm); /* kvmdc: host */
}
