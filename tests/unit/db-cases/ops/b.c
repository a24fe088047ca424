#include "demo.h"

/* Binding 2: host state only. */
static int demo_b_read(struct demo_dev *dev)
{
	return dev->sp->unsync_children;
}

static int demo_b_depth(struct demo_dev *dev)
{
	return 4;
}

const struct demo_dev_ops demo_b_ops = {
	.read = demo_b_read,
	.depth = demo_b_depth,
};
