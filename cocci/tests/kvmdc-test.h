/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmdc-test.h - a freestanding stand-in for the kernel headers the kvmdc
 * unit fixtures need.  Struct and field names are the real kernel's, so the
 * policy (kernel-integration/kvmdc.policy) applies unchanged.
 *
 *   -DKVMDC_DRAFT_BODY                 the earlier draft body (int __ret = (cond))
 *   -DCONFIG_BUG_ON_DATA_CORRUPTION=1  CONFIG_BUG_ON_DATA_CORRUPTION=y
 */
#ifndef KVMDC_TEST_H
#define KVMDC_TEST_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed long long s64;
typedef u64 gpa_t;
typedef u64 gva_t;
typedef u64 gfn_t;
typedef u64 hpa_t;
typedef u64 kvm_pfn_t;
typedef long ssize_t;
#define __user

/* include/linux/kconfig.h, simplified: CONFIG_FOO is 1 or undefined */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option)		__is_defined(option)

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

extern void __warn_printk(const char *fmt, ...);

#define BUG() do {						\
	asm volatile("ud2");					\
	__builtin_unreachable();				\
} while (0)
#define BUG_ON(condition) do { if (unlikely(condition)) BUG(); } while (0)

#define WARN_ON_ONCE(condition) ({				\
	int __ret_warn_on = !!(condition);			\
	if (unlikely(__ret_warn_on))				\
		asm volatile("ud2");				\
	unlikely(__ret_warn_on);				\
})

struct kvm;
struct kvm_vcpu;
extern void kvm_vm_bugged(struct kvm *kvm);

/* include/linux/kvm_host.h (6.12) */
#define KVM_BUG_ON(cond, kvm)					\
({								\
	bool __ret = !!(cond);					\
								\
	if (WARN_ON_ONCE(__ret && !(kvm)->vm_bugged))		\
		kvm_vm_bugged(kvm);				\
	unlikely(__ret);					\
})

#ifndef KVMDC_DRAFT_BODY
#define KVM_BUG_ON_DATA_CORRUPTION(cond, kvm)			\
({								\
	bool __ret = !!(cond);					\
								\
	if (IS_ENABLED(CONFIG_BUG_ON_DATA_CORRUPTION))		\
		BUG_ON(__ret);					\
	else if (WARN_ON_ONCE(__ret && !(kvm)->vm_bugged))	\
		kvm_vm_bugged(kvm);				\
	unlikely(__ret);					\
})
#else
/* the draft posted before the merge (May 2023) */
#define KVM_BUG_ON_DATA_CORRUPTION(cond, kvm)			\
({								\
	int __ret = (cond);					\
								\
	if (IS_ENABLED(CONFIG_BUG_ON_DATA_CORRUPTION))		\
		BUG_ON(__ret);					\
	else if (WARN_ON_ONCE(__ret && !(kvm)->vm_bugged))	\
		kvm_vm_bugged(kvm);				\
	unlikely(__ret);					\
})
#endif

/* lists, refcounts, locks */
struct list_head { struct list_head *next, *prev; };
static inline int list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}
typedef struct { int counter; } atomic_t;
typedef struct refcount_struct { atomic_t refs; } refcount_t;
extern int atomic_read(const atomic_t *v);
extern unsigned int refcount_read(const refcount_t *r);
typedef struct spinlock { int rlock; } spinlock_t;
extern int spin_is_locked(spinlock_t *lock);

/* MMU */
#define PT64_ROOT_MAX_LEVEL	5
#define PG_LEVEL_4K		1
#define PTE_LIST_EXT		14
#define SPTE_ENT_PER_PAGE	512
#define INVALID_PAGE		(~(hpa_t)0)

struct kvm_rmap_head { unsigned long val; };

struct pte_list_desc {
	struct pte_list_desc *more;
	u32 spte_count;
	u32 tail_count;
	u64 *sptes[PTE_LIST_EXT];
};

union kvm_mmu_page_role {
	u32 word;
	struct {
		unsigned level:4;
		unsigned has_4_byte_gpte:1;
		unsigned quadrant:2;
		unsigned direct:1;
		unsigned access:3;
		unsigned invalid:1;
		unsigned efer_nx:1;
		unsigned cr0_wp:1;
		unsigned smep_andnot_wp:1;
		unsigned smap_andnot_wp:1;
		unsigned ad_disabled:1;
		unsigned guest_mode:1;
		unsigned passthrough:1;
		unsigned :5;
		unsigned smm:8;
	};
};

