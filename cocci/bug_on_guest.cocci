// SPDX-License-Identifier: GPL-2.0-only
/// A BUG_ON()/BUG() in KVM that a guest or the VMM can reach panics the
/// host and every VM on it.  BUG_ON(cond) is flagged when cond reads
/// guest- or VMM-controlled data (guest memory and PTEs, registers,
/// VM-exit information, nested state, ioctl input); BUG() when a
/// guest-controlled if/else, switch or loop condition encloses it.
/// Use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE() and return an
/// error.
//
// Confidence: Moderate
// Copyright: (C) 2026 The kvmdc authors.
// Comments: Applies under the policy's bug-scope directories
//  (kernel-integration/kvmdc.policy, KVMDC_POLICY overrides); its bug-allow
//  lines name reviewed sites whose guest-derived condition a check before
//  them bounds.  The verdict is kvmdc_bug.py on top of kvmdc_verdict.py,
//  next to this file: source level, as for KVM_BUG_ON_DATA_CORRUPTION().
// Options: --no-includes --include-headers

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
import kvmdc_bug

kvmdc_records = os.environ.get("KVMDC_RECORDS") == "1"


def kvmdc_emit(p, macro):
	if kvmdc_records:
		line = kvmdc_bug.record_line(p, macro)
		if line:
			print(line)
		return
	msg = kvmdc_bug.message(p, macro)
	if msg:
		coccilib.report.print_report(p, msg)

@bug_on depends on report || org || context@
expression E;
position p;
@@

BUG_ON@p(E)

@bug depends on report || org || context@
position p;
@@

BUG@p()

@script:python depends on report@
p << bug_on.p;
@@

kvmdc_emit(p[0], "BUG_ON")

@script:python depends on report@
p << bug.p;
@@

kvmdc_emit(p[0], "BUG")

@script:python depends on org@
p << bug_on.p;
@@

msg = kvmdc_bug.message(p[0], "BUG_ON")
if msg:
	coccilib.org.print_todo(p[0], msg)

@script:python depends on org@
p << bug.p;
@@

msg = kvmdc_bug.message(p[0], "BUG")
if msg:
	coccilib.org.print_todo(p[0], msg)
