# SPDX-License-Identifier: GPL-2.0
"""Verdicts of the Coccinelle engine, from the facts its SmPL rules bind.

The semantic patch (kvm_bug_on_data_corruption.cocci) does all the reading
of C: it binds every site and its condition, the functions of the file and
their parameters, the calls and their arguments, the fields read (with the
type Coccinelle infers for their base), the assignments and guest fills that
reach each use of a local (control-flow `...` with `when !=`), the uses a
parameter reaches, the return expressions of same-file helpers and the
branch statements.  Each fact is a name with Coccinelle positions; the
script rules hand them to a FileFacts.

This module only combines those facts: the reads of a condition are the
facts whose positions lie inside it, a helper's return is read with its
parameters bound to the call's arguments, a parameter by what the file's
callers pass, and every name is looked up in the policy (the one the GCC
plugin reads).  It never opens a C file except through kvmdc_lib.ctext for
the condition text that allow entries compare.

API for rules built on this engine:
    facts = kvmdc_verdict.facts_for(path)       # after the fact rules ran
    function, verdict, sources = facts.classify(site_pos, cond_pos)
    kvmdc_verdict.verdict_of(sources), kvmdc_verdict.describe(sources, cls)
"""
import json
import os
import sys

try:
    from kvmdc_lib import MACRO, ctext, policy as policy_mod
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "kernel-integration"))
    from kvmdc_lib import MACRO, ctext, policy as policy_mod

MAX_CALL_DEPTH = 3          # helpers and callers followed, each way (as the plugin)
# Callers are looked at one level up only: the control-flow rules cost
# time per function, and a level further up rarely decides a verdict.
CALLER_DEPTH = int(os.environ.get("KVMDC_CALLER_DEPTH", "1"))
HELPER_DEPTH = int(os.environ.get("KVMDC_HELPER_DEPTH", "2"))
# Calls that are not calls: the compiler sees through them.
# Macros whose value is their first argument's truth (the rest is not read).
CONDITION_MACROS = {"KVM_BUG_ON", "KVM_BUG_ON_DATA_CORRUPTION", "WARN_ON", "WARN_ON_ONCE",
                    "WARN", "WARN_ONCE", "BUG_ON"}
TRANSPARENT = {"likely", "unlikely", "READ_ONCE", "WRITE_ONCE", "__builtin_expect",
               "sizeof", "typeof", "__typeof__"}

_policy = None
_facts = None


def get_policy():
    global _policy
    if _policy is None:
        _policy = policy_mod.load(os.environ.get("KVMDC_POLICY") or None)
    return _policy


def span(pos):
    """(file, line, col, line_end, col_end) of a Coccinelle position."""
    p = pos[0] if isinstance(pos, (list, tuple)) else pos
    return (p.file, int(p.line), int(p.column), int(p.line_end), int(p.column_end))


def inside(inner, outer):
    return inner[0] == outer[0] and (outer[1], outer[2]) <= (inner[1], inner[2]) and \
        (inner[3], inner[4]) <= (outer[3], outer[4])


def before(a, b):
    return a[0] == b[0] and a[1:3] < b[1:3]


def struct_name(ctype):
    """kvm_vcpu from 'const struct kvm_vcpu *' (the tag the policy names)."""
    words = [w for w in str(ctype).replace("*", " ").split("[")[0].split()
             if w not in ("const", "volatile", "struct", "union", "enum", "__rcu")]
    return words[-1] if words else None


def source(kind, name, cls, why, path, line):
    return {"kind": kind, "name": name, "class": cls, "why": why,
            "file": path, "line": line}


def relevant(fn):
    """Constraint of the expensive rules: can a verdict of this file reach FN?"""
    return _facts is not None and _facts.relevant(fn)


def fills_first_argument(name):
    """get_user(x, ptr) style: a guest macro that writes its first argument."""
    entry = get_policy().func(name)
    return bool(entry) and entry.prov == "guest"


def tracked(name):
    """Constraint of the control-flow rules: a variable a verdict can reach."""
    return _facts is not None and _facts.tracked(name)


def names(expr):
    """The identifiers of an expression, from Coccinelle's own tokens (its
    printed form separates every token by a space)."""
    return {t for t in str(expr).split() if t[:1].isalpha() or t[:1] == "_"}


def follows_arguments(name):
    """Calls whose arguments a verdict reads one by one: same-file functions
    (parameters bound to arguments) and macros that are not calls."""
    return name in CONDITION_MACROS or name in TRANSPARENT or name.isupper() or \
        (_facts is not None and name in _facts.functions)


