#include "kvmdc-test.h"
/* A device whose register the guest programs through MMIO (io.c). */
struct demo_timer {
	u32 divide;	/* written by the guest (MMIO) */
	u32 armed;	/* written by KVM only */
	struct kvm *kvm;
};
int demo_timer_mmio_write(struct demo_timer *t, gpa_t gpa);
void demo_timer_arm(struct demo_timer *t);
