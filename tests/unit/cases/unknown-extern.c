/*
 * check-name: extern function not in the policy: unknown (reported only with strict)
 */
#include "kvmdc-test.h"
extern int vendor_state_check(struct kvm *kvm);

void vendor_check(struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(vendor_state_check(kvm) < 0, kvm); /* kvmdc: unknown */
}
