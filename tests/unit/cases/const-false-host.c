/*
 * check-name: constant false: never fires, host
 */
#include "kvmdc-test.h"
void never_check(struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(false, kvm); /* kvmdc: host */
}
