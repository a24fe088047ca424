/*
 * check-name: guest sources through locals, helpers, casts and logic
 */
#include "kvmdc-test.h"

static bool rax_too_big(struct kvm_vcpu *vcpu)
{
	return kvm_rax_read(vcpu) > 7;
}

static int host_count(struct pte_list_desc *desc)
{
	return desc->spte_count;
}

int guest_local(struct kvm_vcpu *vcpu)
{
	unsigned long x = kvm_rax_read(vcpu);
	bool bad = x > 5 && vcpu->kvm;

	if (KVM_BUG_ON_DATA_CORRUPTION(bad, vcpu->kvm))	/* kvmdc: guest */
		return 1;
	return 0;
}

int guest_field_cast(struct kvm_vcpu *vcpu, struct kvm_rmap_head *rmap_head)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!rmap_head->val ||	/* kvmdc: guest */
				       (int)vcpu->arch.cr4 < 0, vcpu->kvm))
		return 1;
	return 0;
}

int guest_helper(struct kvm_vcpu *vcpu)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(!!rax_too_big(vcpu), vcpu->kvm))	/* kvmdc: guest */
		return 1;
	return 0;
}

int guest_buffer(struct kvm_vcpu *vcpu, gpa_t where)
{
	u64 val;

	if (kvm_read_guest(vcpu->kvm, where, &val, sizeof(val)))
		return 1;
	KVM_BUG_ON_DATA_CORRUPTION(val == 0, vcpu->kvm);	/* kvmdc: guest */
	return 0;
}

int guest_type(struct kvm *kvm, struct kvm_run *run, struct vmcs12 *v12)
{
	KVM_BUG_ON_DATA_CORRUPTION(run->exit_reason == 3, kvm);	/* kvmdc: guest */
	return KVM_BUG_ON_DATA_CORRUPTION(v12->guest_cr0 & 1, kvm);	/* kvmdc: guest */
}

int guest_param(struct kvm *kvm, unsigned long gpa)
{
	return KVM_BUG_ON_DATA_CORRUPTION(gpa & 0xfff, kvm);	/* kvmdc: guest */
}

int constant_under_guest_if(struct kvm_vcpu *vcpu)
{
	if (vcpu->arch.cr4 & 2) {
		KVM_BUG_ON_DATA_CORRUPTION(true, vcpu->kvm);	/* kvmdc: guest */
		return 1;
	}
	if (vcpu->arch.regs[0])
		return 2;
	else
		KVM_BUG_ON_DATA_CORRUPTION(true, vcpu->kvm);	/* kvmdc: guest */
	return 0;
}

int host_only(struct kvm *kvm, struct kvm_rmap_head *rmap_head,
	      struct pte_list_desc *desc, u64 *spte)
{
	int j = desc->spte_count - 1;

	KVM_BUG_ON_DATA_CORRUPTION(j < 0, kvm);	/* kvmdc: host */
	KVM_BUG_ON_DATA_CORRUPTION((u64 *)rmap_head->val != spte, kvm);	/* kvmdc: host */
	KVM_BUG_ON_DATA_CORRUPTION(host_count(desc) > 14, kvm);	/* kvmdc: host */
	if (!(rmap_head->val & 1)) {
		return 0;
	} else {
		KVM_BUG_ON_DATA_CORRUPTION(true, kvm);	/* kvmdc: host */
	}
	return 1;
}
