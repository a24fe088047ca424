/*
 * check-name: header included twice (paging_tmpl.h): one line, two guest sites
 */
#include "kvmdc-test.h"
#define PTTYPE 64
#include "paging_tmpl_guest.h"
#undef PTTYPE

#define PTTYPE 32
#include "paging_tmpl_guest.h"
#undef PTTYPE
