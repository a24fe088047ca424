/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Macros Coccinelle must expand to parse KVM sources: paging_tmpl.h names
 * its functions FNAME(x).  kvmdc scan appends this to Coccinelle's
 * standard.h and passes the result as --macro-file-builtins (a plain
 * --macro-file does not reach function names).
 */
#define FNAME(name) paging64_##name
