#include "demo.h"

int demo_guest(struct kvm *kvm, gpa_t gpa)
{
	u64 val;

	if (kvm_read_guest(kvm, gpa, &val, sizeof(val)))
		return -1;
	demo_check_param(val, kvm);
	if (KVM_BUG_ON_DATA_CORRUPTION(demo_check_range(val), kvm)) /* kvmdc-db: guest */
		return -1;
	return 0;
}

int demo_host(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	/* The same helper, called with host state: host. */
	if (KVM_BUG_ON_DATA_CORRUPTION(demo_check_range(sp->gfn), kvm)) /* kvmdc-db: host */
		return -1;
	return 0;
}
