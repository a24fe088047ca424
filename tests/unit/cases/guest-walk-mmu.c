/*
 * check-name: guest paging mode through vcpu->arch.walk_mmu
 */
#include "kvmdc-test.h"
void check_walk_root(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(vcpu->arch.walk_mmu->pdptrs[0] & 1, vcpu->kvm); /* kvmdc: guest */
}
