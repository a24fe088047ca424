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
///
/// With -D bug_on_guest (make coccicheck SPFLAGS="-D bug_on_guest"), the
/// check is rule bug-on-guest instead: a plain BUG_ON()/BUG() that a guest
/// or the VMM can reach panics the host and every VM on it.  BUG_ON(cond)
/// is flagged when cond is guest-controlled; BUG() when a guest-controlled
/// if/else, loop or switch condition decides whether it runs (the branch
/// line is named).  Use KVM_BUG_ON() (kills only the VM) or WARN_ON_ONCE()
/// and return an error.  Modes report, org and context (no patch: the fix
/// needs an error path); only the policy's bug-scope directories, and its
/// bug-allow lines name reviewed sites that a check before them bounds.
//
// Confidence: Moderate
// Copyright: (C) 2026 The kvmdc authors.
// Comments: The rules below bind what the verdict needs from Coccinelle's
//  own parse, in the functions a verdict can reach only: the functions that
//  hold a site, the same-file helpers they call (two levels) and the
//  functions that call them (one level up).  There they bind the calls and
//  their arguments, the fields read (typed by Coccinelle where it can), the
//  assignments and guest fills that reach each use of a variable (`...`
//  with `when !=`), the uses a parameter's incoming value reaches, the
//  helpers' return expressions and the branch statements.  kvmdc_verdict.py
//  (next to this file) only combines these facts by their positions and
//  looks every name up in kernel-integration/kvmdc.policy (KVMDC_POLICY
//  overrides), the policy the kvmdc GCC plugin reads.  Python finds its
//  helpers on PYTHONPATH, or beside COCCI (which make coccicheck
//  COCCI=... exports).  Field types of nested members (vcpu->arch.regs)
//  need the KVM headers: kvmdc scan adds --include-headers-for-types
//  --include include/linux/kvm_host.h --include
//  arch/x86/include/asm/kvm_host.h; without them such a field is judged by
//  the pointer it is read through.  Functions named with paging_tmpl.h's
//  FNAME() are only parsed with a macro file made of Coccinelle's
//  standard.h followed by cocci/kvmdc-macros.h, passed as
//  SPFLAGS="--macro-file-builtins FILE" (kvmdc scan builds and passes it).
//  Both checks are in this one file because they read the same facts and
//  spatch 1.1.1 cannot share rules between files usably: SmPL's
//  `#include "facts.cocci"` works only before the first rule and opens
//  the name relative to spatch's working directory (the kernel tree under
//  coccicheck), not the script's.  The site rule below matches the macro,
//  BUG_ON() and BUG(); a constraint keeps the ones this run judges.
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report
virtual bug_on_guest
virtual summary

@initialize:python@
@@
import os
import sys

# The helpers are found on PYTHONPATH (kvmdc scan sets it: cocci/ and
# kernel-integration/).  make coccicheck exports COCCI, this script's path:
# its directory and the kernel-integration/ beside it are the fallback.
try:
	import kvmdc_verdict as kv
	import kvmdc_bug
except ImportError:
	kvmdc_sp = os.path.abspath(os.environ.get("COCCI", ""))
	if not kvmdc_sp.endswith(".cocci"):
		sys.stderr.write("kvm_bug_on_data_corruption.cocci: put kvmdc's cocci/ and "
				 "kernel-integration/ on PYTHONPATH (or set COCCI to this script)\n")
		sys.exit(2)
	sys.path[:0] = [os.path.dirname(kvmdc_sp),
			os.path.join(os.path.dirname(os.path.dirname(kvmdc_sp)), "kernel-integration")]
	import kvmdc_verdict as kv
	import kvmdc_bug

kvmdc_records = os.environ.get("KVMDC_RECORDS") == "1"

// ---- the sites, their functions, and the functions a verdict reaches ----

// -D bug_on_guest: the sites are the plain BUG_ON()s and BUG()s instead.
@script:python depends on bug_on_guest@
@@
kv.select_sites(kvmdc_bug.MACROS)

@site@
expression E, K;
position p, pe;
position pm : script:python () { kv.wants("KVM_BUG_ON_DATA_CORRUPTION") };
position pb : script:python () { kv.wants("BUG_ON") };
position pg : script:python () { kv.wants("BUG") };
@@

