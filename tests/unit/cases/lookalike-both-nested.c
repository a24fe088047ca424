/*
 * check-name: KVM_BUG_ON inside the cond and around the value: one site, guest
 */
#include "kvmdc-test.h"
int check_both(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp)
{
	return KVM_BUG_ON(KVM_BUG_ON_DATA_CORRUPTION(KVM_BUG_ON(!sp->spt, vcpu->kvm) || /* kvmdc: guest */
						     kvm_rip_read(vcpu) == 0, vcpu->kvm), vcpu->kvm);
}
