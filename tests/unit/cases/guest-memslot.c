/*
 * check-name: VMM memslot configuration (base_gfn, npages)
 */
#include "kvmdc-test.h"
void slot_check(struct kvm *kvm, struct kvm_memory_slot *slot)
{
	KVM_BUG_ON_DATA_CORRUPTION(slot->base_gfn + slot->npages < slot->base_gfn, kvm); /* kvmdc: guest */
}