(
KVM_BUG_ON_DATA_CORRUPTION@p@pm(E@pe, K)
|
BUG_ON@p@pb(E@pe)
|
BUG@p@pg()
)

@script:python sitefn@
p << site.p;
pe << site.pe = [];
E << site.E = "";
fn;
@@
kv.begin_site(p[0].file).add_site(p, pe, E)
coccinelle.fn = cocci.make_ident(p[0].current_element)

// Summary mode (-D summary, kvmdc's header pass): every function of the
// files given is in scope, and what each returns is printed
// (kv.print_summaries() at the end), its parameters kept symbolic.
@summary_fn depends on summary@
identifier fn;
position pf;
@@

fn@pf(...) { ... }

@script:python@
fn << summary_fn.fn;
pf << summary_fn.pf;
@@
kv.facts_for(pf[0].file).add_summary_function(fn, pf)

// A use in a wrapper macro's body: its condition is the wrapper's parameter.
@wrapper@
identifier W;
position site.p;
expression E, K;
@@

#define W(...) <+... \( KVM_BUG_ON_DATA_CORRUPTION@p(E, K) \| BUG_ON@p(E) \| BUG@p() \) ...+>

@script:python@
W << wrapper.W;
p << site.p;
@@
kv.facts_for(p[0].file).add_wrapper(p, W)

// The helpers whose value a site can read: those called in its condition
// or in a value assigned in its function (their bodies, if in this file,
// are read below), then those called in what these helpers return or
// initialise a local with.  Other
// calls (vcpu_enter_guest() in vcpu_run()) are not followed: reading every
// callee of a large function costs more than it decides.
@callee exists@
identifier sitefn.fn;
expression E1;
identifier x, g;
position site.p;
@@

fn(...) { <...
(
x = <+... g(...) ...+>
|
E1 = <+... g(...) ...+>
|
g(..., &x, ...)
|
KVM_BUG_ON_DATA_CORRUPTION@p(<+... g(...) ...+>, ...)
|
BUG_ON@p(<+... g(...) ...+>)
)
...> }

@script:python@
g << callee.g;
@@
kv.facts_for().add_scope(g, 1)

@callee2 depends on site@
type T;
identifier x, g;
position p : script:python () { kv.in_scope(p[0].current_element, 1) };
@@

(
return@p <+... g(...) ...+>;
|
T x@p = <+... g(...) ...+>;
)

@script:python@
g << callee2.g;
@@
kv.facts_for().add_scope(g, 2)

@caller@
identifier sitefn.fn;
position pc;
@@

fn@pc(...)

@script:python@
pc << caller.pc;
@@
kv.facts_for().add_scope(pc[0].current_element, kv.CALLER)

// ---- inside those functions: definitions, calls, fields, returns -------

@fndef depends on site || summary_fn@
identifier fn : script:python () { kv.in_scope(fn) };
position pf;
@@

fn@pf(...) { ... }

@script:python@
fn << fndef.fn;
pf << fndef.pf;
@@
kv.facts_for(pf[0].file).add_function(fn)

@static_fn depends on site || summary_fn@
identifier fn : script:python () { kv.in_scope(fn) };
type T;
position pf;
@@

static T fn@pf(...) { ... }

@script:python@
fn << static_fn.fn;
@@
kv.facts_for().add_function(fn, static=True)

// The type a function returns: several returns of a value (not a
// pointer) make the conditions that choose between them part of it.
@rettype depends on site || summary_fn@
identifier fn : script:python () { kv.in_scope(fn) };
type T;
@@

T fn(...) { ... }

@script:python@
fn << rettype.fn;
T << rettype.T;
@@
kv.facts_for().add_return_type(fn, T)

@param depends on site || summary_fn@
identifier fn : script:python () { kv.in_scope(fn) };
identifier x;
parameter list[n] ps;
type T;
position pp;
@@

fn(ps, T x@pp, ...) { ... }

@script:python@
fn << param.fn;
x << param.x;
n << param.n;
T << param.T;
pp << param.pp;
@@
kv.facts_for(pp[0].file).add_param(fn, n, x, T, pp)

