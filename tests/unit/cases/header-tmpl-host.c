/*
 * check-name: header included three times (paging_tmpl.h): one line, three host sites
 */
#include "kvmdc-test.h"
#define PTTYPE 64
#include "paging_tmpl_host.h"
#undef PTTYPE

#define PTTYPE 32
#include "paging_tmpl_host.h"
#undef PTTYPE

#define PTTYPE 5
#include "paging_tmpl_host.h"
#undef PTTYPE
