# SPDX-License-Identifier: GPL-2.0
"""Verdicts of the Coccinelle engine, from the facts its SmPL rules bind.

The semantic patch (kvm_bug_on_data_corruption.cocci) does all the reading
of C: it binds every site and its condition, the functions of the file and
their parameters, the calls and their arguments, the fields read (with the
type Coccinelle infers for their base), the addresses taken, every
assignment and guest fill with its value, every use of a variable a
verdict can reach, the return expressions of same-file helpers, the branch
and loop statements with their bodies and the statements that leave a
block.  Each fact is a name with Coccinelle positions; the script rules
hand them to a FileFacts.  Which definitions reach a use is decided here
from their order and the bodies around them (FileFacts.reaching()).

This module only combines those facts: the reads of a condition are the
facts whose positions lie inside it, a helper's return is read with its
parameters bound to the call's arguments, a parameter by what the file's
callers pass, and every name is looked up in the policy (the one the GCC
plugin reads).  A helper the file does not define is read through its
summary from the header pass (the same rules, -D summary, over the KVM
headers: print_summaries()), and with the tree's provenance database
(KVMDC_DB) fields, callees, parameters, ops-field and static calls are
what the plugin's db= decides.  It never opens a C file.

API for rules built on this engine:
    facts = kvmdc_verdict.facts_for(path)       # after the fact rules ran
    function, verdict, sources = facts.classify(site_pos, cond_pos)
    kvmdc_verdict.verdict_of(sources), kvmdc_verdict.describe(sources, cls)
"""
import json
import os
import sys

from kvmdc_lib import MACRO, policy as policy_mod

MAX_CALL_DEPTH = 3          # helpers and callers followed, each way (as the plugin)
CALLER = 3                  # scope depth of a caller: its own callees are not read
# Calls that are not calls: the compiler sees through them.
# Macros whose value is their first argument's truth (the rest is not read).
CONDITION_MACROS = {"KVM_BUG_ON", "KVM_BUG_ON_DATA_CORRUPTION", "WARN_ON", "WARN_ON_ONCE",
                    "WARN", "WARN_ONCE", "BUG_ON"}
TRANSPARENT = {"likely", "unlikely", "READ_ONCE", "WRITE_ONCE", "__builtin_expect",
               "sizeof", "typeof", "__typeof__"}
# Macros whose value is what their first argument points at.
LOAD_OF_FIRST = {"smp_load_acquire"}
# Macros that call through a static call key: the key is the prefix and
# the argument (kvm_x86_call(get_cpl) is static_call(kvm_x86_get_cpl)).
STATIC_CALLS = {"kvm_x86_call": "kvm_x86_", "kvm_pmu_call": "kvm_x86_pmu_", "static_call": ""}
# Macros that read a per-CPU kernel variable, their first argument: host
# kernel data, as any global variable (the plugin's "global" source).
PER_CPU = {"per_cpu", "this_cpu_read", "__this_cpu_read", "raw_cpu_read", "per_cpu_ptr",
           "this_cpu_ptr", "raw_cpu_ptr"}
# Macros that assign to their first argument (uaccess.h).
FILLS_FIRST = {"get_user", "__get_user", "unsafe_get_user"}
# Macros whose value is where their first argument points: container_of()
# moves a pointer within the object it points into (to_vmx(vcpu)), which
# the compiler sees as pointer arithmetic on the argument.
POINTER_OF_FIRST = {"container_of", "container_of_const"}

CONSTANT_NAMES = {"true", "false", "NULL"}

# The macros whose uses are this run's sites: the semantic patch's -D
# bug_on_guest selects kvmdc_bug.MACROS instead.
SITE_MACROS = {MACRO}

_policy = None
_facts = None
_summaries = None
_database = None
SUMMARY = "kvmdc-summary: "


def select_sites(macros):
    SITE_MACROS.clear()
    SITE_MACROS.update(macros)


def wants(macro):
    """Constraint of the site rule: is MACRO's use a site of this run?"""
    return macro in SITE_MACROS


def get_policy():
    global _policy
    if _policy is None:
        _policy = policy_mod.load(os.environ.get("KVMDC_POLICY") or None)
    return _policy


def one(pos):
    """A Coccinelle position, given alone or as a (one-element) list."""
    return pos[0] if isinstance(pos, (list, tuple)) else pos


def element(pos):
    """The function (top-level element) a position is in."""
    return one(pos).current_element


