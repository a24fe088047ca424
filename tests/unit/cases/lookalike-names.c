/*
 * check-name: identifiers that look like the macro are not sites
 */
#include "kvmdc-test.h"
struct kvm_stat_check { int KVM_BUG_ON_DATA_CORRUPTION_count; };

static const char *const macro_name = "KVM_BUG_ON_DATA_CORRUPTION";

int count_uses(struct kvm_stat_check *s, struct kvm *kvm, int x)
{
	/* KVM_BUG_ON_DATA_CORRUPTION(x, kvm) in a comment */
	s->KVM_BUG_ON_DATA_CORRUPTION_count++;
	WARN_ON_ONCE(x > 3);
	BUG_ON(x == 7 && kvm->vm_dead);
	return macro_name[0] + KVM_BUG_ON(x, kvm);
}
