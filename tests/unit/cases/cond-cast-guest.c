/*
 * check-name: cond with casts of a guest register
 * check-cocci: differs: source-level engine misses this form (plugin follows SSA; see README blind spots)
 */
#include "kvmdc-test.h"
void check_rcx(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION((u32)(u16)kvm_rcx_read(vcpu) == 0xffff, vcpu->kvm); /* kvmdc: guest */
}
