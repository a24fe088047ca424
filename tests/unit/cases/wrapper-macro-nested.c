/*
 * check-name: two levels of wrapper macros
 * check-cocci: differs: source-level engine misses this form (plugin follows SSA; see README blind spots)
 */
#include "kvmdc-test.h"
#define __MMU_BUG(cond, kvm)	KVM_BUG_ON_DATA_CORRUPTION(cond, kvm)
#define MMU_BUG(cond, vcpu)	__MMU_BUG(cond, (vcpu)->kvm)

void mmu_wrapper_check(struct kvm_vcpu *vcpu)
{
	MMU_BUG(vcpu->arch.efer & (1ull << 10), vcpu); /* kvmdc: guest */
}
