#include "demo.h"

void demo_apic_write_icr(struct demo_apic *apic, u32 data)
{
	apic->icr = data;
}

void demo_apic_queue(struct demo_apic *apic)
{
	apic->pending_count++;
}

int demo_apic_msr_write(struct demo_apic *apic, gpa_t gpa)
{
	u32 data;

	if (kvm_read_guest(apic->kvm, gpa, &data, sizeof(data)))
		return -1;
	demo_apic_write_icr(apic, data);
	return 0;
}
