/*
 * check-name: guest CR4 via kvm_read_cr4_bits
 */
#include "kvmdc-test.h"
void check_pae(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION(!kvm_read_cr4_bits(vcpu, 1ul << 5) && is_paging(vcpu), vcpu->kvm); /* kvmdc: guest */
}
