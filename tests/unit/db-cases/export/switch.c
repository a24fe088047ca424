#include "demo.h"

void demo_switch(struct kvm_vcpu *vcpu, int *vmcs)
{
	struct demo_vmx *vmx = (struct demo_vmx *)vcpu;

	vmx->loaded = vmcs;
}

void demo_check_loaded(struct kvm_vcpu *vcpu)
{
	struct demo_vmx *vmx = (struct demo_vmx *)vcpu;

	/*
	 * loaded is only ever a pointer into a vCPU, passed down from
	 * reset.c's export, which nothing in this build calls: its vcpu is
	 * host by the policy's host-param entry.
	 */
	KVM_BUG_ON_DATA_CORRUPTION(vmx->loaded != &vmx->vmcs01, vcpu->kvm); /* kvmdc-db: host */
}
