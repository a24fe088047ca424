# SPDX-License-Identifier: GPL-2.0
"""The whole-build provenance resolver: the facts of every translation unit
(plugin/facts.c) joined and decided to a fixpoint.

Classes form a lattice NONE < HOST < UNKNOWN < GUEST joined by max: a value
is guest if any path into it is guest, host if every path is host, unknown
otherwise (a mix of host and guest stays guest).  Iteration starts from
NONE, so a field only ever written from itself and constants (a counter)
comes out host.  What the build does not define (a callee outside it, a
field nobody stores, a parameter nobody passes) is UNKNOWN: nothing is
guessed.

Nodes decided context-insensitively: FIELD S.F (its stores), PARAM f i (the
arguments of every call that can reach f), PMEM f i (what those callers'
buffers hold), OUT f i (what f writes through its pointer parameter i).
Function returns are context-sensitive: RET f is a class for the part that
does not come from f's parameters plus the set of parameters that reach
it, and a call's result substitutes that call's own arguments.
"""
import collections
import json
import os

NONE, HOST, UNKNOWN, GUEST = 0, 1, 2, 3
NAMES = {NONE: "host", HOST: "host", UNKNOWN: "unknown", GUEST: "guest"}
LEAF = {"constant": HOST, "host": HOST, "guest": GUEST, "unknown": UNKNOWN}
STATIC_TRAMP = "__SCT__"
EMPTY = frozenset()


class FactsError(Exception):
    """A facts file that cannot be read; str() is one line naming it."""


def read_unit(path):
    """The database records of one unit's facts file.  A truncated or
    corrupt line (a crashed compile) makes the whole unit unusable."""
    recs = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, text in enumerate(f, 1):
                if not text.strip():
                    continue
                if not text.endswith("\n"):
                    raise FactsError("%s:%d: truncated facts line (crashed or "
                                     "unfinished compile)" % (path, n))
                try:
                    rec = json.loads(text)
                except ValueError:
                    raise FactsError("%s:%d: corrupt facts line" % (path, n))
                if isinstance(rec, dict) and "kind" in rec:
                    recs.append(rec)
    except (OSError, UnicodeDecodeError) as e:
        raise FactsError("%s: cannot read facts: %s" % (path, e))
    return recs


def fkey(tu, name, local):
    return "%s::%s" % (tu, name) if local else name


