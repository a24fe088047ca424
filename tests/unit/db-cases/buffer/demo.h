#include "kvmdc-test.h"
/* A guest descriptor read into a local buffer and handed on by pointer. */
struct demo_desc {
	u32 limit;
	u32 base;
};
int demo_use_desc(struct kvm *kvm, struct demo_desc *d);
int demo_use_val(struct kvm *kvm, u64 *v);