// Every call, with where all its arguments are (what a condition does not
// read directly); and one by one for the calls whose arguments are
// followed (same-file functions, and macros that are not calls).
@call depends on site || summary_fn@
identifier g;
expression list es;
position pc, pa;
@@

g@pc(es@pa)

@script:python@
g << call.g;
pc << call.pc;
pa << call.pa;
@@
for c, a in kv.each(pc, pa):
	kv.facts_for().add_call(g, c)
	kv.facts_for().add_arg(c, -1, a)

// The arguments one by one, for the calls whose arguments are followed.
@arg depends on site || summary_fn@
identifier g : script:python () { kv.follows_arguments(g) };
expression list[n] es;
expression A;
position pc : script:python () { kv.in_scope(pc[0].current_element) }, pa;
@@

g@pc(es, A@pa, ...)

@script:python@
pc << arg.pc;
n << arg.n;
pa << arg.pa;
A << arg.A;
@@
for c, a in kv.each(pc, pa):
	kv.facts_for().add_arg(c, n, a, A)

// Calls through a function pointer field (ctxt->ops->get_cr(ctxt, 0)),
// with their arguments one by one: what the bound functions return is the
// database's (I STRUCT.FIELD).
@fcall depends on site || summary_fn@
expression E;
identifier fld;
position pf : script:python () { kv.in_scope(pf[0].current_element) };
@@

(
E->fld@pf(...)
|
E.fld@pf(...)
)

@script:python@
pf << fcall.pf;
@@
for f in pf:
	kv.facts_for().add_indirect(f, -1, None)

@fcall_arg depends on fcall@
expression E, A;
identifier fld;
expression list[n] es;
position fcall.pf, pa;
@@

(
E->fld@pf(es, A@pa, ...)
|
E.fld@pf(es, A@pa, ...)
)

@script:python@
pf << fcall.pf;
n << fcall_arg.n;
pa << fcall_arg.pa;
@@
for f, a in kv.each(pf, pa):
	kv.facts_for().add_indirect(f, n, a)

// The arguments of a call through a static call macro
// (kvm_x86_call(get_cpl)(vcpu)).
@static_arg depends on site || summary_fn@
identifier m : script:python () { kv.is_static_call(m) };
expression F, A;
expression list[n] es;
position pm : script:python () { kv.in_scope(pm[0].current_element) }, pa;
@@

m@pm(F)(es, A@pa, ...)

@script:python@
pm << static_arg.pm;
n << static_arg.n;
pa << static_arg.pa;
@@
for m, a in kv.each(pm, pa):
	kv.facts_for().add_static_arg(m, n, a)

// A field read, with the type Coccinelle infers for its base, then
// without (Coccinelle could not infer it).  One rule for each operator:
// a match does not look inside itself (vcpu->arch.regs is two reads).
@typed_ptr_field depends on site || summary_fn@
type T;
T B;
identifier fld;
position pb : script:python () { kv.in_scope(pb[0].current_element) }, pf;
@@

B@pb->fld@pf

@script:python@
T << typed_ptr_field.T;
fld << typed_ptr_field.fld;
pb << typed_ptr_field.pb;
pf << typed_ptr_field.pf;
@@
for b, f in kv.each(pb, pf):
	kv.facts_for().add_field(T, fld, b, f)

@typed_dot_field depends on site || summary_fn@
type T;
T B;
identifier fld;
position pb : script:python () { kv.in_scope(pb[0].current_element) }, pf;
@@

B@pb.fld@pf

@script:python@
T << typed_dot_field.T;
fld << typed_dot_field.fld;
pb << typed_dot_field.pb;
pf << typed_dot_field.pf;
@@
for b, f in kv.each(pb, pf):
	kv.facts_for().add_field(T, fld, b, f)

@ptr_field depends on site || summary_fn@
expression B;
identifier fld;
position pb : script:python () { kv.in_scope(pb[0].current_element) }, pf;
@@

B@pb->fld@pf

@script:python@
fld << ptr_field.fld;
pb << ptr_field.pb;
pf << ptr_field.pf;
@@
for b, f in kv.each(pb, pf):
	kv.facts_for().add_field(None, fld, b, f)

@dot_field depends on site || summary_fn@
expression B;
identifier fld;
position pb : script:python () { kv.in_scope(pb[0].current_element) }, pf;
@@