class Build:
    """All units' facts, indexed."""

    def __init__(self):
        self.summaries = {}     # fkey -> summary record (with tu)
        self.calls = {}         # (tu, id) -> call record
        self.callers = {}       # fkey -> [(tu, id)] calls that may reach it
        self.stores = {}        # "S.F" or "S.*" -> [record]
        self.binds = {}         # "S.F" -> {fkey}
        self.static_binds = {}  # static-call name -> ({fkey}, {"S.F"})
        self.sites = []         # site records (with tu)
        self.by_name = {}       # public name -> fkey, local names -> [fkey]
        self.table_binds = {}   # (fkey, I) -> {fkey} stored into parameter I's table
        self.indexed = False
        self.target_cache = {}  # (tu, id) -> targets(), once indexed

    def add_unit(self, tu, recs):
        for r in recs:
            r["tu"] = tu
            kind = r["kind"]
            if kind == "summary":
                k = fkey(tu, r["fn"], r.get("local"))
                self.summaries[k] = r
            elif kind == "call":
                self.calls[(tu, r["id"])] = r
            elif kind == "store":
                self.stores.setdefault(r["field"], []).append(r)
            elif kind == "bind":
                target = r.get("target")
                tkey = fkey(tu, target, r.get("target_local")) if target else None
                if "param_table" in r:
                    # handlers[X] = f through parameter I: the tables the callers pass.
                    if tkey:
                        self.table_binds.setdefault((fkey(tu, r["fn"], r.get("local")),
                                                     int(r["param_table"][1:])), set()).add(tkey)
                elif "static_call" in r:
                    fns, fields = self.static_binds.setdefault(r["static_call"], (set(), set()))
                    if tkey:
                        fns.add(tkey)
                    elif r.get("from_field"):
                        fields.add(r["from_field"])
                elif tkey:
                    self.binds.setdefault(r["field"], set()).add(tkey)
            elif kind == "site":
                self.sites.append(r)

    def targets(self, call):
        """Function keys a call may reach (all of them, as far as the build
        knows) and whether that set is complete; fixed once indexed."""
        if self.indexed:
            key = (call["tu"], call["id"])
            hit = self.target_cache.get(key)
            if hit is None:
                out, complete = self.find_targets(call)
                hit = self.target_cache[key] = (sorted(out), complete)
            return hit
        return self.find_targets(call)

    def find_targets(self, call):
        tu = call["tu"]
        callee, via = call.get("callee"), call.get("via")
        if callee and callee.startswith(STATIC_TRAMP):
            fns, fields = self.static_binds.get(callee[len(STATIC_TRAMP):], (set(), set()))
            out = set(fns)
            for f in fields:
                out |= self.binds.get(f, set())
            return out, bool(out)
        if callee:
            k = fkey(tu, callee, call.get("callee_local"))
            return {k}, k in self.summaries
        if via:
            out = self.binds.get(via, set())
            return set(out), bool(out)
        if "via_param" in call:
            return self.param_targets(call)
        return set(), False

    def param_targets(self, call):
        """A call through parameter I of its function (msr_access_fn(vcpu,
        ...)): the functions its callers pass there, complete when every
        caller passes one by name."""
        out = set()
        complete = self.passed_functions(fkey(call["tu"], call["fn"], call.get("local")),
                                         call["via_param"], out, 0)
        return out, complete and bool(out)

    def passed_functions(self, fn, i, out, depth):
        """Add to OUT the functions FN's callers pass as argument I, through
        callers that pass on a parameter of their own (msr_io(..., do_msr)
        to __msr_io(..., do_msr)); whether every path names one."""
        complete = depth < 4
        for key in self.callers.get(fn, ()) if complete else ():
            args = self.calls[key].get("args") or []
            arg = args[i] if i < len(args) else {}
            v = arg.get("v") or []
            if arg.get("fn"):
                out.add(fkey(key[0], arg["fn"], arg.get("fn_local")))
            elif len(v) == 1 and v[0].get("s") == "param":
                call = self.calls[key]
                complete &= self.passed_functions(fkey(call["tu"], call["fn"], call.get("local")),
                                                  int(v[0]["n"]), out, depth + 1)
            else:
                complete = False
        return complete

    def bind_tables(self):
        """Functions stored into a table through a parameter are bound to
        the tables (NAME[]) the direct callers pass there."""
        for (fn, i), targets in self.table_binds.items():
            for call in self.calls.values():
                args = call.get("args") or []
                if call.get("callee") and i < len(args) and args[i].get("table") and \
                        fkey(call["tu"], call["callee"], call.get("callee_local")) == fn:
                    self.binds.setdefault(args[i]["table"], set()).update(targets)

    def index(self):
        """Callers of each function; calls through a parameter last, as
        their targets come from their own function's callers."""
        self.bind_tables()
        later = []
        for key, call in self.calls.items():
            if "via_param" in call:
                later.append(key)
                continue
            for t in sorted(self.targets(call)[0]):
                self.callers.setdefault(t, []).append(key)
        for key in later:
            for t in sorted(self.targets(self.calls[key])[0]):
                self.callers.setdefault(t, []).append(key)
        self.indexed = True


