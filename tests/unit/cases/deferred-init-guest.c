/*
 * check-name: uninitialised local (.DEFERRED_INIT) joined with a guest value
 */
#include "kvmdc-test.h"
void cr3_check(struct kvm_vcpu *vcpu, bool paging)
{
	unsigned long cr3;

	if (paging)
		cr3 = kvm_read_cr3(vcpu);
	KVM_BUG_ON_DATA_CORRUPTION(cr3 & 0xfff, vcpu->kvm); /* kvmdc: guest */
}
