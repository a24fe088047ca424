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
// Comments: The rules below bind what the verdict needs from Coccinelle's
//  own parse: the site and its condition, the functions, parameters, calls
//  and arguments of the file, the fields read (typed by Coccinelle), the
//  assignments and guest fills that reach each use of a local, the uses a
//  parameter reaches, helpers' return expressions and branch statements.
//  kvmdc_verdict.py (next to this file) combines them and looks every name
//  up in kernel-integration/kvmdc.policy (KVMDC_POLICY overrides), the policy
//  the kvmdc GCC plugin reads.  Python finds this directory through
//  KVMDC_COCCI_DIR, or COCCI (which make coccicheck COCCI=... exports).
//  Field types need the KVM headers: kvmdc scan passes --local-includes
//  --include-headers-for-types --include include/linux/kvm_host.h
//  --include arch/x86/include/asm/kvm_host.h; coccicheck runs without them
//  (Options below, its usual cost) unless SPFLAGS adds them, and then a
//  field whose base type is unknown is judged by the pointer it is read
//  through.  Functions named with paging_tmpl.h's FNAME() are only parsed
//  with a macro file made of Coccinelle's standard.h followed by
//  cocci/kvmdc-macros.h, passed as SPFLAGS="--macro-file-builtins FILE"
//  (kvmdc scan builds and passes it).
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
	"""This script's directory, as the caller says it (no /proc)."""
	d = os.environ.get("KVMDC_COCCI_DIR")
	cocci = os.environ.get("COCCI", "")
	if not d and cocci.endswith(".cocci"):
		d = os.path.dirname(os.path.abspath(cocci))
	if not d or not os.path.exists(os.path.join(d, "kvmdc_verdict.py")):
		sys.stderr.write("kvm_bug_on_data_corruption.cocci: set KVMDC_COCCI_DIR "
				 "to the directory of this script (or COCCI to its path)\n")
		sys.exit(2)
	return d


sys.path.insert(0, kvmdc_cocci_dir())
import kvmdc_verdict as kv

kvmdc_records = os.environ.get("KVMDC_RECORDS") == "1"

// ---- the sites -------------------------------------------------------

@site@
expression E, K;
position p, pe;
@@

KVM_BUG_ON_DATA_CORRUPTION@p(E@pe, K)

@script:python@
p << site.p;
pe << site.pe;
E << site.E;
@@
kv.begin_site(p[0].file).add_site(p, pe, E)

// A use in a wrapper macro's body: its condition is the wrapper's parameter.
@wrapper depends on site@
identifier W;
position site.p;
expression E, K;
@@

#define W(...) <+... KVM_BUG_ON_DATA_CORRUPTION@p(E, K) ...+>

@script:python@
W << wrapper.W;
p << site.p;
@@
kv.facts_for(p[0].file).add_wrapper(p, W)

// ---- the functions of the file, their parameters and the calls --------

@fndef depends on site@
identifier f;
position pf;
@@

f@pf(...) { ... }

@script:python@
f << fndef.f;
pf << fndef.pf;
@@
kv.facts_for(pf[0].file).add_function(f)

@static_fn depends on site@
identifier f;
type T;
position pf;
@@

static T f@pf(...) { ... }

@script:python@
f << static_fn.f;
pf << static_fn.pf;
@@
kv.facts_for(pf[0].file).add_function(f, static=True)

@param depends on site@
identifier f, x;
parameter list[n] ps;
type T;
position pp;
@@

f(ps, T x@pp, ...) { ... }

@script:python@
f << param.f;
x << param.x;
n << param.n;
T << param.T;
pp << param.pp;
@@
kv.facts_for(pp[0].file).add_param(f, n, x, T, pp)

@call depends on site@
identifier f;
position pc;
@@

f@pc(...)

@script:python@
f << call.f;
pc << call.pc;
@@
kv.facts_for(pc[0].file).add_call(f, pc)

// ---- inside the functions a verdict can reach --------------------------
// kv.relevant(): functions with a site, their callers and the helpers they
// call (known once the rules above have run); the others are not looked at.

