/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What Coccinelle cannot type from the files it reads, declared with the
 * type the compiler gives it.  kvmdc passes this file with
 * --include-headers-for-types (from coccicheck: SPFLAGS="--include-headers-for-types
 * --include /path/to/kvmdc-types.h").
 *
 * current: asm/current.h's macro for get_current(), the task running this
 * code, a struct task_struct * (the policy's host-type task_struct).
 */
struct task_struct *current;
