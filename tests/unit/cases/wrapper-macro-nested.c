/*
 * check-name: two levels of wrapper macros
 * check-cocci: differs: Coccinelle does not expand the wrapper macros: it sees one use in the innermost #define body (unknown), none at the wrapper's use
 * check-cocci-verdicts: 7:unknown
 */
#include "kvmdc-test.h"
#define __MMU_BUG(cond, kvm)	KVM_BUG_ON_DATA_CORRUPTION(cond, kvm)
#define MMU_BUG(cond, vcpu)	__MMU_BUG(cond, (vcpu)->kvm)

void mmu_wrapper_check(struct kvm_vcpu *vcpu)
{
	MMU_BUG(vcpu->arch.efer & (1ull << 10), vcpu); /* kvmdc: guest */
}
