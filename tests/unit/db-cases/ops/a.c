#include "demo.h"

/* Binding 1: reads guest memory. */
static int demo_a_read(struct demo_dev *dev)
{
	int v;

	kvm_read_guest(dev->kvm, 0x1000, &v, sizeof(v));
	return v;
}

static int demo_a_depth(struct demo_dev *dev)
{
	return dev->sp->root_count;
}

const struct demo_dev_ops demo_a_ops = {
	.read = demo_a_read,
	.depth = demo_a_depth,
};