def each(*lists):
    """Matches inside one `<... ...>` that bind the same names share one
    environment, their positions gathered in lists: the Nth element of
    each list belongs to the Nth match (all are ordered in the text)."""
    ordered = [sorted(l, key=lambda q: (q.file, int(q.line), int(q.column))) for l in lists]
    return zip(*ordered)


def span(pos):
    """(file, line, col, line_end, col_end) of a Coccinelle position."""
    p = one(pos)
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


def in_scope(fn, depth=None):
    """Constraint of the rules that read function bodies: can a verdict of
    this file reach FN (within DEPTH helper levels of a site's function)?"""
    return _facts is not None and not _facts.closed and _facts.in_scope(fn, depth)


def fills_first_argument(name):
    """get_user(x, ptr): a uaccess macro assigns what it reads to its first
    argument (a function cannot: kvm_rip_read(vcpu) leaves vcpu alone);
    what it reads is the policy's word."""
    entry = get_policy().func(name)
    return name in FILLS_FIRST and bool(entry) and entry.prov == "guest"


def tracked(name):
    """Constraint of the control-flow rules: a variable a verdict can reach."""
    return _facts is not None and _facts.tracked(name)


def names(expr):
    """The identifiers of an expression, from Coccinelle's own tokens (its
    printed form separates every token by a space)."""
    return {t for t in str(expr).split() if t[:1].isalpha() or t[:1] == "_"}


def follows_arguments(name):
    """Calls whose arguments a verdict reads one by one: same-file functions
    (parameters bound to arguments), helpers of the KVM headers (their
    summaries name the parameters they return) and macros that are not
    calls."""
    return name in CONDITION_MACROS or name in TRANSPARENT or name in POINTER_OF_FIRST or \
        name in LOAD_OF_FIRST or name in STATIC_CALLS or name in PER_CPU or name.isupper() or \
        (_facts is not None and name in _facts.functions) or name in summaries()


def summaries():
    """{helper: summary} of the static inlines of the tree's KVM headers,
    as the header pass (-D summary) printed them: kvmdc points
    KVMDC_SUMMARIES at the file it keeps them in.  Empty without it."""
    global _summaries
    if _summaries is None:
        _summaries = {}
        path = os.environ.get("KVMDC_SUMMARIES")
        if path:
            with open(path, encoding="utf-8") as f:
                _summaries = json.load(f)
    return _summaries


def database():
    """{(KIND, KEY): (class, params)} of the tree's provenance database
    (kvmdc_lib.provdb.read_export(), what the plugin's db= reads), when
    kvmdc found a usable one and set KVMDC_DB; else empty."""
    global _database
    if _database is None:
        _database = {}
        path = os.environ.get("KVMDC_DB")
        if path:
            from kvmdc_lib import provdb
            _database = provdb.read_export(path)
    return _database


def is_static_call(name):
    return name in STATIC_CALLS


