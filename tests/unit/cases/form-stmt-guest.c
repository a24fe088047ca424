/*
 * check-name: statement form, guest RAX
 */
#include "kvmdc-test.h"
void handle_vmcall_check(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(kvm_rax_read(vcpu) > 0xffff, vcpu->kvm); /* kvmdc: guest */
}
