/*
 * check-name: emulator context (decoded guest instruction)
 */
#include "kvmdc-test.h"
int em_check_modrm(struct x86_emulate_ctxt *ctxt, struct kvm *kvm)
{
	if (KVM_BUG_ON_DATA_CORRUPTION(ctxt->modrm_reg > 7 && ctxt->op_bytes == 2, kvm)) /* kvmdc: guest */
		return 1;
	return 0;
}