def print_summaries():
    """Summary mode: one `kvmdc-summary: {json}` line per function of the
    files given that returns a value: the sources of what it returns that
    are not its parameters, and the indexes of the parameters that reach
    it (bound to a call's arguments where it is used)."""
    if _facts is None or not _facts.summary:
        return
    for fn, summ in sorted(_facts.summaries().items()):
        print(SUMMARY + json.dumps(dict(summ, fn=fn)))


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
        self.uses = None        # (variable, span) -> [definition]; see reaching()
        self.defs = {}          # (function, variable) -> [(end span, definition)]
        self.var_uses = []      # (variable, use span)
        self.returns = {}       # function -> [return expression span]
        self.branches = []      # (function, condition span, [body spans], if span, loop)
        self.switches = set()   # condition spans of the branches that are switches
        self.exits = []         # return/goto/break/continue spans
        self.wrappers = {}      # site span -> wrapper macro whose body holds it
        self.addresses = []     # spans of expressions whose address is taken
        self.by_value = set()   # field spans read from a struct (not a pointer) base
        self.returns_pointer = {}   # function -> whether its type is a pointer
        self.indirect = {}      # field span called (ops->f(...)) -> {index: argument span}
        self.static_args = {}   # static call macro span -> {index: argument of the call}
        self.scope = {}         # function -> helper depth (0: holds a site)
        self._tracked = None
        self.names = {}         # what tracked() starts from and follows, by name:
        #   ("site", fn) / ("assign", fn, var) / ("return", fn) / ("arg", call, i) / ("branch", fn)
        self._cache = {}
        self.closed = False     # verdicts given: the next site is another file
        self.summary = False    # summary mode: every function, for what it returns
        self.defined_at = {}    # summary mode: function -> (file, line)

    # ---- facts, as the script rules hand them over ----

    def add_site(self, p, cond, expr=""):
        """A site at P; COND is its condition's position (none for BUG())."""
        self.sites[span(p)] = (span(cond) if cond else None, element(p))
        self.scope[element(p)] = 0
        self._names(("site", element(p)), expr)

    def _names(self, key, expr):
        self.names.setdefault(key, set()).update(names(expr))
        self._tracked = None

    def add_assign(self, var, pd, pr, expr):
        self._names(("assign", element(pd), var), expr)
        self._add_def(var, pd, span(pr), ("value", span(pr)))

    def add_fill(self, var, callee, pc, by_address):
        self._add_def(var, pc, span(pc), ("filled", callee, span(pc), by_address))

    def _add_def(self, var, p, end, d):
        """D defines VAR at P; its value exists once END (its value's span)
        has been evaluated."""
        defs = self.defs.setdefault((element(p), var), [])
        if (end, d) not in defs:
            defs.append((end, d))
            self.uses = None

    def add_use(self, var, pu):
        self.var_uses.append((var, span(pu), element(pu)))
        self.uses = None

    def add_function(self, fn, static=False):
        f = self.functions.setdefault(fn, {"params": {}, "static": False})
        f["static"] |= static

    def add_summary_function(self, fn, pf):
        self.summary = True
        self.add_function(fn)
        self.defined_at.setdefault(fn, span(pf)[:2])
        self.scope[fn] = 0
        self._tracked = None

    def summaries(self):
        """{function: {"file", "line", "params", "sources"}} of the
        functions that return a value, their parameters symbolic."""
        out = {}
        tracer = Tracer(self, get_policy(), symbolic=True)
        for fn in sorted(self.returns):
            if fn not in self.defined_at:
                continue
            found = tracer.returned(fn, (), 0)
            params = sorted({s["index"] for s in found if s["class"] == "param"})
            out[fn] = {"file": self.defined_at[fn][0], "line": self.defined_at[fn][1],
                       "params": params,
                       "sources": dedup([s for s in found if s["class"] != "param"])}
        return out

    def add_param(self, fn, index, name, ctype, p):
        self.add_function(fn)
        self.functions[fn]["params"][int(index)] = (name, str(ctype), span(p))

    def add_call(self, callee, p):
        self.calls[span(p)] = (callee, element(p))

    def callee_at(self, pc):
        return self.calls[span(pc)][0]

    def add_arg(self, pc, index, pa, expr=""):
        self.args.setdefault(span(pc), {})[int(index)] = span(pa)
        if int(index) >= 0:
            self._names(("arg", span(pc), int(index)), expr)

    def add_field(self, ctype, field, pb, pf):
        old = self.fields.get(span(pf))
        if ctype is None and old:
            return      # the typed rule already gave it
        self.fields[span(pf)] = (struct_name(ctype) if ctype else None, field, span(pb))
        if ctype and "*" not in str(ctype):
            self.by_value.add(span(pf))

    def add_return_type(self, fn, ctype):
        self.returns_pointer[fn] = "*" in str(ctype)

    def add_indirect(self, pf, index, pa):
        """The field at PF is called; PA is its argument INDEX (-1: none)."""
        args = self.indirect.setdefault(span(pf), {})
        if int(index) >= 0:
            args[int(index)] = span(pa)

    def add_static_arg(self, pm, index, pa):
        self.static_args.setdefault(span(pm), {})[int(index)] = span(pa)

    def unit(self):
        """The source this file is, as the database names units."""
        return os.path.normpath(self.path or "")

    # ---- which definitions reach a use ----

    def reaching(self):
        """{(variable, use span): [definition]}: for each use, the
        definitions whose value is computed before it in the text, nearest
        first, up to the first that dominates it (every branch body around
        that definition also holds the use: no path reaches the use past
        it), the incoming value of a parameter when none does, and the
        definitions after it in a loop body that also holds it.  Structured
        code only: a goto back or a fall-through between switch cases is
        not followed."""
        if self.uses is not None:
            return self.uses
        self.uses = {}
        by_fn = {}
        for f, _, bs, _, loop in self.branches:
            by_fn.setdefault(f, []).extend((b, loop) for b in bs)
        for var, u, fn in self.var_uses:
            defs = sorted(self.defs.get((fn, var), []))
            bodies = by_fn.get(fn, [])
            around = [b for b, _ in bodies if inside(u, b)]
            found, dominated = [], False
            for end, d in reversed([x for x in defs if x[0][0] == u[0] and x[0][3:5] <= u[1:3]]):
                found.append(d)
                if all(b in around for b, _ in bodies if inside(end, b)):
                    dominated = True
                    break
            if not dominated and var in self._params(fn):
                found.append(("parameter", fn))
            loops = [b for b, loop in bodies if loop and inside(u, b)]
            found += [d for end, d in defs if end[3:5] > u[1:3] and d not in found and
                      any(inside(end, b) for b in loops)]
            if found:
                self.uses[(var, u)] = found
        return self.uses

    def _params(self, fn):
        return {p[0] for p in self.functions.get(fn, {"params": {}})["params"].values()}

    def add_return(self, pr, expr, text=""):
        self.returns.setdefault(element(pr), []).append(span(expr))
        self._names(("return", element(pr)), text)

    def add_branch(self, pb, cond, bodies, text="", loop=False):
        self.branches.append((element(pb), span(cond),
                              [span(b) for b in bodies if b], span(pb), loop))
        self.uses = None
        self._names(("branch", element(pb)), text)

    def add_switch(self, pcs, stmts, text=""):
        """A switch on the expression at PCS (one, or several that share the
        expression's text, each followed by its own statements); the
        statements under its labels are its bodies, the outermost only."""
        pcs = sorted(pcs, key=lambda q: span(q)[1:3])
        for i, pc in enumerate(pcs):
            c, nxt = span(pc), span(pcs[i + 1]) if i + 1 < len(pcs) else None
            mine = [span(q) for q in stmts if before(c, span(q)) and
                    (nxt is None or before(span(q), nxt))]
            top = [b for b in mine if not any(b != o and inside(b, o) for o in mine)]
            entry = (element(pc), c, sorted(set(top)), c, False)
            if entry not in self.branches:
                self.branches.append(entry)
                self.switches.add(c)
        self.uses = None
        self._names(("branch", element(pcs[0])), text)

    def add_address(self, pe):
        self.addresses.append(span(pe))

    def add_wrapper(self, p, name):
        self.wrappers[span(p)] = name

    def add_exit(self, pe):
        self.exits.append(span(pe))

    # ---- which functions the rules that read bodies look at ----

    def add_scope(self, fn, depth):
        """FN is a helper DEPTH levels below a site's function, or (depth
        CALLER) a function that calls one."""
        if fn not in self.scope or self.scope[fn] > depth:
            self.scope[fn] = depth

    def in_scope(self, fn, depth=None):
        d = self.scope.get(fn)
        return d is not None and (depth is None or d <= depth)

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
        # From the sites' conditions; the branch conditions of a site's
        # function only when its condition is constant (what decides then
        # is whether it is reached).  Following every branch's variables
        # costs minutes in large functions (walk_addr_generic()).
        work = [(key[1], n) for key, ns in self.names.items() if key[0] == "site" or
                (self.summary and key[0] == "return") for n in ns]
        for key, ns in self.names.items():
            if key[0] == "site" and not any(n not in CONSTANT_NAMES and not n.isupper()
                                            for n in ns):
                work += [(key[1], n) for n in self.names.get(("branch", key[1]), ())]
        seen = set()
        while work:
            fn, n = work.pop()
            if (fn, n) in seen:
                continue
            seen.add((fn, n))
            more = [(fn, m) for m in self.names.get(("assign", fn, n), ())]
            if n in self.functions:         # a helper: what it returns, and
                # the conditions choosing between its returns
                more += [(n, m) for m in self.names.get(("return", n), ())]
                if len(self.returns.get(n, ())) > 1:
                    more += [(n, m) for m in self.names.get(("branch", n), ())]
            if n in params.get(fn, ()):     # a parameter: what callers pass
                i = params[fn].index(n)
                more += [(self.calls[c][1], m) for c in calls.get(fn, ())
                         for m in self.names.get(("arg", c, i), ())]
            work += more
        return {n for _, n in seen}

    # ---- verdicts ----

    def classify(self, site_pos, cond_pos=None):
        if os.environ.get("KVMDC_DEBUG") and not self.closed:
            sys.stderr.write("kvmdc: functions read: %s\n" % sorted(
                f for f in self.scope if f in self.functions))
        """(function, verdict, sources) of the site whose macro name is at
        SITE_POS (condition at COND_POS, default: the site's own)."""
        self.closed = True
        key = span(site_pos)
        fn = element(site_pos)
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
        conds = [c for f, c, bodies, _, _ in self.branches
                 if f == fn and any(inside(at, b) for b in bodies)]
        exits = [(c, bodies) for f, c, bodies, _, loop in self.branches
                 if f == fn and not loop and before(c, at) and not any(inside(at, b) for b in bodies)
                 and any(inside(e, b) for e in self.exits for b in bodies)]
        if exits:
            conds.append(max(exits)[0])
        return conds


