#include "kvmdc-test.h"
/*
 * A struct that mixes guest-written fields and KVM's own bookkeeping (the
 * kvm_lapic pattern): the counter is host, the register is guest.
 */
struct demo_apic {
	u32 icr;		/* guest register (MSR write) */
	int pending_count;	/* KVM's counter */
	struct kvm *kvm;
};
void demo_apic_write_icr(struct demo_apic *apic, u32 data);
void demo_apic_queue(struct demo_apic *apic);
