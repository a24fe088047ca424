#include "kvmdc-test.h"
int kvm_emulate_monitor_check(struct kvm_vcpu *vcpu)
{
	unsigned long ecx = kvm_register_read(vcpu, VCPU_REGS_RCX);
	unsigned long ext = ecx & 0xff;

	if (KVM_BUG_ON_DATA_CORRUPTION(ext != 0, vcpu->kvm))
		return 0;
	return 1;
}

/*
 * check-name: the macro on a local computed from a guest register
 *
 * check-output-start
arch/x86/kvm/guest-register.c:7:6: warning: KVM_BUG_ON_DATA_CORRUPTION() in kvm_emulate_monitor_check() guards a guest-controlled condition: with CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; use KVM_BUG_ON() or return an error [kvmdc:guest-condition]
arch/x86/kvm/guest-register.c:4: note: guest source: function 'kvm_register_read' (guest register)
 * check-output-end
 */
