/*
 * check-name: guest memory read into a struct
 */
#include "kvmdc-test.h"
struct pvclock_check { u32 version; u32 pad; u64 tsc; };

void kvmclock_check(struct kvm_vcpu *vcpu, gpa_t time)
{
	struct pvclock_check pvc;

	if (kvm_vcpu_read_guest(vcpu, time, &pvc, sizeof(pvc)))
		return;
	KVM_BUG_ON_DATA_CORRUPTION(pvc.version & 1, vcpu->kvm); /* kvmdc: guest */
}
