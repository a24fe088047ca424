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
//  them bounds.  The verdict is kvmdc_bug.py on top of kvmdc_text.py,
//  next to this file: source level, as for KVM_BUG_ON_DATA_CORRUPTION().
// Options: --no-includes --include-headers

virtual context
virtual org
virtual report

@initialize:python@
@@
import os
import sys

# The helpers are found on PYTHONPATH (kvmdc scan sets it: cocci/ and
# kernel-integration/).  make coccicheck exports COCCI, this script's path:
# its directory and the kernel-integration/ beside it are the fallback.
try:
	import kvmdc_bug
except ImportError:
	kvmdc_sp = os.path.abspath(os.environ.get("COCCI", ""))
	if not kvmdc_sp.endswith(".cocci"):
		sys.stderr.write("bug_on_guest.cocci: put kvmdc's cocci/ and "
				 "kernel-integration/ on PYTHONPATH (or set COCCI to this script)\n")
		sys.exit(2)
	sys.path[:0] = [os.path.dirname(kvmdc_sp),
			os.path.join(os.path.dirname(os.path.dirname(kvmdc_sp)), "kernel-integration")]
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
