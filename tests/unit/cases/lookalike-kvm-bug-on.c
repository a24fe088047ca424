/*
 * check-name: plain KVM_BUG_ON() is not a site, even on a guest condition
 */
#include "kvmdc-test.h"
int handle_exit_check(struct kvm_vcpu *vcpu)
{
	u32 reason = vmcs_read32(VM_EXIT_REASON);

	if (KVM_BUG_ON(reason == EXIT_REASON_EPT_MISCONFIG, vcpu->kvm))
		return 0;
	KVM_BUG_ON(!vcpu->arch.mmu, vcpu->kvm);
	return 1;
}
