# SPDX-License-Identifier: GPL-2.0
"""kvmdc scan [TREE] [--format text|json|sarif] [--strict] [--build] [-j N]

Whole-tree scan with the Coccinelle engine, no build.  Coccinelle's start-up
dominates, so candidate files are found first with one byte search (grep),
and spatch runs only on files that use the macro (not merely define it).
--build adds the GCC plugin: kbuild compiles the KVM objects that hold a
site, with the plugin in KCFLAGS, and its facts replace the Coccinelle
records of the sites the compiler saw.
"""
import argparse
import os
import sys
import tempfile

from . import KvmdcError, MACRO
from . import budgets, coccinelle, kbuild, output, policy, provdb, records, source
from . import tree as tree_mod
from .records import MACRO_RULES


def bug_summary(bugs, rules):
    """'; bug-on-guest: N' (findings, of M BUG_ON()/BUG() sites) when the rule runs."""
    if "bug-on-guest" not in rules:
        return ""
    found = sum(1 for r in bugs if r.get("rule") == "bug-on-guest")
    allowed = sum(1 for r in bugs if r.get("allowed"))
    return "; bug-on-guest: %d (%d BUG_ON()/BUG() sites, %d allowed by the policy)" % (
        found, len(bugs), allowed)


def summary_line(recs, counts, macro_seen, tree, nfindings):
    if not macro_seen:
        return "kvmdc scan: %s: 0 sites (%s is not defined or used in this tree), %d findings" % (
            tree, MACRO, nfindings)
    verdicts = {v: sum(1 for r in recs if r["verdict"] == v) for v in records.VERDICTS}
    budget = ", ".join("%s %d/%d" % (d, n, lim) for d, (n, lim) in counts.items())
    engines = sorted({r.get("engine") or "?" for r in recs})
    unparsed = sum(1 for r in recs if r.get("analysed") is False)
    return "kvmdc scan: %s: %d sites (%s)%s, %d findings; budget: %s%s" % (
        tree, len(recs), ", ".join("%d %s" % (n, v) for v, n in verdicts.items()),
        ", %d not analysed" % unparsed if unparsed else "", nfindings, budget or "none",
        "; engines: " + "+".join(engines) if recs else "")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="kvmdc scan", description=__doc__.splitlines()[2])
    ap.add_argument("tree", nargs="?")
    ap.add_argument("--format", choices=output.FORMATS, default="text")
    ap.add_argument("--strict", action="store_true", help="also report undecided conditions")
    ap.add_argument("--build", action="store_true",
                    help="also compile the KVM objects with sites with the GCC plugin")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--policy", help="policy file (default: kernel-integration/kvmdc.policy)")
    ap.add_argument("--rules", help="comma-separated rules to run (default: all): %s; "
                    "naming bug-on-guest also lists every BUG_ON()/BUG() site it judged"
                    % ", ".join(records.RULES))
    args = ap.parse_args(argv)
    args.bug_inventory = bool(args.rules) and "bug-on-guest" in args.rules
    args.rules = [r.strip() for r in (args.rules or ",".join(records.RULES)).split(",") if r.strip()]
    bad = [r for r in args.rules if r not in records.RULES]
    if bad or not args.rules:
        ap.error("--rules: unknown rule %s (rules: %s)" % (
            ", ".join(bad) or "''", ", ".join(records.RULES)))
    return args


def scan(args):
    tree = os.path.abspath(args.tree or tree_mod.default_tree())
    tree_mod.check_tree(tree)
    pol = policy.load(args.policy)
    os.environ["KVMDC_POLICY"] = pol.path
    coccinelle.progress(" searching %s" % tree)
    macro_rules = any(r in MACRO_RULES for r in args.rules)
    files, macro_seen = tree_mod.macro_files(tree) if macro_rules else ([], False)
    with tempfile.TemporaryDirectory(prefix="kvmdc-scan.") as tmp:
        recs = coccinelle.run(tree, files, args.jobs, tmp)
        if args.build:
            gcc, _ = kbuild.build_with_plugin(tree, files, args.jobs, tmp, pol, args.strict,
                                              coccinelle.progress)
            recs = records.merge_engines(recs, [source.with_condition(r, tree) for r in gcc])
        bugs = []
        if "bug-on-guest" in args.rules:
            bugs = coccinelle.bug_sites(tree, tree_mod.bug_files(tree, pol), args.jobs, tmp)
    recs = [records.with_strict_rule(r, args.strict) for r in records.sort_records(recs)]
    extra, counts = budgets.budget_findings(recs, pol)
    # --strict concerns the macro's conditions: an undecided BUG_ON() is
    # listed with the inventory, not a finding.
    bugs = records.sort_records(bugs)
    # BUG_ON()/BUG() sites that are not findings are listed only on request
    # (--rules bug-on-guest): a default scan lists the macro's uses.
    listed = bugs if args.bug_inventory else [r for r in bugs if r.get("rule")]
    everything = [r for r in recs + extra + listed
                  if not r.get("rule") or r["rule"] in args.rules]
    nfind = sum(1 for r in everything if records.is_finding(r, args.strict))
    if macro_rules:
        summary = summary_line(recs, counts, macro_seen, tree, nfind)
    else:
        summary = "kvmdc scan: %s: %d findings" % (tree, nfind)
    # Both engines read the tree's database (Coccinelle for the files it runs on).
    if (args.build or files) and provdb.plugin_args(tree)[1]:
        summary += "; " + provdb.plugin_args(tree)[1]
    return everything, summary + bug_summary(bugs, args.rules), nfind


def main(argv):
    args = parse_args(argv)
    try:
        recs, summary, nfind = scan(args)
    except KvmdcError as e:
        sys.stderr.write("kvmdc scan: %s\n" % e)
        return 2
    # The summary goes to stdout in every format: it is the result, not progress.
    sys.stdout.write(output.render(recs, args.format, summary))
    return 1 if nfind else 0
