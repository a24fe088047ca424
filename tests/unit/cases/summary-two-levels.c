/*
 * check-cocci: differs: control flow is followed only in the site's own function: the helper's local assigned from a second helper is not traced, so its return reads nothing
 * check-cocci-expect: 21:host
 * check-name: helper calling a helper that reads a guest register
 */
#include "kvmdc-test.h"
static unsigned long get_rip(struct kvm_vcpu *vcpu)
{
	return kvm_rip_read(vcpu);
}

static bool rip_is_canonical(struct kvm_vcpu *vcpu)
{
	unsigned long rip = get_rip(vcpu);

	return (long)(rip << 16) >> 16 == (long)rip;
}

void rip_check(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(!rip_is_canonical(vcpu), vcpu->kvm); /* kvmdc: guest */
}
