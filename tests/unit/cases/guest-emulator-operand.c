/*
 * check-name: emulator operand value
 */
#include "kvmdc-test.h"
int em_check_src(struct x86_emulate_ctxt *ctxt, struct kvm *kvm)
{
	unsigned long val = ctxt->src.val;

	KVM_BUG_ON_DATA_CORRUPTION(val == 0, kvm); /* kvmdc: guest */
	return 0;
}
