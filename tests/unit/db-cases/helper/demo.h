#include "kvmdc-test.h"
/* Defined in check.c, used by use.c: the verdict depends on the argument. */
int demo_check_range(u64 value);
void demo_check_param(u64 value, struct kvm *kvm);
