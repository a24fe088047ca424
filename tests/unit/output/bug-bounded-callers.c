#include "kvmdc-test.h"

#define MSR_CR0_FIXED0	0x486
#define MSR_CR4_FIXED0	0x488

struct fixed_msrs {
	u64 cr0_fixed0;
	u64 cr4_fixed0;
};

static struct fixed_msrs host_msrs, vcpu_msrs;

/* 6.12's vmx_get_fixed0_msr(): its callers pass only the MSRs it handles. */
static u64 *get_fixed0_msr(struct fixed_msrs *msrs, u32 index)
{
	switch (index) {
	case MSR_CR0_FIXED0:
		return &msrs->cr0_fixed0;
	case MSR_CR4_FIXED0:
		return &msrs->cr4_fixed0;
	default:
		BUG();
	}
}

static int restore_fixed0_msr(u32 index, u64 data)
{
	if (data & ~*get_fixed0_msr(&host_msrs, index))
		return -1;
	*get_fixed0_msr(&vcpu_msrs, index) = data;
	return 0;
}

int set_vmx_msr(struct kvm_vcpu *vcpu, u64 data)
{
	u32 index = vmcs_read32(0x4402);

	switch (index) {
	case MSR_CR0_FIXED0:
	case MSR_CR4_FIXED0:
		return restore_fixed0_msr(index, data);
	default:
		return -1;
	}
}

/* The same switch, but its caller lets any guest value from 0x486 up through. */
static u64 *get_fixed0_msr_open(struct fixed_msrs *msrs, u32 index)
{
	switch (index) {
	case MSR_CR0_FIXED0:
		return &msrs->cr0_fixed0;
	case MSR_CR4_FIXED0:
		return &msrs->cr4_fixed0;
	default:
		BUG();
	}
}

u64 read_fixed0_msr(struct kvm_vcpu *vcpu)
{
	u32 index = vmcs_read32(0x4402);

	if (index < MSR_CR0_FIXED0)
		return 0;
	return *get_fixed0_msr_open(&vcpu_msrs, index);
}

/* An if/else-if chain whose callers pass a guest size already tested to be 1 or 2. */
static int width_of(u32 size)
{
	if (size == 1)
		return 8;
	else if (size == 2)
		return 16;
	BUG();
}

int guest_width(struct kvm_vcpu *vcpu)
{
	u32 size = vmcs_read32(0x440c);

	if (size == 1 || size == 2)
		return width_of(size);
	return 0;
}

/* The same chain; this caller passes 1, 2 or 4, and 4 reaches BUG(). */
static int width_of_open(u32 size)
{
	if (size == 1)
		return 8;
	else if (size == 2)
		return 16;
	BUG();
}

int guest_width_open(struct kvm_vcpu *vcpu)
{
	u32 size = vmcs_read32(0x440c);

	if (size == 1 || size == 2 || size == 4)
		return width_of_open(size);
	return 0;
}

/* Signed range tests (folded to "(unsigned)x + 5 <= 4"): both ranges handled. */
static int sign_class(int x)
{
	switch (x) {
	case -5 ... -1:
		return -1;
	case 3 ... 9:
		return 1;
	default:
		BUG();
	}
}

int guest_sign_class(struct kvm_vcpu *vcpu)
{
	int v = (int)vmcs_read32(0x4400);

	if (v >= -5 && v <= -1)
		return sign_class(v);
	if (v > 2 && v < 10)
		return sign_class(v);
	return 0;
}

/* The same switch; this caller lets 10 through. */
static int sign_class_open(int x)
{
	switch (x) {
	case -5 ... -1:
		return -1;
	case 3 ... 9:
		return 1;
	default:
		BUG();
	}
}

int guest_sign_class_open(struct kvm_vcpu *vcpu)
{
	int v = (int)vmcs_read32(0x4400);

	if (v >= -5 && v <= -1)
		return sign_class_open(v);
	if (v > 2 && v <= 10)
		return sign_class_open(v);
	return 0;
}

/*
 * check-name: BUG() in a switch default or after an if/else-if chain on a
 * parameter: not flagged when every caller passes a value the branches
 * handle (a case, == or range test that dominates the call), flagged when
 * one caller lets an unhandled guest value through
 *
 * check-output-start
arch/x86/kvm/bug-bounded-callers.c:56:3: warning: BUG() in get_fixed0_msr_open() is reached through a guest-controlled branch (line 50): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:48: note: guest source: parameter 'index' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:62: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-bounded-callers.c:95:2: warning: BUG() in width_of_open() is reached through a guest-controlled branch (line 93): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:89: note: guest source: parameter 'size' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:100: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-bounded-callers.c:140:3: warning: BUG() in sign_class_open() is reached through a guest-controlled branch (line 134): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:132: note: guest source: parameter 'x' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:146: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
 * check-output-end
 *
 * check-output-start cocci -- the source-level engine follows a parameter to the values the file's callers pass, not to the case labels and tests that dominate each call: every BUG() whose callers pass a guest value is flagged, bounded or not
arch/x86/kvm/bug-bounded-callers.c:22:3: warning: BUG() in get_fixed0_msr() is reached through a guest-controlled branch (line 16): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:14: note: guest source: parameter 'index' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:26: note: guest source: parameter 'index' (guest-chosen index)
arch/x86/kvm/bug-bounded-callers.c:56:3: warning: BUG() in get_fixed0_msr_open() is reached through a guest-controlled branch (line 50): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:48: note: guest source: parameter 'index' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:62: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-bounded-callers.c:76:2: warning: BUG() in width_of() is reached through a guest-controlled branch (line 72): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:70: note: guest source: parameter 'size' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:81: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-bounded-callers.c:95:2: warning: BUG() in width_of_open() is reached through a guest-controlled branch (line 91): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:89: note: guest source: parameter 'size' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:100: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-bounded-callers.c:116:3: warning: BUG() in sign_class() is reached through a guest-controlled branch (line 110): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:108: note: guest source: parameter 'x' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:122: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
arch/x86/kvm/bug-bounded-callers.c:140:3: warning: BUG() in sign_class_open() is reached through a guest-controlled branch (line 134): a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an error [kvmdc:bug-on-guest]
arch/x86/kvm/bug-bounded-callers.c:132: note: guest source: parameter 'x' (a caller in this file passes a guest-controlled value)
arch/x86/kvm/bug-bounded-callers.c:146: note: guest source: function 'vmcs_read32' (VMCS field (guest state or exit information))
 * check-output-end
 */
