#include "demo.h"

/* Exported for a vendor file this build leaves out: no caller in the build. */
void demo_reset_hold(struct kvm_vcpu *vcpu)
{
	struct demo_vmx *vmx = (struct demo_vmx *)vcpu;

	demo_switch(vcpu, &vmx->vmcs01);
}

/* No caller in the build and a name the policy does not know: undecided. */
void demo_exported_len(u64 len, struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(len > 16, kvm); /* kvmdc-db: unknown */
}

/* No caller in the build, named data: guest by the policy's guest-param. */
void demo_exported_data(u64 data, struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(data > 16, kvm); /* kvmdc-db: guest */
}
