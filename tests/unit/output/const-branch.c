#include "kvmdc-test.h"
int handle_exception_check(struct kvm_vcpu *vcpu)
{
	u32 intr_info = vmcs_read32(VM_EXIT_INTR_INFO);

	if ((intr_info & 0xff) == 0x12) {
		KVM_BUG_ON_DATA_CORRUPTION(true, vcpu->kvm);
		return 0;
	}
	return 1;
}

/*
 * check-name: a constant condition, reached only through a guest branch
 *
 * check-output-start
arch/x86/kvm/const-branch.c:7:3: warning: KVM_BUG_ON_DATA_CORRUPTION() in handle_exception_check() guards a guest-controlled condition: with CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; use KVM_BUG_ON() or return an error [kvmdc:guest-condition]
arch/x86/kvm/const-branch.c:4: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
 * check-output-end
 */
