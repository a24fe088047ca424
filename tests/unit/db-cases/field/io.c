#include "demo.h"

int demo_timer_mmio_write(struct demo_timer *t, gpa_t gpa)
{
	u32 val;

	if (kvm_read_guest(t->kvm, gpa, &val, sizeof(val)))
		return -1;
	t->divide = val;
	return 0;
}

void demo_timer_arm(struct demo_timer *t)
{
	t->armed = 1;
}