// Where each call's arguments are: all of them (what a condition does not
// read directly), and one by one for the calls whose arguments are followed
// (same-file functions, and macros that are not calls).
@args depends on site@
identifier f;
expression list es;
position pc : script:python () { kv.relevant(pc[0].current_element) }, pa;
@@

f@pc(es@pa)

@script:python@
pc << args.pc;
pa << args.pa;
@@
kv.facts_for(pc[0].file).add_arg(pc, -1, pa)

@arg depends on site@
identifier f : script:python () { kv.follows_arguments(f) };
expression list[n] es;
expression A;
position pc : script:python () { kv.relevant(pc[0].current_element) }, pa;
@@

f@pc(es, A@pa, ...)

@script:python@
pc << arg.pc;
n << arg.n;
pa << arg.pa;
A << arg.A;
@@
kv.facts_for(pc[0].file).add_arg(pc, n, pa, A)

// A field read, with the type Coccinelle infers for its base.
@typed_ptr_field depends on site@
type T;
T B;
identifier fld;
position pb, pf : script:python () { kv.relevant(pf[0].current_element) };
@@

B@pb->fld@pf

@script:python@
T << typed_ptr_field.T;
fld << typed_ptr_field.fld;
pb << typed_ptr_field.pb;
pf << typed_ptr_field.pf;
@@
kv.facts_for(pf[0].file).add_field(T, fld, pb, pf)

@typed_field depends on site@
type T;
T B;
identifier fld;
position pb, pf : script:python () { kv.relevant(pf[0].current_element) };
@@

B@pb.fld@pf

@script:python@
T << typed_field.T;
fld << typed_field.fld;
pb << typed_field.pb;
pf << typed_field.pf;
@@
kv.facts_for(pf[0].file).add_field(T, fld, pb, pf)

// The same without a type (Coccinelle could not infer it).
@ptr_field depends on site@
expression B;
identifier fld;
position pb, pf : script:python () { kv.relevant(pf[0].current_element) };
@@

B@pb->fld@pf

@script:python@
fld << ptr_field.fld;
pb << ptr_field.pb;
pf << ptr_field.pf;
@@
kv.facts_for(pf[0].file).add_field(None, fld, pb, pf)

@dot_field depends on site@
expression B;
identifier fld;
position pb, pf : script:python () { kv.relevant(pf[0].current_element) };
@@

B@pb.fld@pf

@script:python@
fld << dot_field.fld;
pb << dot_field.pb;
pf << dot_field.pf;
@@
kv.facts_for(pf[0].file).add_field(None, fld, pb, pf)

// What a same-file helper returns.
@ret depends on site@
expression R;
position pr : script:python () { kv.relevant(pr[0].current_element) }, pe;
@@

return@pr R@pe;

@script:python@
pr << ret.pr;
pe << ret.pe;
R << ret.R;
@@
kv.facts_for(pr[0].file).add_return(pr, pe, R)

// Branches: what decides whether a constant condition is reached, and
// which of several assignments reaches a use.
@branch depends on site@
expression C;
expression E1, E3;
statement S1, S2;
position pb : script:python () { kv.relevant(pb[0].current_element) }, pc, ps1, ps2;
@@

(
if@pb (C@pc) S1@ps1 else S2@ps2
|
if@pb (C@pc) S1@ps1
|
while@pb (C@pc) S1@ps1
|
for@pb (E1; C@pc; E3) S1@ps1
|
for@pb (; C@pc; E3) S1@ps1
|
for@pb (E1; C@pc; ) S1@ps1
)

@script:python@
pb << branch.pb;
pc << branch.pc;
C << branch.C;
ps1 << branch.ps1;
ps2 << branch.ps2 = [];
@@
kv.facts_for(pb[0].file).add_branch(pb, pc, [ps1, ps2 or None], C)

// An earlier branch that leaves the block decides whether what follows runs.
@exit_branch depends on site exists@
identifier fn : script:python () { kv.relevant(fn) };
expression C;
identifier L;
position pb;
@@

fn(...) {
... when any
if@pb (C) {
... when any
(
return ...;
|
goto L;
|
break;
|
continue;
)
}
... when any
}

@script:python@
pb << exit_branch.pb;
@@
kv.facts_for(pb[0].file).add_exit(pb)

