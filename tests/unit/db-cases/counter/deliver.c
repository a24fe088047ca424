#include "demo.h"

void demo_apic_deliver(struct demo_apic *apic)
{
	/* KVM's own counter, incremented only by KVM: host. */
	KVM_BUG_ON_DATA_CORRUPTION(apic->pending_count < 0, apic->kvm); /* kvmdc-db: host */
	/* Written from the guest's MSR data through a helper in regs.c: guest. */
	KVM_BUG_ON_DATA_CORRUPTION(apic->icr & 0x80000000, apic->kvm); /* kvmdc-db: guest */
	demo_apic_queue(apic);
}
