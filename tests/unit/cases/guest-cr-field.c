/*
 * check-name: guest EFER and CR0 fields of kvm_vcpu_arch
 */
#include "kvmdc-test.h"
void check_efer(struct kvm_vcpu *vcpu)
{
	KVM_BUG_ON_DATA_CORRUPTION((vcpu->arch.efer & (1ull << 8)) && !(vcpu->arch.cr0 & (1ul << 31)), /* kvmdc: guest */
				   vcpu->kvm);
}
