#include "kvmdc-test.h"
unsigned long rmap_comment_check(struct kvm_vcpu *vcpu, struct kvm_rmap_head *rmap_head)
{
	unsigned long val = rmap_head->val;

	/*
	 * The rmap head must be populated here: a comment over
	 * several lines, as kernel code has them.
	 */
	KVM_BUG_ON_DATA_CORRUPTION(!val, vcpu->kvm);
	val = kvm_register_read(vcpu, VCPU_REGS_RAX);
	return val;
}

/*
 * check-name: a host condition after a multi-line comment; the local gets
 * a guest value only after the site
 *
 * check-output-start
 * check-output-end
 *
 * check-output-start cocci -- locals are flow-insensitive at source level (the store after the site counts), and the collapsed comment shifts the line of the guest store by three
arch/x86/kvm/comment-then-guest-store.c:10:2: warning: KVM_BUG_ON_DATA_CORRUPTION() in rmap_comment_check() guards a guest-controlled condition: with CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; use KVM_BUG_ON() or return an error [kvmdc:guest-condition]
arch/x86/kvm/comment-then-guest-store.c:4: note: host source: field 'kvm_rmap_head.val' (rmap head (host))
arch/x86/kvm/comment-then-guest-store.c:8: note: guest source: function 'kvm_register_read' (guest register)
 * check-output-end
 */