struct kvm_mmu_page {
	struct list_head link;
	bool tdp_mmu_page;
	bool unsync;
	u8 mmu_valid_gen;
	union kvm_mmu_page_role role;
	gfn_t gfn;
	u64 *spt;
	u64 *shadowed_translation;
	gfn_t *gfns;
	int root_count;
	refcount_t tdp_mmu_root_count;
	unsigned int unsync_children;
	struct kvm_rmap_head parent_ptes;
};

struct kvm_mmu_memory_cache {
	int gfp_zero;
	int capacity;
	int nobjs;
	void **objects;
};
extern int kvm_mmu_memory_cache_nr_free_objects(struct kvm_mmu_memory_cache *mc);

struct tdp_iter {
	gfn_t next_last_level_gfn;
	gfn_t yielded_gfn;
	u64 *pt_path[PT64_ROOT_MAX_LEVEL];
	u64 *sptep;
	gfn_t gfn;
	int as_id;
	int root_level;
	int min_level;
	int level;
	u64 old_spte;
	bool valid;
	bool yielded;
};

struct kvm_mmu_root_info { u64 pgd; hpa_t hpa; };

struct kvm_mmu {
	unsigned long (*get_guest_pgd)(struct kvm_vcpu *vcpu);
	struct kvm_mmu_root_info root;
	union { u32 as_u32; } cpu_role;
	u8 root_role_level;
	struct kvm_mmu_root_info prev_roots[3];
	u64 pdptrs[4];
};

struct kvm_arch_memory_slot { struct kvm_rmap_head *rmap[3]; };
struct kvm_memory_slot {
	gfn_t base_gfn;
	unsigned long npages;
	unsigned long *dirty_bitmap;
	struct kvm_arch_memory_slot arch;
	unsigned long userspace_addr;
	u32 flags;
	short id;
	u16 as_id;
};

extern u64 *sptep_to_sp_spt(u64 *sptep);
extern struct kvm_mmu_page *sptep_to_sp(u64 *sptep);
extern struct kvm_mmu_page *spte_to_child_sp(u64 spte);
extern bool is_shadow_present_pte(u64 pte);
extern bool is_last_spte(u64 pte, int level);
extern kvm_pfn_t spte_to_pfn(u64 pte);
extern gfn_t kvm_mmu_page_get_gfn(struct kvm_mmu_page *sp, int index);

/* x86 vcpu state */
enum kvm_reg {
	VCPU_REGS_RAX = 0, VCPU_REGS_RCX = 1, VCPU_REGS_RDX = 2,
	VCPU_REGS_RBX = 3, VCPU_REGS_RSP = 4, VCPU_REGS_RBP = 5,
	VCPU_REGS_RSI = 6, VCPU_REGS_RDI = 7, VCPU_REGS_RIP = 16,
	NR_VCPU_REGS = 17,
};

struct kvm_vcpu_arch {
	unsigned long regs[NR_VCPU_REGS];
	u32 regs_avail;
	unsigned long cr0;
	unsigned long cr2;
	unsigned long cr3;
	unsigned long cr4;
	unsigned long cr8;
	u64 efer;
	u64 xcr0;
	u32 hflags;
	u64 pat;
	u64 mcg_cap;
	struct kvm_mmu *mmu;
	struct kvm_mmu root_mmu;
	struct kvm_mmu *walk_mmu;
	struct kvm_mmu_memory_cache mmu_pte_list_desc_cache;
	struct kvm_mmu_memory_cache mmu_shadow_page_cache;
	int cpuid_nent;
};

struct kvm_arch {
	unsigned long n_used_mmu_pages;
	struct list_head active_mmu_pages;
	struct list_head tdp_mmu_roots;
	struct list_head possible_nx_huge_pages;
};

struct kvm {
	spinlock_t mmu_lock;
	struct kvm_arch arch;
	refcount_t users_count;
	bool vm_bugged;
	bool vm_dead;
};

struct kvm_run {
	u8 request_interrupt_window;
	u8 immediate_exit;
	u32 exit_reason;
	u8 ready_for_interrupt_injection;
	u64 cr8;
	struct {
		u64 phys_addr;
		u8 data[8];
		u32 len;
		u8 is_write;
	} mmio;
};

struct kvm_vcpu {
	struct kvm *kvm;
	int cpu;
	int vcpu_id;
	struct kvm_run *run;
	struct kvm_vcpu_arch arch;
};

struct msr_data {
	bool host_initiated;
	u32 index;
	u64 data;
};

struct kvm_regs { u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, rip, rflags; };

