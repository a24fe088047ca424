/*
 * check-name: cond with ||, only the right operand guest
 */
#include "kvmdc-test.h"
void check_sp_gfn(struct kvm *kvm, struct kvm_mmu_page *sp, gfn_t gfn)
{
	KVM_BUG_ON_DATA_CORRUPTION(sp->role.direct || sp->gfns[0] != 0, kvm); /* kvmdc: guest */
}
