# SPDX-License-Identifier: GPL-2.0
"""Verdicts of plain BUG_ON()/BUG() sites (rule bug-on-guest), from the
facts kvm_bug_on_data_corruption.cocci binds when run with -D
bug_on_guest (kvmdc_verdict.FileFacts).  It never opens a C file.

BUG_ON(cond) is judged like the macro's condition.  BUG() is judged by the
conditions that decide whether it runs: the if/else, loop and switch
statements whose bodies hold it, and the nearest earlier one that leaves
the block (an if/else-if chain that returns, a loop that returns when it
finds a match); a guest-controlled one lets the guest reach it, and is
named.  The policy's bug-scope lines say where the rule applies, its
bug-allow lines which reviewed sites it leaves alone.
"""
import json

import kvmdc_verdict as kv

MACROS = ("BUG_ON", "BUG")


def deciding_conditions(facts, fn, at):
    """Condition spans deciding whether the BUG() at AT runs, innermost
    first: the branches whose bodies hold it, then the nearest earlier
    branch (not inside another such) whose bodies leave the block."""
    mine = [(c, bodies) for f, c, bodies, _, _ in facts.branches if f == fn]
    around = sorted((c for c, bodies in mine if any(kv.inside(at, b) for b in bodies)),
                    key=lambda c: c[1:3], reverse=True)
    leaving = [(c, bodies) for c, bodies in mine
               if kv.before(c, at) and not any(kv.inside(at, b) for b in bodies) and
               any(kv.inside(e, b) for e in facts.exits for b in bodies)]
    outer = [c for c, _ in leaving
             if not any(kv.inside(c, b) for c2, bodies in leaving if c2 != c for b in bodies)]
    if outer:
        around.append(max(outer, key=lambda c: c[1:3]))
    return around


def bug_sources(facts, p):
    """(function, verdict, sources, deciding condition span or None) of BUG() at P."""
    key, fn = kv.span(p), kv.element(p)
    facts.closed = True     # verdicts given: the next site is another file
    if key in facts.wrappers:
        return facts.wrapper_site(key) + (None,)
    tracer = kv.Tracer(facts, kv.get_policy())
    sources, branch = [], None
    for c in deciding_conditions(facts, fn, key):
        found = tracer.owner(c, fn, (), 0)
        if branch is None and any(s["class"] == "guest" for s in found):
            branch = c
        sources += found
    sources = kv.dedup(sources)
    if not sources:
        sources = [kv.source("unknown", "no branch", "unknown",
                             "reached whenever its function runs: its callers decide",
                             key[0], key[1])]
    return fn, kv.verdict_of(sources), sources, branch


def verdict(facts, p, expr):
    """The record of the site at P (EXPR: BUG_ON()'s condition, "" for
    BUG()), or None out of the policy's bug-scope."""
    q = kv.one(p)
    pol = kv.get_policy()
    if not pol.in_bug_scope(q.file):
        return None
    macro = "BUG_ON" if str(expr) else "BUG"
    if macro == "BUG":
        fn, v, sources, branch = bug_sources(facts, p)
        check = "BUG()"
    else:
        (fn, v, sources), branch = facts.classify(p), None
        check = "BUG_ON(%s)" % kv.condition(expr)
    rec = {"file": q.file, "line": int(q.line), "col": int(q.column) + 1, "function": fn,
           "macro": facts.wrappers.get(kv.span(p), macro), "bug": macro, "verdict": v,
           "condition": check,
           "sources": [s for s in sources if s["class"] != "constant"] or sources,
           "engine": "cocci"}
    allowed = pol.bug_allowed(q.file, fn, check) if v == "guest" else None
    if allowed:
        rec["allowed"] = allowed.why
    elif v == "guest":
        rec["rule"] = "bug-on-guest"
    if branch:
        stmt = "switch" if branch in facts.switches else "if"
        rec["branch"] = {"stmt": stmt, "file": branch[0], "line": branch[1]}
    return rec


def record_line(rec):
    """One `kvmdc-record: {json}` line for kvmdc scan."""
    return "kvmdc-record: " + json.dumps(rec)


def message(rec):
    """The report/org line of a site."""
    check, fn = rec["condition"], rec["function"]
    if rec.get("allowed"):
        return "INFO: %s in %s(): guest-derived, allowed by the policy: %s" % (
            check, fn, rec["allowed"])
    if rec["verdict"] != "guest":
        return "INFO: %s in %s(): %s" % (check, fn, rec["verdict"])
    via = " through the branch at line %d" % rec["branch"]["line"] if rec.get("branch") else ""
    return ("WARNING: %s in %s() is guest-reachable%s (%s): a guest can panic the host, "
            "use KVM_BUG_ON() or WARN_ON_ONCE() and return an error"
            % (check, fn, via, kv.describe(rec["sources"], "guest")))
