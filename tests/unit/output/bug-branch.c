#include "kvmdc-test.h"
int handle_exit_check(struct kvm_vcpu *vcpu)
{
	u32 reason = vmcs_read32(VM_EXIT_REASON);

	switch (reason & 0xffff) {
	case 1:
		return 1;
	case 2:
		return 2;
	default:
		BUG();
	}
}

void cr3_check(struct kvm_vcpu *vcpu)
{
	if (kvm_read_cr3(vcpu) == 0)
		BUG();
}

/*
 * check-name: BUG() in the default case of a switch on the exit reason,
 * and BUG() under an if on a guest control register
 *
 * check-output-start
arch/x86/kvm/bug-branch.c:12:3: warning: BUG() in handle_exit_check() is reached through a guest-controlled branch (line 6): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-branch.c:4: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-branch.c:19:3: warning: BUG() in cr3_check() is reached through a guest-controlled branch (line 18): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-branch.c:18: note: guest source: function 'kvm_read_cr3' (guest control register)
 * check-output-end
 */