class Lines:
    """Spans filed by (file, line) of their start, or of their end: the
    facts inside a span are looked up by its lines, not by a scan of the
    whole file's (the header pass holds the facts of 50 headers)."""

    def __init__(self, items, end=False):
        self.by = {}
        for sp, v in items:
            self.by.setdefault((sp[0], sp[3] if end else sp[1]), []).append((sp, v))

    def within(self, sp):
        """Items whose span lies inside SP."""
        return [(q, v) for line in range(sp[1], sp[3] + 1)
                for q, v in self.by.get((sp[0], line), ()) if inside(q, sp)]

    def at(self, key):
        return self.by.get(key, ())


class Tracer:
    """Sources of expression spans, through the facts of one file."""

    def __init__(self, facts, pol, symbolic=False):
        self.f, self.pol = facts, pol
        self.active = set()
        self.symbolic = symbolic    # parameters stay symbolic (summaries)
        f = facts
        self.calls = Lines(f.calls.items())
        self.fields = Lines(f.fields.items())
        self.fields_by_end = Lines(f.fields.items(), end=True)
        self.addresses = Lines((a, None) for a in f.addresses)
        self.uses = Lines(((us, (var, defs)) for (var, us), defs in f.reaching().items()))
        self.use_spans = {u for _, u, _ in f.var_uses}
        self.callers = {}
        for c, (callee, _) in f.calls.items():
            self.callers.setdefault(callee, []).append(c)
        self.branches = {}
        for b in f.branches:
            self.branches.setdefault(b[0], []).append(b)

    @staticmethod
    def src(kind, name, entry_or_cls, why, at):
        """A source written at span AT, classified by a policy entry or a class."""
        if hasattr(entry_or_cls, "prov"):
            return source(kind, name, entry_or_cls.prov, entry_or_cls.why, at[0], at[1])
        return source(kind, name, entry_or_cls, why, at[0], at[1])

    def owner(self, sp, fn, ctx, depth, deref=False):
        """Sources of the expression spanning SP in function FN; CTX is the
        stack of helper calls that bind FN's parameters.  DEREF: of what
        SP points at (smp_load_acquire(&p->f) reads p->f)."""
        key = (sp, fn, ctx, deref)
        if key in self.active:
            return []
        self.active.add(key)
        try:
            return self._owner(sp, fn, ctx, depth, deref)
        finally:
            self.active.discard(key)

    def _owner(self, sp, fn, ctx, depth, deref=False):
        f = self.f
        calls = [(c, v[0]) for c, v in self.calls.within(sp)]
        hidden = [f.args[c][-1] for c, _ in calls if -1 in f.args.get(c, {})]
        fields = [(pf, v) for pf, v in self.fields.within(sp)
                  if not any(inside(pf, a) for a in hidden)]
        hidden += [v[2] for _, v in fields]
        out = []
        for a, _ in self.addresses.within(sp):
            # &p->a.b: no field is read, the value is p's.
            inner = [v[2] for pf, v in fields if inside(pf, a)]
            if deref and a[1:3] >= sp[1:3] and a[3:] == sp[3:]:
                continue        # &E as a whole, dereferenced: E is read
            if inside(a, sp) and inner and not any(inside(a, h) for h in hidden):
                hidden.append(a)
                out += self.owner(min(inner, key=lambda b: b[1:3]), fn, ctx, depth)

        def direct(s):
            return not any(inside(s, h) for h in hidden)
        for pf, v in fields:
            if direct(pf):
                out += self.field(pf, v, fn, ctx, depth)
        for c, callee in calls:
            if direct(c):
                out += self.call(c, callee, fn, ctx, depth)
        for us, (var, defs) in self.uses.within(sp):
            if direct(us):
                out += self.variable(var, us, defs, fn, ctx, depth)
        return out

    def db(self, kind, *keys):
        """(class, params) of the first of KEYS the database decides."""
        for k in keys:
            e = database().get((kind, k))
            if e:
                return e
        return None

    def db_src(self, e, kind, name, at):
        return self.src(kind, name, e[0], "%s by the whole-build database" % e[0], at)

    def db_call(self, e, kind, name, at, args, fn, ctx, depth):
        """A callee the database decides: its class, and this call's
        arguments at the parameters that reach what it returns."""
        out = [self.db_src(e, kind, name, at)]
        for i in e[1]:
            if i in args:
                out += self.owner(args[i], fn, ctx, depth)
        return out

    def field(self, pf, v, fn, ctx, depth):
        struct, name, base = v
        if pf in self.f.indirect:
            return self.indirect(pf, v, fn, ctx, depth)
        while True:
            entry = struct and (self.pol.field(struct, name) or self.pol.type(struct))
            if entry:
                return [self.src("field", "%s.%s" % (struct, name), entry, None, pf)]
            # A local struct is followed to what wrote it (as the plugin).
            local = pf in self.f.by_value and base in self.use_spans
            e = struct and not local and self.db("F", "%s.%s" % (struct, name))
            if e:
                return [self.db_src(e, "field", "%s.%s" % (struct, name), pf)]
            inner = [(q, w) for q, w in self.fields_by_end.at((base[0], base[3]))
                     if w[2][:3] + q[3:] == base]
            if not inner:
                break
            pf, (struct, name, base) = inner[0]
        # The policy is silent: the value is what the base pointer holds.
        found = self.owner(base, fn, ctx, depth)
        return found or [self.src("field", "%s.%s" % (struct or "?", name), "unknown",
                                  "struct type not in the policy", pf)]

    def indirect(self, pf, v, fn, ctx, depth):
        """A call through a function pointer field (ctxt->ops->get_cr()):
        what the functions bound to it return, by the database; nothing
        else names them."""
        struct, name, _ = v
        e = struct and self.db("I", "%s.%s" % (struct, name))
        if e:
            return self.db_call(e, "function", "->%s()" % name, pf, self.f.indirect[pf],
                                fn, ctx, depth)
        return [self.src("function", "->%s()" % name, "unknown",
                         "indirect call through %s.%s: the bound functions are not seen"
                         % (struct or "?", name), pf)]

    def static_call(self, c, callee, fn, ctx, depth):
        """kvm_x86_call(f)(...): the functions bound to the static call."""
        key = "".join(sorted(self.f.names.get(("arg", c, 0), ())))
        e = key and self.db("I", "__SCT__" + STATIC_CALLS[callee] + key)
        if e:
            return self.db_call(e, "function", "static_call(%s%s)" % (STATIC_CALLS[callee], key),
                                c, self.f.static_args.get(c, {}), fn, ctx, depth)
        return [self.src("function", "static_call(%s%s)" % (STATIC_CALLS[callee], key),
                         "unknown", "static call: the bound functions are not seen", c)]

    def call(self, c, callee, fn, ctx, depth):
        entry = self.pol.func(callee)
        if entry and entry.prov == "host":
            found = self.host_helper(c, callee, fn, ctx, depth)
            if found:
                return found
        if entry:
            return [self.src("function", callee, entry, None, c)]
        args = self.f.args.get(c, {})
        if callee in CONDITION_MACROS or callee in POINTER_OF_FIRST:
            return self.owner(args[0], fn, ctx, depth) if 0 in args else []
        if callee in PER_CPU:
            name = "".join(sorted(self.f.names.get(("arg", c, 0), ()))) or "?"
            return [self.src("global", name, "host", "host kernel variable (per-CPU)", c)]
        if callee in LOAD_OF_FIRST and 0 in args:
            return self.owner(args[0], fn, ctx, depth, deref=True)
        if callee in STATIC_CALLS and callee not in self.f.functions:
            return self.static_call(c, callee, fn, ctx, depth)
        if callee in TRANSPARENT or (callee.isupper() and callee not in self.f.functions):
            out = []
            for i, a in args.items():
                if i >= 0:
                    out += self.owner(a, fn, ctx, depth)
            return out
        rets = self.f.returns.get(callee)
        if callee in self.f.functions and rets and depth < MAX_CALL_DEPTH:
            return self.returned(callee, ctx + (c,), depth + 1)
        out = []
        if callee not in self.f.functions and callee in summaries():
            out = self.summarised(c, callee, fn, ctx, depth)
            if verdict_of(out) != "unknown":
                return out
        e = self.db("R", "%s::%s" % (self.f.unit(), callee), callee)
        if e:
            return self.db_call(e, "function", "%s()" % callee, c, args, fn, ctx, depth)
        return out or [self.src("function", callee, "unknown",
                                "not in the policy, body not in this file", c)]

    def returned(self, fn, ctx, depth):
        """Sources of what FN returns: its return expressions and, when it
        returns in several places a value that is not a pointer, the
        conditions that choose the return (the compiler's PHI of values;
        a PHI of pointers adds no condition, as in the plugin)."""
        rets = self.f.returns.get(fn, [])
        out = []
        for r in rets:
            out += self.owner(r, fn, ctx, depth)
        if len(rets) > 1 and not self.f.returns_pointer.get(fn, True):
            for r in rets:
                for cond in self.f.reaching_conditions(fn, r):
                    out += self.owner(cond, fn, ctx, depth)
        return out

    def summarised(self, c, callee, fn, ctx, depth):
        """A helper of the KVM headers: its summary's own sources, and the
        arguments at the parameters that reach what it returns."""
        summ = summaries()[callee]
        out = [dict(s) for s in summ["sources"]]
        args = self.f.args.get(c, {})
        for i in summ["params"]:
            if i in args:
                out += self.owner(args[i], fn, ctx, depth)
            else:
                out.append(self.src("function", callee, "unknown",
                                    "argument %d of this call not seen" % i, c))
        return out

    def host_helper(self, c, callee, fn, ctx, depth):
        """A same-file helper the policy also calls host (kvm_rmap_lock()):
        its body names what it returns (kvm_rmap_head.val), which is what
        allow entries match.  Used only when the body is all host; else the
        policy's word stands (a guest-func entry is a root, never looked
        through)."""
        rets = self.f.returns.get(callee)
        if callee not in self.f.functions or not rets or depth >= MAX_CALL_DEPTH:
            return None
        found = self.returned(callee, ctx + (c,), depth + 1)
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
                for f, c, bodies, _, _ in self.branches.get(fn, ()):
                    if any(inside(at, b) for b in bodies) and \
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
        if self.symbolic:
            return [dict(self.src("parameter", var, "param", "parameter %d" % i, at), index=i)]
        found, complete = [], info["static"] and depth < MAX_CALL_DEPTH
        callers = self.callers.get(fn, [])
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
        elif self.db("P", "%s::%s#%d" % (self.f.unit(), fn, i), "%s#%d" % (fn, i)):
            e = self.db("P", "%s::%s#%d" % (self.f.unit(), fn, i), "%s#%d" % (fn, i))
            return [self.db_src(e, "parameter", var, at)]
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


def condition(expr):
    """The condition as Coccinelle prints it, on one line."""
    return " ".join(str(expr).split())


def record_line(p, site, expr):
    """One `kvmdc-record: {json}` line for kvmdc scan (col: 1-based bytes)."""
    fn, verdict, sources = site
    rec = {"file": p.file, "line": int(p.line), "col": int(p.column) + 1,
           "function": fn, "macro": MACRO, "verdict": verdict,
           "condition": condition(expr),
           "sources": [s for s in sources if s["class"] != "constant"] or sources,
           "engine": "cocci"}
    if verdict == "guest":
        rec["rule"] = "guest-condition"
    return "kvmdc-record: " + json.dumps(rec)


def message(p, site, expr):
    """The report/org line of a site."""
    fn, verdict, sources = site
    cond = condition(expr)
    if verdict == "guest":
        return ("WARNING: KVM_BUG_ON_DATA_CORRUPTION(%s) in %s() guards a "
                "guest-controlled condition (%s): a guest can BUG() the host, "
                "use KVM_BUG_ON()" % (cond, fn, describe(sources, "guest")))
    return "INFO: KVM_BUG_ON_DATA_CORRUPTION(%s) in %s(): %s condition" % (cond, fn, verdict)
