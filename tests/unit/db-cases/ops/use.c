#include "demo.h"

int demo_use(struct demo_dev *dev)
{
	/* One of the two bound callees returns guest data: guest. */
	if (KVM_BUG_ON_DATA_CORRUPTION(dev->ops->read(dev) < 0, dev->kvm)) /* kvmdc-db: guest */
		return -1;
	/* Both bound callees return host state: host. */
	if (KVM_BUG_ON_DATA_CORRUPTION(dev->ops->depth(dev) > 5, dev->kvm)) /* kvmdc-db: host */
		return -1;
	return 0;
}