/* guest memory, registers, MSRs */
extern int kvm_read_guest(struct kvm *kvm, gpa_t gpa, void *data, unsigned long len);
extern int kvm_vcpu_read_guest(struct kvm_vcpu *vcpu, gpa_t gpa, void *data, unsigned long len);
extern unsigned long kvm_register_read(struct kvm_vcpu *vcpu, int reg);
extern unsigned long kvm_rax_read(struct kvm_vcpu *vcpu);
extern unsigned long kvm_rbx_read(struct kvm_vcpu *vcpu);
extern unsigned long kvm_rcx_read(struct kvm_vcpu *vcpu);
extern unsigned long kvm_rdx_read(struct kvm_vcpu *vcpu);
extern unsigned long kvm_rsi_read(struct kvm_vcpu *vcpu);
extern unsigned long kvm_rip_read(struct kvm_vcpu *vcpu);
extern unsigned long kvm_read_cr0(struct kvm_vcpu *vcpu);
extern unsigned long kvm_read_cr3(struct kvm_vcpu *vcpu);
extern unsigned long kvm_read_cr4(struct kvm_vcpu *vcpu);
extern unsigned long kvm_read_cr4_bits(struct kvm_vcpu *vcpu, unsigned long mask);
extern bool is_long_mode(struct kvm_vcpu *vcpu);
extern bool is_paging(struct kvm_vcpu *vcpu);
extern int kvm_get_msr(struct kvm_vcpu *vcpu, u32 index, u64 *data);
extern unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
extern int __get_user_fn(void *dst, const void __user *ptr, unsigned long size);
/* like arch/x86's __get_user(): a macro; the policy names it */
#define __get_user(x, ptr) \
	__get_user_fn(&(x), (ptr), sizeof(*(ptr)))

/* VMX */
#define VM_EXIT_REASON		0x00004402
#define EXIT_QUALIFICATION	0x00006400
#define VM_EXIT_INTR_INFO	0x00004404
#define GUEST_RIP		0x0000681e
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
extern u32 vmcs_read32(unsigned long field);
extern unsigned long vmcs_readl(unsigned long field);
extern u64 vmcs_read64(unsigned long field);

union vmx_exit_reason {
	struct {
		u32 basic:16;
		u32 reserved16:11;
		u32 failed_vmentry:1;
		u32 reserved28:4;
	};
	u32 full;
};

struct vcpu_vmx {
	struct kvm_vcpu vcpu;
	u8 fail;
	union vmx_exit_reason exit_reason;
	unsigned long exit_qualification;
	u32 exit_intr_info;
	u32 idt_vectoring_info;
	unsigned long rflags;
};

static inline struct vcpu_vmx *to_vmx(struct kvm_vcpu *vcpu)
{
	return container_of(vcpu, struct vcpu_vmx, vcpu);
}

struct vmcs12 {
	u64 io_bitmap_a;
	u64 ept_pointer;
	u64 guest_cr3;
	u32 pin_based_vm_exec_control;
	u32 cpu_based_vm_exec_control;
	u32 vm_exit_reason;
	u32 vm_entry_intr_info_field;
	u16 virtual_processor_id;
	u16 guest_cs_selector;
};
extern struct vmcs12 *get_vmcs12(struct kvm_vcpu *vcpu);

/* SVM */
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_ERR		-1
struct vmcb_control_area {
	u32 intercepts[5];
	u64 tsc_offset;
	u32 asid;
	u32 int_ctl;
	u32 exit_code;
	u32 exit_code_hi;
	u64 exit_info_1;
	u64 exit_info_2;
	u64 next_rip;
};
struct vmcb_save_area {
	u64 efer;
	u64 cr4;
	u64 cr3;
	u64 cr0;
	u64 rip;
	u64 rsp;
	u64 rax;
};
struct vmcb {
	struct vmcb_control_area control;
	struct vmcb_save_area save;
};
struct vcpu_svm {
	struct kvm_vcpu vcpu;
	struct vmcb *vmcb;
	u64 next_rip;
};
static inline struct vcpu_svm *to_svm(struct kvm_vcpu *vcpu)
{
	return container_of(vcpu, struct vcpu_svm, vcpu);
}

/* emulator */
struct operand {
	int type;
	unsigned int bytes;
	unsigned long val;
};
struct x86_emulate_ctxt {
	void *ops;
	unsigned long eflags;
	unsigned long eip;
	int mode;
	u8 modrm;
	u8 modrm_reg;
	u8 b;
	u8 op_bytes;
	u8 ad_bytes;
	struct operand src;
	struct operand dst;
	unsigned long _eip;
};

#endif /* KVMDC_TEST_H */