B@pb.fld@pf

@script:python@
fld << dot_field.fld;
pb << dot_field.pb;
pf << dot_field.pf;
@@
for b, f in kv.each(pb, pf):
	kv.facts_for().add_field(None, fld, b, f)

// An address taken (&vmx->nested.vmcs02): the fields in it are not read,
// the value is where the innermost base points.
@addr depends on site || summary_fn@
expression E;
position pe : script:python () { kv.in_scope(pe[0].current_element) };
@@

 (&E@pe)

@script:python@
pe << addr.pe;
@@
for e in pe:
	kv.facts_for().add_address(e)

// What a same-file helper returns.
@ret depends on site || summary_fn@
expression R;
position pr : script:python () { kv.in_scope(pr[0].current_element) }, pe;
@@

return@pr R@pe;

@script:python@
pr << ret.pr;
pe << ret.pe;
R << ret.R;
@@
for r, e in kv.each(pr, pe):
	kv.facts_for().add_return(r, e, R)

// Branches: what decides whether a constant condition is reached, and
// which of several definitions reaches a use (a loop body also runs after
// itself; do-while is not matched: spatch 1.1.1 does not support it in a
// disjunction, so its body counts as straight-line code).
@branch depends on site || summary_fn@
expression C;
expression E1, E3;
statement S1, S2;
position pb : script:python () { kv.in_scope(pb[0].current_element) }, pc, ps1, ps2, pl;
@@

(
if@pb (C@pc) S1@ps1 else S2@ps2
|
if@pb (C@pc) S1@ps1
|
while@pb@pl (C@pc) S1@ps1
|
for@pb@pl (E1; C@pc; E3) S1@ps1
|
for@pb@pl (; C@pc; E3) S1@ps1
|
for@pb@pl (E1; C@pc; ) S1@ps1
)

@script:python@
pb << branch.pb;
pc << branch.pc;
C << branch.C;
ps1 << branch.ps1;
ps2 << branch.ps2 = [];
pl << branch.pl = [];
@@
if ps2:
	for b, c, s1, s2 in kv.each(pb, pc, ps1, ps2):
		kv.facts_for().add_branch(b, c, [s1, s2], C)
else:
	for b, c, s1 in kv.each(pb, pc, ps1):
		kv.facts_for().add_branch(b, c, [s1], C, loop=bool(pl))

// A switch: its expression decides which statements of its body run.
// spatch 1.1.1 matches a switch by its case lines (`switch (C) { ... }`
// does not parse): the statements under its `case ...:` lines, then those
// under its default.  A GNU range label (case 1 ... 3:) is not a `case
// ...:` line: the statements under it are not seen as the switch's.
@switch_case depends on site || summary_fn@
expression C;
statement S;
position pc : script:python () { kv.in_scope(pc[0].current_element) }, ps;
@@

switch (C@pc) { case ...: <... S@ps ...> }

@script:python@
pc << switch_case.pc;
ps << switch_case.ps = [];
C << switch_case.C;
@@
kv.facts_for().add_switch(pc, ps, C)

@switch_default depends on site || summary_fn@
expression C;
statement S;
position pc : script:python () { kv.in_scope(pc[0].current_element) }, ps;
@@

switch (C@pc) { default: <... S@ps ...> }

@script:python@
pc << switch_default.pc;
ps << switch_default.ps = [];
C << switch_default.C;
@@
kv.facts_for().add_switch(pc, ps, C)

// Statements that leave a block: an earlier branch holding one decides
// whether what follows it runs.
@exit depends on site || summary_fn@
identifier L;
position pe : script:python () { kv.in_scope(pe[0].current_element, 0) };
@@

(
return@pe ...;
|
goto@pe L;
|
break@pe;
|
continue@pe;
)

@script:python@
pe << exit.pe;
@@
for e in pe:
	kv.facts_for().add_exit(e)

// Every assignment (and initialiser), flow-insensitively, with where its
// value is: which variables a verdict can reach (kv.tracked()) and, by
// their order and the branches around them, which definitions reach a use
// (FileFacts.reaching(): no control-flow `...` over whole functions, which
// costs minutes in walk_addr_generic()).
@assign depends on site || summary_fn@
identifier x;
expression R;
position pd : script:python () { kv.in_scope(pd[0].current_element) }, pr;
@@