def facts_for(path=None):
    """The facts of the file spatch is working on.  spatch handles one file
    at a time, all rules in order, and the site rule comes first: a site
    seen after the previous file's verdicts starts a new file.  Facts in
    the headers it reads (static inlines) belong to the file too; PATH is
    only a name for it."""
    global _facts
    if _facts is None:
        _facts = FileFacts(path)
    return _facts


def begin_site(path):
    """Called for each site: the facts of a new file start from nothing."""
    global _facts
    if _facts is None or _facts.closed:
        _facts = FileFacts(path)
    return _facts


class FileFacts:
    """What the SmPL rules bound in one file.  Spans are (l, c, le, ce)."""

    def __init__(self, path):
        self.path = path
        self.sites = {}         # macro name span -> (condition span, function)
        self.functions = {}     # name -> {"params": {index: (name, type, line)}, "static"}
        self.calls = {}         # callee name span -> (callee, function)
        self.args = {}          # callee name span -> {index: argument span, -1: all}
        self.fields = {}        # field name span -> (base type, field, base span)
        self.uses = {}          # (variable, span) -> [definition]
        self.returns = {}       # function -> [return expression span]
        self.branches = []      # (function, condition span, [body spans], if span)
        self.exits = set()      # if spans of branches that leave the block
        self.wrappers = {}      # site span -> wrapper macro whose body holds it
        self._relevant = None
        self._tracked = None
        self.names = {}         # what tracked() starts from and follows, by name:
        #   ("site", fn) / ("assign", fn, var) / ("return", fn) / ("arg", call, i) / ("branch", fn)
        self._cache = {}
        self.closed = False     # verdicts given: the next site is another file

    # ---- facts, as the script rules hand them over ----

    def add_site(self, p, cond, expr=""):
        self.sites[span(p)] = (span(cond), p[0].current_element)
        self._names(("site", p[0].current_element), expr)

    def _names(self, key, expr):
        self.names.setdefault(key, set()).update(names(expr))
        self._tracked = None

    def add_assign(self, var, pd, expr):
        self._names(("assign", pd[0].current_element, var), expr)

    def add_function(self, fn, static=False):
        f = self.functions.setdefault(fn, {"params": {}, "static": False})
        f["static"] |= static

    def add_param(self, fn, index, name, ctype, p):
        self.add_function(fn)
        self.functions[fn]["params"][int(index)] = (name, str(ctype), span(p))

    def add_call(self, callee, p):
        self.calls[span(p)] = (callee, p[0].current_element)
        self._relevant = None

    def add_arg(self, pc, index, pa, expr=""):
        self.args.setdefault(span(pc), {})[int(index)] = span(pa)
        if int(index) >= 0:
            self._names(("arg", span(pc), int(index)), expr)

    def add_field(self, ctype, field, pb, pf):
        old = self.fields.get(span(pf))
        if ctype is None and old:
            return      # the typed rule already gave it
        self.fields[span(pf)] = (struct_name(ctype) if ctype else None, field, span(pb))

    def add_value_def(self, var, pd, rhs, pu):
        self._def(var, pu, ("value", span(rhs)))

    def add_fill_def(self, var, callee, pc, pu, by_address):
        self._def(var, pu, ("filled", callee, span(pc), by_address))

    def add_param_use(self, var, pu):
        self._def(var, pu, ("parameter", pu[0].current_element))

    def _def(self, var, pu, d):
        defs = self.uses.setdefault((var, span(pu)), [])
        if d not in defs:
            defs.append(d)

    def add_return(self, pr, expr, text=""):
        self.returns.setdefault(pr[0].current_element, []).append(span(expr))
        self._names(("return", pr[0].current_element), text)

    def add_branch(self, pb, cond, bodies, text=""):
        self.branches.append((pb[0].current_element, span(cond),
                              [span(b) for b in bodies if b], span(pb)))
        self._names(("branch", pb[0].current_element), text)

    def add_wrapper(self, p, name):
        self.wrappers[span(p)] = name

    def add_exit(self, pb):
        self.exits.add(span(pb))

    # ---- which functions the expensive rules look at ----

    def relevant(self, fn):
        """Functions a verdict can reach: those with a site, their callers
        (up to MAX_CALL_DEPTH) and every same-file helper they call."""
        if self._relevant is None:
            self._relevant = self._reach()
        return fn in self._relevant

    def _reach(self):
        """The site's functions, the helpers they call (HELPER_DEPTH
        levels down) and their callers (CALLER_DEPTH levels up); the helpers
        a caller's arguments call are not followed."""
        callees, callers = {}, {}
        for callee, fn in self.calls.values():
            if callee in self.functions:
                callees.setdefault(fn, set()).add(callee)
                callers.setdefault(callee, set()).add(fn)
        up = {fn: 0 for _, fn in self.sites.values()}
        todo = list(up)
        while todo:
            fn = todo.pop()
            for c in callers.get(fn, ()):
                if up[fn] < CALLER_DEPTH and up.get(c, MAX_CALL_DEPTH + 1) > up[fn] + 1:
                    up[c] = up[fn] + 1
                    todo.append(c)
        # Helpers: those the site's functions call, and the helpers they call.
        reach = {fn: 0 for _, fn in self.sites.values()}
        todo = list(reach)
        while todo:
            fn = todo.pop()
            for c in callees.get(fn, ()):
                if reach[fn] < HELPER_DEPTH and reach.get(c, MAX_CALL_DEPTH + 1) > reach[fn] + 1:
                    reach[c] = reach[fn] + 1
                    todo.append(c)
        reach.update((fn, d) for fn, d in up.items() if fn not in reach)
        if os.environ.get("KVMDC_DEBUG"):
            sys.stderr.write("kvmdc: %d functions followed: %s\n" % (len(reach), sorted(reach)))
        return set(reach)

    def tracked(self, var):
        """Can a verdict read VAR?  By name, flow-insensitively: the names of
        the site conditions and branch conditions of their functions, then of
        what is assigned to those names, what the helpers named there return,
        and what the callers pass for parameters among them."""
        if self._tracked is None:
            self._tracked = self._track()
        return var in self._tracked

    def _track(self):
        params = {fn: [p[0] for _, p in sorted(f["params"].items())]
                  for fn, f in self.functions.items()}
        calls = {}
        for c, (callee, fn) in self.calls.items():
            calls.setdefault(callee, []).append(c)
        work = [(key[1], n) for key, ns in self.names.items()
                if key[0] in ("site", "branch") for n in ns]
        seen = set()
        while work:
            fn, n = work.pop()
            if (fn, n) in seen:
                continue
            seen.add((fn, n))
            more = [(fn, m) for m in self.names.get(("assign", fn, n), ())]
            if n in self.functions:         # a helper: what it returns
                more += [(n, m) for m in self.names.get(("return", n), ())]
            if n in params.get(fn, ()):     # a parameter: what callers pass
                i = params[fn].index(n)
                more += [(self.calls[c][1], m) for c in calls.get(fn, ())
                         for m in self.names.get(("arg", c, i), ())]
            work += more
        return {n for _, n in seen}

    # ---- verdicts ----

    def classify(self, site_pos, cond_pos=None):
        """(function, verdict, sources) of the site whose macro name is at
        SITE_POS (condition at COND_POS, default: the site's own)."""
        self.closed = True
        key = span(site_pos)
        fn = site_pos[0].current_element
        cond = span(cond_pos) if cond_pos else self.sites[key][0]
        if key in self.wrappers:
            return self.wrapper_site(key)
        if (key, cond) not in self._cache:
            tracer = Tracer(self, get_policy())
            found = tracer.owner(cond, fn, (), 0)
            if all(s["class"] == "constant" for s in found):
                for c in self.reaching_conditions(fn, key):
                    found += tracer.owner(c, fn, (), 0)
            found = dedup(found) or [source("constant", "constant", "constant",
                                             "constant", key[0], key[1])]
            self._cache[(key, cond)] = (fn, verdict_of(found), found)
        return self._cache[(key, cond)]

    def wrapper_site(self, key):
        """A use in a #define body: Coccinelle does not expand the wrapper's
        uses, so the condition is only the wrapper's parameter."""
        name = self.wrappers[key]
        return name, "unknown", [source(
            "unknown", "parameter of %s()" % name, "unknown",
            "use in the body of wrapper macro %s(): its uses are not expanded at "
            "source level" % name, key[0], key[1])]

    def reaching_conditions(self, fn, at):
        """Conditions deciding whether AT runs: the branches whose body holds
        it, and the nearest earlier branch that leaves the block."""
        conds = [c for f, c, bodies, _ in self.branches
                 if f == fn and any(inside(at, b) for b in bodies)]
        exits = [(c, bodies) for f, c, bodies, pb in self.branches
                 if f == fn and pb in self.exits and before(c, at)
                 and not any(inside(at, b) for b in bodies)]
        if exits:
            conds.append(max(exits)[0])
        return conds


