/*
 * check-name: ioctl input through copy_from_user
 */
#include "kvmdc-test.h"
long kvm_vcpu_ioctl_set_regs_check(struct kvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_regs regs;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -14;
	if (KVM_BUG_ON_DATA_CORRUPTION(regs.rflags & (1ull << 17), vcpu->kvm)) /* kvmdc: guest */
		return -22;
	return 0;
}
