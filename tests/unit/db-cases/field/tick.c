#include "demo.h"

void demo_timer_tick(struct demo_timer *t)
{
	/* Stored from guest MMIO data in io.c: guest. */
	KVM_BUG_ON_DATA_CORRUPTION(t->divide > 7, t->kvm); /* kvmdc-db: guest */
	/* Only ever stored with a constant: host. */
	KVM_BUG_ON_DATA_CORRUPTION(t->armed > 1, t->kvm); /* kvmdc-db: host */
}