// Every assignment, flow-insensitively: which variables the verdicts can
// reach (kv.tracked()), so that the control-flow rules below only follow those.
@assign depends on site@
identifier x;
expression R;
position pd : script:python () { kv.relevant(pd[0].current_element) };
@@

x@pd = R

@script:python@
x << assign.x;
pd << assign.pd;
R << assign.R;
@@
kv.facts_for(pd[0].file).add_assign(x, pd, R)

// The assignments (and initialisers) that reach each use of a variable.
@sitefn depends on site exists@
identifier fn;
position site.p;
@@

fn(...) {
... when any
KVM_BUG_ON_DATA_CORRUPTION@p(...)
... when any
}

@value_def exists@
identifier sitefn.fn;
identifier x : script:python () { kv.tracked(x) };
expression R, R2;
position pd, pr, pu;
@@

fn(...) {
... when any
x@pd = R@pr
... when != x = R2
    when != &x
    when any
x@pu
... when any
}

@script:python@
x << value_def.x;
pd << value_def.pd;
pr << value_def.pr;
pu << value_def.pu;
@@
kv.facts_for(pu[0].file).add_value_def(x, pd, pr, pu)

// A local filled by a call: through its address (kvm_read_guest(.., &x, ..))
// or as a macro's first argument (get_user(x, ptr)).
@addr_fill exists@
identifier sitefn.fn;
identifier f;
identifier x : script:python () { kv.tracked(x) };
expression R2;
position pc, pu;
@@

fn(...) {
... when any
f@pc(..., &x, ...)
... when != x = R2
    when != &x
    when any
x@pu
... when any
}

@script:python@
f << addr_fill.f;
x << addr_fill.x;
pc << addr_fill.pc;
pu << addr_fill.pu;
@@
kv.facts_for(pu[0].file).add_fill_def(x, f, pc, pu, True)

@macro_fill exists@
identifier sitefn.fn;
identifier f : script:python () { kv.fills_first_argument(f) };
type T;
idexpression T x;
expression R2;
position pc, pu;
@@

fn(...) {
... when any
f@pc(x, ...)
... when != x = R2
    when != &x
    when any
x@pu
... when any
}

@script:python@
f << macro_fill.f;
x << macro_fill.x;
T << macro_fill.T;
pc << macro_fill.pc;
pu << macro_fill.pu;
@@
# A macro writes its first argument (get_user(x, ptr)); a function cannot,
# and a pointer argument is what a function reads through (kvm_read_cr3(vcpu)).
if "*" not in T:
	kv.facts_for(pu[0].file).add_fill_def(x, f, pc, pu, False)

// The uses a parameter's incoming value reaches.
@param_use exists@
identifier sitefn.fn;
identifier x : script:python () { kv.tracked(x) };
parameter list ps;
type T;
expression R2;
position pu;
@@

fn(ps, T x, ...) {
... when != x = R2
    when != &x
    when any
x@pu
... when any
}

@script:python@
x << param_use.x;
pu << param_use.pu;
@@
kv.facts_for(pu[0].file).add_param_use(x, pu)

// ---- output -------------------------------------------------------------

@script:python depends on report@
p << site.p;
@@
s = kv.facts_for(p[0].file).classify(p)
if kvmdc_records:
	print(kv.record_line(p[0], s))
else:
	coccilib.report.print_report(p[0], kv.message(p[0], s))

@script:python depends on org@
p << site.p;
@@
s = kv.facts_for(p[0].file).classify(p)
if s[1] == "guest":
	coccilib.org.print_todo(p[0], kv.message(p[0], s))
else:
	coccilib.org.print_safe_todo(p[0], kv.message(p[0], s))

@script:python guest_only depends on patch || context@
p << site.p;
@@
if kv.facts_for(p[0].file).classify(p)[1] != "guest":
	cocci.include_match(False)

// Only the macro name is marked and replaced: the condition may hold
// tokens from a macro expansion (FNAME()) that Coccinelle cannot rewrite.
@depends on context@
position site.p;
@@

* KVM_BUG_ON_DATA_CORRUPTION@p
  (...)

@depends on patch@
position site.p;
@@

- KVM_BUG_ON_DATA_CORRUPTION@p
+ KVM_BUG_ON
  (...)
