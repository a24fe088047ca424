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
 */
