#include "kvmdc-test.h"
void inject_irq_check(struct kvm_vcpu *vcpu)
{
	unsigned long rax = kvm_register_read(vcpu, VCPU_REGS_RAX);

	BUG_ON(rax & 0x100);
}

void rmap_check(struct kvm_rmap_head *rmap_head)
{
	BUG_ON(!rmap_head->val);
}

/*
 * check-name: BUG_ON() on a guest register, and one on rmap bookkeeping
 *
 * check-output-start
arch/x86/kvm/bug-on.c:6:2: warning: BUG_ON() in inject_irq_check() on a guest-controlled condition: a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-on.c:4: note: guest source: function 'kvm_register_read' (guest register)
 * check-output-end
 */
