#include "demo.h"

int demo_check_range(u64 value)
{
	return value > 0xfff;
}

/* A parameter whose callers are in another file (use.c passes guest data). */
void demo_check_param(u64 value, struct kvm *kvm)
{
	KVM_BUG_ON_DATA_CORRUPTION(value == 3, kvm); /* kvmdc-db: guest */
}
