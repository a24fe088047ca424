/* SPDX-License-Identifier: GPL-2.0 */
/* paging_tmpl.h-style template: included once per PTTYPE (no include guard). */
#if PTTYPE == 64
#define FNAME(name) paging64_##name
#define PT_MAX_LEVELS 4
#elif PTTYPE == 32
#define FNAME(name) paging32_##name
#define PT_MAX_LEVELS 2
#else
#define FNAME(name) ept_##name
#define PT_MAX_LEVELS 4
#endif

static int FNAME(sync_spte_check)(struct kvm *kvm, struct kvm_mmu_page *sp, int i)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(sp->role.level > PT_MAX_LEVELS, kvm)) /* kvmdc: host x3 */
		return 0;
	return sp->spt[i] != 0;
}

int FNAME(sync_spte)(struct kvm *kvm, struct kvm_mmu_page *sp, int i)
{
	return FNAME(sync_spte_check)(kvm, sp, i);
}

#undef FNAME
#undef PT_MAX_LEVELS
