#include "kvmdc-test.h"
void mixed_check(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp)
{
	KVM_BUG_ON_DATA_CORRUPTION(sp->role.level > 1 && kvm_read_cr3(vcpu) == 0, vcpu->kvm);
}

/*
 * check-name: a condition mixing host and guest data: guest, both named
 *
 * check-output-start
arch/x86/kvm/mixed.c:4:2: warning: KVM_BUG_ON_DATA_CORRUPTION() in mixed_check() guards a guest-controlled condition: with CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; use KVM_BUG_ON() or return an error [kvmdc:guest-condition]
arch/x86/kvm/mixed.c:4: note: guest source: function 'kvm_read_cr3' (guest control register)
arch/x86/kvm/mixed.c:4: note: host source: field 'kvm_mmu_page.role' (shadow page (host))
 * check-output-end
 *
 * check-output-start cocci -- the notes come in the order the condition reads them; the plugin names the guest source first
arch/x86/kvm/mixed.c:4:2: warning: KVM_BUG_ON_DATA_CORRUPTION() in mixed_check() guards a guest-controlled condition: with CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; use KVM_BUG_ON() or return an error [kvmdc:guest-condition]
arch/x86/kvm/mixed.c:4: note: host source: field 'kvm_mmu_page.role' (shadow page (host))
arch/x86/kvm/mixed.c:4: note: guest source: function 'kvm_read_cr3' (guest control register)
 * check-output-end
 */
