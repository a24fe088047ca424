// SPDX-License-Identifier: GPL-2.0-only
/// KVM_BUG_ON_DATA_CORRUPTION() is BUG_ON() when CONFIG_BUG_ON_DATA_CORRUPTION=y.
/// It is meant for corruption of host kernel data structures only; a
/// condition that a guest or the VMM controls (guest memory and PTEs,
/// registers, VM-exit information, nested state, ioctl input) lets one
/// guest panic the host.  Use KVM_BUG_ON(), which kills only the VM.
///
/// Every use is listed with its function and the sources of its condition;
/// guest-contained ones are warnings (report/org/context) and are rewritten
/// to KVM_BUG_ON() in patch mode.  Host-only conditions are left alone.
//
// Confidence: Moderate
// Copyright: (C) 2026 The kvmdc authors.
// Comments: The verdict is decided by kvmdc_verdict.py next to this file from
//  kernel-integration/kvmdc.policy (KVMDC_POLICY overrides), the policy the
//  kvmdc GCC plugin reads.  It is source level: helpers defined in other
//  files are unknown unless the policy names them, parameters are judged by
//  type and name, not by callers in other files.  Functions named with
//  paging_tmpl.h's FNAME() are only parsed with a macro file made of
//  Coccinelle's standard.h followed by cocci/kvmdc-macros.h, passed as
//  SPFLAGS="--macro-file-builtins FILE" (kvmdc scan builds and passes it).
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import os
import sys


def kvmdc_cocci_dir():
	"""This script's directory: kvmdc scan and coccicheck both say it."""
	d = os.environ.get("KVMDC_COCCI_DIR")
	if d:
		return d
	cocci = os.environ.get("COCCI", "")
	if cocci.endswith(".cocci"):
		return os.path.dirname(os.path.abspath(cocci))
	with open("/proc/self/cmdline", "rb") as f:
		args = f.read().decode(errors="replace").split("\0")
	for i, a in enumerate(args[:-1]):
		if a in ("--sp-file", "--cocci-file"):
			return os.path.dirname(os.path.abspath(args[i + 1]))
	return os.path.dirname(os.path.abspath(args[-2]))


sys.path.insert(0, kvmdc_cocci_dir())
import kvmdc_verdict

kvmdc_records = os.environ.get("KVMDC_RECORDS") == "1"
kvmdc_sites = {}


def kvmdc_site(p):
	"""Verdict of the site at position p, computed once per site."""
	key = (p.file, int(p.line), int(p.column))
	if key not in kvmdc_sites:
		kvmdc_sites[key] = kvmdc_verdict.classify(p.file, int(p.line), int(p.column))
	return kvmdc_sites[key]


def kvmdc_message(p, site):
	fn, cond, verdict, sources = site
	fn = kvmdc_verdict.site_function(p, fn)
	if verdict == "guest":
		return ("WARNING: KVM_BUG_ON_DATA_CORRUPTION(%s) in %s() guards a "
			"guest-controlled condition (%s): a guest can BUG() the host, "
			"use KVM_BUG_ON()" % (cond, fn, kvmdc_verdict.describe(sources, "guest")))
	return ("INFO: KVM_BUG_ON_DATA_CORRUPTION(%s) in %s(): %s condition"
		% (cond, fn, verdict))


@site depends on !patch@
expression E, K;
position p;
@@

KVM_BUG_ON_DATA_CORRUPTION@p(E, K)

@script:python depends on report@
p << site.p;
@@

s = kvmdc_site(p[0])
if kvmdc_records:
	print(kvmdc_verdict.record_line(p[0], s))
else:
	coccilib.report.print_report(p[0], kvmdc_message(p[0], s))

@script:python depends on org@
p << site.p;
@@

s = kvmdc_site(p[0])
if s[2] == "guest":
	coccilib.org.print_todo(p[0], kvmdc_message(p[0], s))
else:
	coccilib.org.print_safe_todo(p[0], kvmdc_message(p[0], s))

@guest depends on patch || context@
expression E, K;
position p;
@@

KVM_BUG_ON_DATA_CORRUPTION@p(E, K)

@script:python guest_only depends on patch || context@
p << guest.p;
@@

if kvmdc_site(p[0])[2] != "guest":
	cocci.include_match(False)

// Only the macro name is marked and replaced: the condition may hold
// tokens from a macro expansion (FNAME()) that Coccinelle cannot rewrite.
@depends on context@
position guest.p;
@@

* KVM_BUG_ON_DATA_CORRUPTION@p
  (...)

@depends on patch@
position guest.p;
@@

- KVM_BUG_ON_DATA_CORRUPTION@p
+ KVM_BUG_ON
  (...)
