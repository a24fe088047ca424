/*
 * check-name: cond with casts of a guest register
 * check-cocci: differs: Coccinelle cannot parse a double cast through typedef names ((u32)(u16)f()) and skips the function; kvmdc scan reports the use as not analysed
 * check-cocci-verdicts: 9:unanalysed
 */
#include "kvmdc-test.h"
void check_rcx(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION((u32)(u16)kvm_rcx_read(vcpu) == 0xffff, vcpu->kvm); /* kvmdc: guest */
}
