/* SPDX-License-Identifier: GPL-2.0 */
/* paging_tmpl.h-style template: included once per PTTYPE (no include guard). */
#if PTTYPE == 64
#define FNAME(name) paging64_##name
#define guest_walker guest_walker64
#define pt_element_t u64
#else
#define FNAME(name) paging32_##name
#define guest_walker guest_walker32
#define pt_element_t u32
#endif

struct guest_walker {
	int level;
	pt_element_t ptes[4];
	gfn_t gfn;
};

int FNAME(walk_check)(struct kvm_vcpu *vcpu, struct guest_walker *walker)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(walker->ptes[walker->level - 1] & 0x80, vcpu->kvm)) /* kvmdc: guest x2 */
		return 0;
	return 1;
}

#undef FNAME
#undef guest_walker
#undef pt_element_t
