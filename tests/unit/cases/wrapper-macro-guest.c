/*
 * check-name: wrapper macro; the site is the user's call site
 * check-cocci: differs: Coccinelle does not expand the wrapper macro: it sees one use in the #define body (condition 'cond', unknown), none at the wrapper's use
 * check-cocci-verdicts: 7:unknown
 */
#include "kvmdc-test.h"
#define VMX_BUG_ON_CORRUPTION(cond, vcpu)	KVM_BUG_ON_DATA_CORRUPTION(cond, (vcpu)->kvm)

int handle_io_check(struct kvm_vcpu *vcpu)
{
	unsigned long exit_qual = vmcs_readl(EXIT_QUALIFICATION);

	if (VMX_BUG_ON_CORRUPTION(exit_qual & (1ul << 4), vcpu)) /* kvmdc: guest */
		return 0;
	return 1;
}