x@pd = R@pr

@script:python@
x << assign.x;
pd << assign.pd;
pr << assign.pr;
R << assign.R;
@@
for d, r in kv.each(pd, pr):
	kv.facts_for().add_assign(x, d, r, R)

// Definitions without `=`: a call that fills a variable through its
// address (kvm_read_guest(.., &x, ..)), or a guest macro that writes its
// first argument (get_user(x, ptr)).
@fill depends on site || summary_fn@
identifier x : script:python () { kv.tracked(x) };
identifier f;
identifier g : script:python () { kv.fills_first_argument(g) };
position pa : script:python () { kv.in_scope(pa[0].current_element) }, pm;
@@

(
f@pa(..., &x, ...)
|
g@pm(x, ...)
)

@script:python@
x << fill.x;
pa << fill.pa = [];
pm << fill.pm = [];
@@
facts = kv.facts_for()
for a in pa:
	facts.add_fill(x, facts.callee_at(a), a, True)
for m in pm:
	facts.add_fill(x, facts.callee_at(m), m, False)

// Every use of a variable a verdict can reach.
@use depends on site || summary_fn@
identifier x : script:python () { kv.tracked(x) };
position pu : script:python () { kv.in_scope(pu[0].current_element) };
@@

x@pu

@script:python@
x << use.x;
pu << use.pu;
@@
for u in pu:
	kv.facts_for().add_use(x, u)

// ---- output -------------------------------------------------------------

@script:python depends on report && !bug_on_guest@
p << site.p;
E << site.E;
@@
s = kv.facts_for(p[0].file).classify(p)
if kvmdc_records:
	print(kv.record_line(p[0], s, E))
else:
	coccilib.report.print_report(p[0], kv.message(p[0], s, E))

@script:python depends on org && !bug_on_guest@
p << site.p;
E << site.E;
@@
s = kv.facts_for(p[0].file).classify(p)
if s[1] == "guest":
	coccilib.org.print_todo(p[0], kv.message(p[0], s, E))
else:
	coccilib.org.print_safe_todo(p[0], kv.message(p[0], s, E))

@script:python guest_only depends on (patch || context) && !bug_on_guest@
p << site.p;
@@
if kv.facts_for(p[0].file).classify(p)[1] != "guest":
	cocci.include_match(False)

// Only the macro name is marked and replaced: the condition may hold
// tokens from a macro expansion (FNAME()) that Coccinelle cannot rewrite.
@depends on context && !bug_on_guest@
position site.p;
@@

* KVM_BUG_ON_DATA_CORRUPTION@p
  (...)

@depends on patch && !bug_on_guest@
position site.p;
@@

- KVM_BUG_ON_DATA_CORRUPTION@p
+ KVM_BUG_ON
  (...)

// Rule bug-on-guest (-D bug_on_guest): sites out of the policy's
// bug-scope are not reported; no automatic rewrite (the fix needs an
// error path).
@script:python depends on report && bug_on_guest@
p << site.p;
E << site.E = "";
@@
r = kvmdc_bug.verdict(kv.facts_for(p[0].file), p, E)
if r and kvmdc_records:
	print(kvmdc_bug.record_line(r))
elif r:
	coccilib.report.print_report(p[0], kvmdc_bug.message(r))

@script:python depends on org && bug_on_guest@
p << site.p;
E << site.E = "";
@@
r = kvmdc_bug.verdict(kv.facts_for(p[0].file), p, E)
if r and r.get("rule"):
	coccilib.org.print_todo(p[0], kvmdc_bug.message(r))
elif r:
	coccilib.org.print_safe_todo(p[0], kvmdc_bug.message(r))

@script:python bug_guest_only depends on context && bug_on_guest@
p << site.p;
E << site.E = "";
@@
r = kvmdc_bug.verdict(kv.facts_for(p[0].file), p, E)
if not (r and r.get("rule")):
	cocci.include_match(False)

@depends on context && bug_on_guest@
position site.p;
@@

(
* BUG_ON@p(...)
|
* BUG@p()
)

@finalize:python@
@@
kv.print_summaries()
