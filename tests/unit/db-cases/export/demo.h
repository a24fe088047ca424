#include "kvmdc-test.h"
/* A vendor vCPU: which of its VMCSs is loaded is KVM's own bookkeeping. */
struct demo_vmx {
	struct kvm_vcpu vcpu;
	int vmcs01;
	int *loaded;
};

void demo_switch(struct kvm_vcpu *vcpu, int *vmcs);
