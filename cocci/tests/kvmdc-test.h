/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of KVM for the Coccinelle engine's own fixtures: the struct
 * layouts it reads member types from.  Coccinelle needs no macro body.
 */
#ifndef KVMDC_COCCI_TEST_H
#define KVMDC_COCCI_TEST_H

typedef unsigned long long u64;
typedef u64 gpa_t;
struct kvm { int vm_bugged; };
struct kvm_rmap_head { unsigned long val; };
struct pte_list_desc { int spte_count; u64 *sptes[14]; };
struct kvm_vcpu_arch { unsigned long cr4; unsigned long regs[16]; };
struct kvm_vcpu { struct kvm *kvm; struct kvm_vcpu_arch arch; };
struct kvm_run { int exit_reason; };
struct vmcs12 { unsigned int guest_cr0; };

unsigned long kvm_rax_read(struct kvm_vcpu *vcpu);
int kvm_read_guest(struct kvm *kvm, gpa_t gpa, void *data, unsigned long len);
#endif