class Tracer:
    """Sources of expression spans, through the facts of one file."""

    def __init__(self, facts, pol):
        self.f, self.pol = facts, pol
        self.active = set()

    @staticmethod
    def src(kind, name, entry_or_cls, why, at):
        """A source written at span AT, classified by a policy entry or a class."""
        if hasattr(entry_or_cls, "prov"):
            return source(kind, name, entry_or_cls.prov, entry_or_cls.why, at[0], at[1])
        return source(kind, name, entry_or_cls, why, at[0], at[1])

    def owner(self, sp, fn, ctx, depth):
        """Sources of the expression spanning SP in function FN; CTX is the
        stack of helper calls that bind FN's parameters."""
        key = (sp, fn, ctx)
        if key in self.active:
            return []
        self.active.add(key)
        try:
            return self._owner(sp, fn, ctx, depth)
        finally:
            self.active.discard(key)

    def _owner(self, sp, fn, ctx, depth):
        f = self.f
        calls = [(c, callee) for c, (callee, cfn) in f.calls.items() if inside(c, sp)]
        hidden = [f.args[c][-1] for c, _ in calls if -1 in f.args.get(c, {})]
        fields = [(pf, v) for pf, v in f.fields.items()
                  if inside(pf, sp) and not any(inside(pf, a) for a in hidden)]
        hidden += [v[2] for _, v in fields]

        def direct(s):
            return not any(inside(s, h) for h in hidden)
        out = []
        for pf, v in fields:
            if direct(pf):
                out += self.field(pf, v, fn, ctx, depth)
        for c, callee in calls:
            if direct(c):
                out += self.call(c, callee, fn, ctx, depth)
        for (var, us), defs in f.uses.items():
            if inside(us, sp) and direct(us):
                out += self.variable(var, us, defs, fn, ctx, depth)
        return out

    def field(self, pf, v, fn, ctx, depth):
        struct, name, base = v
        while True:
            entry = struct and (self.pol.field(struct, name) or self.pol.type(struct))
            if entry:
                return [self.src("field", "%s.%s" % (struct, name), entry, None, pf)]
            inner = [(q, w) for q, w in self.f.fields.items()
                     if w[2][:3] + q[3:] == base]
            if not inner:
                break
            pf, (struct, name, base) = inner[0]
        # The policy is silent: the value is what the base pointer holds.
        found = self.owner(base, fn, ctx, depth)
        return found or [self.src("field", "%s.%s" % (struct or "?", name), "unknown",
                                  "struct type not in the policy", pf)]

    def call(self, c, callee, fn, ctx, depth):
        entry = self.pol.func(callee)
        if entry and entry.prov == "host":
            found = self.host_helper(c, callee, fn, ctx, depth)
            if found:
                return found
        if entry:
            return [self.src("function", callee, entry, None, c)]
        args = self.f.args.get(c, {})
        if callee in CONDITION_MACROS:
            return self.owner(args[0], fn, ctx, depth) if 0 in args else []
        if callee in TRANSPARENT or (callee.isupper() and callee not in self.f.functions):
            out = []
            for i, a in args.items():
                if i >= 0:
                    out += self.owner(a, fn, ctx, depth)
            return out
        rets = self.f.returns.get(callee)
        if callee in self.f.functions and rets and depth < MAX_CALL_DEPTH:
            out = []
            for r in rets:
                out += self.owner(r, callee, ctx + (c,), depth + 1)
            return out
        return [self.src("function", callee, "unknown",
                         "not in the policy, body not in this file", c)]

    def host_helper(self, c, callee, fn, ctx, depth):
        """A same-file helper the policy also calls host (kvm_rmap_lock()):
        its body names what it returns (kvm_rmap_head.val), which is what
        allow entries match.  Used only when the body is all host; else the
        policy's word stands (a guest-func entry is a root, never looked
        through)."""
        rets = self.f.returns.get(callee)
        if callee not in self.f.functions or not rets or depth >= MAX_CALL_DEPTH:
            return None
        found = []
        for r in rets:
            found += self.owner(r, callee, ctx + (c,), depth + 1)
        if not found or verdict_of(found) != "host" or \
           all(s["class"] == "constant" for s in found):
            return None
        return found

    def variable(self, var, us, defs, fn, ctx, depth):
        out, values = [], [d for d in defs if d[0] != "parameter"]
        for d in defs:
            if d[0] == "value":
                out += self.owner(d[1], fn, ctx, depth)
            elif d[0] == "filled":
                out += self.filled(d, fn, ctx, depth)
            else:
                out += self.parameter(var, fn, ctx, depth)
        if len(defs) > 1:
            # Which definition reaches is decided by the branches around them.
            for d in values:
                at = d[1] if d[0] == "value" else d[2]
                for f, c, bodies, _ in self.f.branches:
                    if f == fn and any(inside(at, b) for b in bodies) and \
                       not any(inside(us, b) for b in bodies):
                        out += self.owner(c, fn, ctx, depth)
        return out

    def filled(self, d, fn, ctx, depth):
        _, callee, c, by_address = d
        entry = self.pol.func(callee)
        if entry:
            return [self.src("function", callee, entry, None, c)]
        if not by_address:
            return []
        return self.call(c, callee, fn, ctx, depth)

    def parameter(self, var, fn, ctx, depth):
        info = self.f.functions.get(fn, {"params": {}, "static": False})
        idx = [i for i, p in info["params"].items() if p[0] == var]
        if not idx:
            return []
        i, (_, ctype, at) = idx[0], info["params"][idx[0]]
        if ctx:
            arg = self.f.args.get(ctx[-1], {}).get(i)
            caller = self.f.calls[ctx[-1]][1]
            if arg:
                return self.owner(arg, caller, ctx[:-1], depth)
        found, complete = [], info["static"] and depth < MAX_CALL_DEPTH
        callers = [c for c, (callee, cfn) in self.f.calls.items() if callee == fn]
        complete &= bool(callers)
        for c in callers if depth < MAX_CALL_DEPTH else ():
            arg = self.f.args.get(c, {}).get(i)
            if arg is None:
                complete = False
                continue
            found += self.owner(arg, self.f.calls[c][1], (), depth + 1)
        hit = self.pol.param(var)
        classes = {s["class"] for s in found}
        if "guest" in classes:
            cls, why = "guest", "a caller in this file passes a guest-controlled value"
            found = [s for s in found if s["class"] == "guest"]
        elif complete and found and classes <= {"host", "constant"}:
            cls, why = "host", "every caller in this file passes host state"
        elif hit:
            cls, why, found = hit.prov, hit.why, []
        else:
            cls, why, found = "unknown", "callers not all visible, name not in the policy", []
        return [self.src("parameter", var, cls, why, at)] + found


