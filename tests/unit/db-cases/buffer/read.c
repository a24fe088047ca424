#include "demo.h"

int demo_load_desc(struct kvm *kvm, gpa_t gpa)
{
	struct demo_desc d;

	if (kvm_read_guest(kvm, gpa, &d, sizeof(d)))
		return -1;
	return demo_use_desc(kvm, &d);
}

int demo_host_val(struct kvm *kvm, struct kvm_mmu_page *sp)
{
	u64 v = sp->gfn;

	return demo_use_val(kvm, &v);
}
