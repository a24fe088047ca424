# SPDX-License-Identifier: GPL-2.0
"""Site records, the one shape shared by plugin facts and the cocci engine.

Fields (kernel-integration/CONTRACTS.md): file (tree-relative), line, col, function, macro,
verdict, rule (findings only), sources [{kind, name, class, why, file,
line}], engine.  Records are plain dicts so that json.loads() of a facts
line is already a record.
"""
import json
import os

from . import MACRO

VERDICTS = ("host", "guest", "unknown")
RULES = {
    "guest-condition": (
        "KVM_BUG_ON_DATA_CORRUPTION() guards a guest-contained condition",
        "The condition of KVM_BUG_ON_DATA_CORRUPTION() depends on guest- or "
        "VMM-controlled data.  With CONFIG_BUG_ON_DATA_CORRUPTION=y the macro "
        "is BUG_ON(), so one guest can panic the host and every VM on it.",
        "Use KVM_BUG_ON() (kills only this VM) or return an error; keep "
        "KVM_BUG_ON_DATA_CORRUPTION() for corruption of host data structures."),
    "bug-on-guest": (
        "BUG_ON()/BUG() on a guest-contained condition",
        "A plain BUG_ON() in KVM whose condition a guest controls is a "
        "guest-triggerable host panic.",
        "Use KVM_BUG_ON() or return an error."),
    "unknown-condition": (
        "KVM_BUG_ON_DATA_CORRUPTION() condition of undecided provenance",
        "kvmdc could not tell whether the condition reads host or guest data.",
        "Name the helper or type in kvmdc.policy, or simplify the condition."),
    "sprawl-budget": (
        "KVM_BUG_ON_DATA_CORRUPTION() uses exceed the directory budget",
        "Uses under a budgeted directory exceed the number the policy allows; "
        "the macro is a BUG_ON() in production and must stay rare.",
        "Use KVM_BUG_ON(), or raise the budget in kvmdc.policy with a "
        "reviewed justification."),
    "unlisted-use": (
        "KVM_BUG_ON_DATA_CORRUPTION() use without a justification",
        "Every use under a budgeted directory needs an allow entry naming the "
        "host data structure it guards.",
        "Add an 'allow FILE FUNCTION CONDITION -- justification' line to "
        "kvmdc.policy, or use KVM_BUG_ON()."),
}
# The budget's rules judge a tree's uses together; the others, the
# plugin's, judge one site and are what a compile (the C=1 hook) reports.
# All but bug-on-guest are about the macro.
BUDGET_RULES = ("sprawl-budget", "unlisted-use")
PLUGIN_RULES = tuple(r for r in RULES if r not in BUDGET_RULES)
MACRO_RULES = tuple(r for r in RULES if r != "bug-on-guest")


def make_source(kind, name, cls, why, file=None, line=None):
    return {"kind": kind, "name": name, "class": cls, "why": why,
            "file": file, "line": line}


def make_site(file, line, col, function, verdict, sources, engine,
              macro=MACRO, condition=None):
    rec = {"file": file, "line": line, "col": col, "function": function,
           "macro": macro, "verdict": verdict, "sources": sources,
           "engine": engine}
    if condition is not None:
        rec["condition"] = condition
    if verdict == "guest":
        rec["rule"] = "guest-condition"
    return rec


def is_finding(rec, strict=False):
    if rec.get("rule") in ("guest-condition", "bug-on-guest",
                           "sprawl-budget", "unlisted-use"):
        return True
    return strict and rec.get("verdict") == "unknown"


def with_strict_rule(rec, strict):
    """Unknown sites become findings (rule unknown-condition) under --strict."""
    if strict and rec.get("verdict") == "unknown" and not rec.get("rule") and \
            not is_bug_site(rec):
        rec = dict(rec, rule="unknown-condition")
    return rec


def site_key(rec):
    return (rec["file"], rec["line"], rec["col"])


def is_bug_site(rec):
    """A plain BUG_ON()/BUG() site (rule bug-on-guest), not a macro use."""
    return "bug" in rec


def read_facts(facts_dir, tree, bug_sites=False):
    """Records from the plugin's facts directory (one .jsonl per TU).

    A header included by several units appears in each; one record per
    location and function is kept.  Paths are made tree-relative.  Plain
    BUG_ON()/BUG() sites are kept only with BUG_SITES.  Lines
    with a "kind" key are the provenance database's facts (summary, call,
    store, bind, site terms: kernel-integration/DATABASE.md), not sites.
    """
    seen, out = set(), []
    for root, _, files in os.walk(facts_dir):
        for name in sorted(files):
            if not name.endswith(".jsonl"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as f:
                for text in f:
                    if not text.strip():
                        continue
                    rec = json.loads(text)
                    if "kind" in rec:
                        continue      # a database fact (kvmdc db), not a site
                    if is_bug_site(rec) and not bug_sites:
                        continue
                    rec["file"] = relative(rec["file"], tree)
                    if rec.get("branch", {}).get("file"):
                        rec["branch"]["file"] = relative(rec["branch"]["file"], tree)
                    key = site_key(rec) + (rec.get("function"),)
                    if key not in seen:
                        seen.add(key)
                        out.append(rec)
    return out


def merge_engines(cocci, gcc):
    """Per written site, the best engine's records: the compiler's where it
    analysed the site (it follows helpers and callers Coccinelle cannot
    see), else Coccinelle's, else the compiler's not-analysed ones (a
    header compiled in several modes keeps one record per mode).  GCC is
    None when the plugin did not run."""
    gcc = gcc or []
    ranked = ([(0, r) for r in gcc if r.get("analysed", True)] + [(1, r) for r in cocci] +
              [(2, r) for r in gcc if not r.get("analysed", True)])
    best = {}
    for rank, r in ranked:
        best.setdefault((r["file"], r["line"]), rank)
    return [r for rank, r in ranked if best[(r["file"], r["line"])] == rank]


def relative(path, tree):
    if os.path.isabs(path):
        path = os.path.relpath(path, tree)
    return path[2:] if path.startswith("./") else path


def sort_records(records):
    return sorted(records, key=lambda r: (r["file"], r["line"], r["col"],
                                          r.get("function") or "", r.get("engine") or ""))