class Resolver:
    """A worklist to the least fixpoint: each evaluation (a function's
    return, what it writes through a pointer parameter, a field's stores,
    one call's arguments to its callee) records the nodes it reads, and a
    node that rises queues again only the evaluations that read it."""

    def __init__(self, build):
        self.b = build
        self.value = {}     # node -> class
        self.why = {}       # node -> witness step (text, file, line, next node)
        self.rb = {}        # fkey -> class of its return not from its parameters
        self.rp = {}        # fkey -> parameter indices that reach its return
        self.fields = set()     # every field read or stored
        self.memo = {}      # (tu, id) of a call -> (result, nodes it read)
        self.memo_deps = {}     # node -> memo keys whose result read it
        self.deps = {}      # node -> evaluations that read it (ordered)
        self.reads = None   # nodes read by the evaluation under way
        self.risen = []     # nodes raised by it, announced when it ends
        self.queue = collections.deque()
        self.queued = set()
        self.rooted = set()     # parameters decided by the policy's name entry
        self.short = {}
        self.star_structs = set()

    # -- node values ----------------------------------------------------
    def defined(self, node):
        """Whether the build holds anything that defines NODE."""
        kind = node[0]
        if kind == "field":
            return node[1] in self.b.stores or node[1].split(".")[0] in self.star_structs
        if kind == "param":
            return node[1] in self.b.callers or node in self.rooted
        if kind == "pmem":
            return node[1] in self.b.callers
        if kind == "out":
            return node[1] in self.b.summaries
        return True

    def get(self, node):
        if self.reads is not None:
            self.reads.add(node)
        if not self.defined(node):
            return UNKNOWN
        return self.value.get(node, NONE)

    def raise_to(self, node, cls, where, step):
        """Raise NODE to CLS; the path that does so is its witness (the
        first path of its final class): WHERE (fmt, args, file, line) then
        STEP, which may lead on."""
        if cls > self.value.get(node, NONE):
            self.value[node] = cls
            self.why[node] = path(where, step)
            self.risen.append(node)

    def name(self, fk):
        n = self.short.get(fk)
        if n is None:
            n = self.short[fk] = short(fk)
        return n

    # -- terms ----------------------------------------------------------
    # A step is (fmt, args, file, line, next node): formatted only when a
    # witness is printed, as nearly all evaluations are thrown away.
    def eval_terms(self, terms, tu, fn, seen=None):
        """(class, parameters of fn reached, witness step) of a term list
        living in function fn of unit tu."""
        cls, params, step = NONE, EMPTY, None
        seen = seen if seen is not None else set()
        for t in terms:
            c, p, s = self.eval_term(t, tu, fn, seen)
            if p:
                params = params | p
            if c > cls:
                cls, step = c, s
        return cls, params, step

    def eval_term(self, t, tu, fn, seen):
        if "k" in t:
            res = t.get("")
            if res is None:     # a decided term: its result is kept in it
                res = t[""] = (LEAF.get(t.get("c"), UNKNOWN), EMPTY,
                               ("%s '%s' (%s)", (t["k"], t["n"], t.get("w")), t.get("f"), t.get("l"), None))
            return res
        kind, name = t["s"], t["n"]
        if kind == "param":
            return NONE, frozenset((int(name),)), None
        if kind == "pmem":
            node = ("pmem", fn, int(name))
            return self.get(node), EMPTY, ("what the callers' buffer holds", (), t.get("f"), t.get("l"), node)
        if kind == "field":
            node = ("field", name)
            if name not in self.fields:
                self.fields.add(name)
                self.push(node)
            return self.get(node), EMPTY, ("field %s", (name,), t.get("f"), t.get("l"), node)
        if kind in ("call", "out"):
            parts = name.split(":")
            key = (tu, int(parts[0]))
            call = self.b.calls.get(key)
            if call is None:
                return UNKNOWN, EMPTY, ("call record missing", (), t.get("f"), t.get("l"), None)
            if kind == "out":
                return self.eval_out(call, int(parts[1]), t)
            hit = self.memo.get(key)
            if hit is not None:
                if self.reads is not None:
                    self.reads |= hit[1]
                return hit[0]
            if key in seen:
                return NONE, EMPTY, None
            seen.add(key)
            outer, self.reads = self.reads, set()
            try:
                res = self.eval_call(call, tu, fn, t, seen)
            finally:
                seen.discard(key)
                inner, self.reads = self.reads, outer
                if outer is not None:
                    outer |= inner
            if not seen:
                # Whole, not cut short by a cycle: kept until a node it read rises.
                self.memo[key] = (res, inner)
                for n in inner:
                    self.memo_deps.setdefault(n, set()).add(key)
            return res
        return UNKNOWN, EMPTY, ("term %s", (kind,), t.get("f"), t.get("l"), None)

    def eval_out(self, call, i, t):
        targets, complete = self.b.targets(call)
        cls, step = (NONE if complete else UNKNOWN), None
        if not complete:
            step = ("%s() writes through argument %d, body not in the build",
                    (call.get("callee") or call.get("via") or "indirect call", i + 1),
                    t.get("f"), t.get("l"), None)
        for g in targets:
            node = ("out", g, i)
            c = self.get(node)
            if c > cls:
                cls, step = c, ("%s() writes it", (self.name(g),), t.get("f"), t.get("l"), node)
        return cls, EMPTY, step

    def eval_call(self, call, tu, fn, t, seen):
        targets, complete = self.b.targets(call)
        cls, params, step = NONE, EMPTY, None
        if not complete:
            cls = UNKNOWN
            step = ("%s(): not in the build", (call.get("callee") or call.get("via") or "indirect call",),
                    t.get("f"), t.get("l"), None)
        args = call.get("args") or []
        for g in targets:
            if self.reads is not None:
                self.reads.add(("ret", g))
            c = self.rb.get(g, NONE if g in self.b.summaries else UNKNOWN)
            if c > cls:
                cls, step = c, ("returned by %s()", (self.name(g),), t.get("f"), t.get("l"), ("ret", g))
            for j in self.rp.get(g, ()):
                if j < len(args):
                    c, p, s = self.eval_terms(args[j].get("v") or [], tu, fn, seen)
                    if p:
                        params = params | p
                    if c > cls:
                        cls, step = c, s
        return cls, params, step

    def closed(self, terms, tu, fn):
        """A term list with fn's own parameters resolved through its callers."""
        cls, params, step = self.eval_terms(terms, tu, fn)
        for i in params:
            node = ("param", fn, i)
            c = self.get(node)
            if c > cls:
                cls, step = c, ("parameter %d of %s()", (i + 1, self.name(fn)), None, None, node)
        return cls, step

    # -- evaluations ----------------------------------------------------
    def eval_ret(self, g):
        s = self.b.summaries[g]
        if s.get("policy") in LEAF:
            # Named by the policy: that is its return value, whatever the body.
            c, p = LEAF[s["policy"]], EMPTY
            step = ("function '%s' (%s)", (s["fn"], s.get("why")), s.get("file"), s.get("line"), None)
        else:
            c, p, step = self.eval_terms(s.get("ret") or [], s["tu"], g)
        if c > self.rb.get(g, NONE) or not p <= self.rp.get(g, EMPTY):
            self.rb[g] = max(c, self.rb.get(g, NONE))
            self.rp[g] = self.rp.get(g, EMPTY) | p
            self.risen.append(("ret", g))
        self.raise_to(("ret", g), c, None, step)

    def eval_outs(self, g, i):
        s = self.b.summaries[g]
        node = ("out", g, i)
        if self.value.get(node) == GUEST:
            return
        c, step = self.closed(s["outs"][str(i)], s["tu"], g)
        self.raise_to(node, max(c, HOST), ("%s() writes through argument %d",
                      (self.name(g), i + 1), s.get("file"), s.get("line")), step)

    def eval_field(self, field):
        node = ("field", field)
        if self.value.get(node) == GUEST:
            return
        struct = field.split(".")[0]
        b = self.b
        for c, where, step in (self.best(b.stores.get(struct + ".*", []), struct + ".*"),
                               self.best(b.stores.get(field, []), field)):
            self.raise_to(node, c, where, step)

    def eval_args(self, g, key):
        """What call KEY passes to g's parameters and buffers."""
        s = self.b.summaries[g]
        call = self.b.calls[key]
        caller = fkey(call["tu"], call["fn"], call.get("local"))
        args = call.get("args") or []
        for i in range(min(s.get("nparams", 0), len(args))):
            node = ("param", g, i)
            if self.value.get(node) != GUEST:
                c, step = self.closed(args[i].get("v") or [], call["tu"], caller)
                self.raise_to(node, max(c, HOST), (
                    "argument %d of %s() passed by %s()", (i + 1, self.name(g), call["fn"]),
                    call.get("file"), call.get("line")), step)
            node = ("pmem", g, i)
            if "m" in args[i] and self.value.get(node) != GUEST:
                c, step = self.closed(args[i]["m"], call["tu"], caller)
                self.raise_to(node, max(c, HOST), (
                    "buffer %d of %s() passed by %s()", (i + 1, self.name(g), call["fn"]),
                    call.get("file"), call.get("line")), step)

    def best(self, stores, field):
        """(class, where, step) of the highest store among STORES."""
        out = (NONE, None, None)
        for st in stores:
            c, step = self.closed(st.get("v") or [], st["tu"], self.fn_of(st))
            c = max(c, HOST)
            if c > out[0]:
                out = (c, ("%s stored in %s()", (field, st.get("fn")), st.get("file"), st.get("line")), step)
                if c == GUEST:
                    break
        return out

    def fn_of(self, rec):
        return fkey(rec["tu"], rec.get("fn"), rec.get("local"))

    # -- fixpoint -------------------------------------------------------
    def push(self, item):
        if item not in self.queued:
            self.queued.add(item)
            self.queue.append(item)

    def run(self, item):
        """Evaluate ITEM; then it waits on what it read, and whatever it
        raised wakes the evaluations (and forgets the call results) that
        read it."""
        self.reads, self.risen = set(), []
        kind = item[0]
        if kind == "ret":
            self.eval_ret(item[1])
        elif kind == "out":
            self.eval_outs(item[1], item[2])
        elif kind == "field":
            self.eval_field(item[1])
        else:
            self.eval_args(item[1], item[2])
        reads, self.reads = self.reads, None
        for n in reads:
            self.deps.setdefault(n, {})[item] = None
        for n in self.risen:
            for key in self.memo_deps.pop(n, ()):
                self.memo.pop(key, None)
            for it in self.deps.pop(n, ()):
                self.push(it)

    def root_params(self):
        """A parameter nothing in the build passes (an export whose callers
        are configured out) is what the policy's entry for its name says,
        as the plugin decides it when it cannot see the callers."""
        for g, s in self.b.summaries.items():
            if g in self.b.callers:
                continue
            for i, e in (s.get("param_policy") or {}).items():
                node = ("param", g, int(i))
                if e.get("c") in ("guest", "host"):
                    self.rooted.add(node)
                    self.value[node] = LEAF[e["c"]]
                    self.why[node] = [("parameter '%s' of %s() (%s): no caller in the build",
                                       (e.get("n"), s["fn"], e.get("w")), s.get("file"),
                                       s.get("line"), None)]

    def solve(self):
        """Run to the fixpoint; the number of evaluations it took."""
        b = self.b
        b.index()
        self.star_structs = {f[:-2] for f in b.stores if f.endswith(".*")}
        self.root_params()
        for g, s in b.summaries.items():
            self.push(("ret", g))
        for g, s in b.summaries.items():
            for i in (s.get("outs") or {}):
                self.push(("out", g, int(i)))
        self.fields |= {f for f in b.stores if not f.endswith(".*")}
        for f in sorted(self.fields):
            self.push(("field", f))
        for g, calls in b.callers.items():
            if g in b.summaries:
                for key in calls:
                    self.push(("args", g, key))
        n = 0
        while self.queue:
            item = self.queue.popleft()
            self.queued.discard(item)
            self.run(item)
            n += 1
        return n

    # -- results --------------------------------------------------------
    def node_class(self, node):
        """Final class of a node; one the build never defines is unknown."""
        return max(self.get(node), HOST)

    def site_verdict(self, site):
        fn = fkey(site["tu"], site.get("fn"), site.get("local"))
        terms = site.get("terms") or []
        cls, params, step = self.eval_terms(terms, site["tu"], fn)
        for i in sorted(params):
            node = ("param", fn, i)
            c = self.get(node)
            if c > cls:
                cls, step = c, ("parameter %d of %s()", (i + 1, site.get("fn")),
                                site.get("file"), site.get("line"), node)
        if cls == NONE:
            cls = HOST
        return NAMES[cls], self.chain(step)

    def chain(self, step):
        """Witness [(text, file, line)] from STEP, following each node's
        recorded path (the one that first made it what it is)."""
        out, seen, steps = [], set(), path(None, step)
        while steps and len(out) < 64:
            for st in steps:
                if st[0]:
                    out.append((st[0] % st[1], st[2], st[3]))
            node = steps[-1][4]
            if node is None or node in seen:
                break
            seen.add(node)
            steps = self.why.get(node)
        return out


def path(where, step):
    """Steps: WHERE (fmt, args, file, line) first, then STEP, which may lead
    on to another node's own path."""
    steps = [where + (None,)] if where else []
    if step:
        steps.append(step)
    return steps


def short(fk):
    return fk.split("::")[-1]


def load_dir(facts_dir):
    """(Build, [problems]) from a facts directory; a bad unit is left out
    with one line saying so."""
    b, problems = Build(), []
    for root, _, files in os.walk(facts_dir):
        for name in sorted(files):
            if not name.endswith(".jsonl"):
                continue
            path = os.path.join(root, name)
            tu = os.path.relpath(path, facts_dir)[:-len(".jsonl")]
            try:
                b.add_unit(tu, read_unit(path))
            except FactsError as e:
                problems.append(str(e))
    return b, problems
