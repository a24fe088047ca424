/*
 * check-name: 6.12 body only: bool __ret = !!(cond)
 * check-variants: 6.12-n 6.12-y
 */
#include "kvmdc-test.h"
void check_cr4_612(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(vcpu->arch.cr4 & (1ul << 12), vcpu->kvm); /* kvmdc: guest */
}