def dedup(sources):
    out = []
    for s in sources:
        if s not in out:
            out.append(s)
    return out


def verdict_of(sources):
    classes = {s["class"] for s in sources}
    if "guest" in classes:
        return "guest"
    return "unknown" if "unknown" in classes else "host"


def describe(sources, cls):
    return ", ".join("%s %s (%s)" % (s["kind"], s["name"], s["why"])
                     for s in sources if s["class"] == cls)


def condition(path, line, col):
    """The site's condition text (kvmdc_lib.ctext: the one definition)."""
    text = ctext.read(path)
    return ctext.condition_text(text, line, col) if text is not None else ""


def record_line(p, site):
    """One `kvmdc-record: {json}` line for kvmdc scan (col: 1-based bytes)."""
    fn, verdict, sources = site
    line, col = int(p.line), int(p.column) + 1
    rec = {"file": p.file, "line": line, "col": col, "function": fn,
           "macro": MACRO, "verdict": verdict,
           "condition": condition(p.file, line, col),
           "sources": [s for s in sources if s["class"] != "constant"] or sources,
           "engine": "cocci"}
    if verdict == "guest":
        rec["rule"] = "guest-condition"
    return "kvmdc-record: " + json.dumps(rec)


def message(p, site):
    """The report/org line of a site."""
    fn, verdict, sources = site
    cond = condition(p.file, int(p.line), int(p.column) + 1)
    if verdict == "guest":
        return ("WARNING: KVM_BUG_ON_DATA_CORRUPTION(%s) in %s() guards a "
                "guest-controlled condition (%s): a guest can BUG() the host, "
                "use KVM_BUG_ON()" % (cond, fn, describe(sources, "guest")))
    return "INFO: KVM_BUG_ON_DATA_CORRUPTION(%s) in %s(): %s condition" % (cond, fn, verdict)
