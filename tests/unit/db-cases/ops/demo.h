#include "kvmdc-test.h"
struct demo_dev;
struct demo_dev_ops {
	int (*read)(struct demo_dev *dev);
	int (*depth)(struct demo_dev *dev);
};
struct demo_dev {
	const struct demo_dev_ops *ops;
	struct kvm *kvm;
	struct kvm_mmu_page *sp;
	gpa_t gpa;
};
extern const struct demo_dev_ops demo_a_ops, demo_b_ops;
