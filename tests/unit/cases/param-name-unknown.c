/*
 * check-name: exported function, no caller, parameter name not in the policy: unknown
 */
#include "kvmdc-test.h"
void flags_check(struct kvm *kvm, unsigned long flags)
{
	KVM_BUG_ON_DATA_CORRUPTION(flags & 0x8, kvm); /* kvmdc: unknown */
}
