#include "demo.h"

int demo_use_desc(struct kvm *kvm, struct demo_desc *d)
{
	/* d points at guest memory read in read.c: guest. */
	if (KVM_BUG_ON_DATA_CORRUPTION(d->limit < d->base, kvm)) /* kvmdc-db: guest */
		return -1;
	return 0;
}

int demo_use_val(struct kvm *kvm, u64 *v)
{
	/* Every caller's buffer holds host state: host. */
	if (KVM_BUG_ON_DATA_CORRUPTION(*v == 0, kvm)) /* kvmdc-db: host */
		return -1;
	return 0;
}
