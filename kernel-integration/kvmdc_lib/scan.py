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
import json
import os
import re
import subprocess
import sys
import tempfile

from . import MACRO, PROJECT, INTEGRATION
from . import allowlist, bounded, ctext, output, policy, provdb, records

COCCI_DIR = os.path.join(PROJECT, "cocci")
sys.path.insert(0, COCCI_DIR)
import kvmdc_bug  # noqa: E402  (its bug-on-guest verdicts, as bug_on_guest.cocci uses them)

SCRIPT = os.path.join(COCCI_DIR, "kvm_bug_on_data_corruption.cocci")
BUG_SCRIPT = os.path.join(COCCI_DIR, "bug_on_guest.cocci")
BUG_USE = r"\bBUG(_ON)?\s*\("
MACRO_RULES = ("guest-condition", "unknown-condition", "sprawl-budget", "unlisted-use")
MACROS = os.path.join(COCCI_DIR, "kvmdc-macros.h")
STANDARD_H = ("/usr/lib/coccinelle/standard.h", "/usr/local/lib/coccinelle/standard.h")
RECORD = "kvmdc-record: "
PLUGIN = os.path.join(PROJECT, "plugin", "kvmdc.so")
KVM_DIRS = ("arch/x86/kvm/", "virt/kvm/")
KVM_TYPE_HEADERS = ("include/linux/kvm_host.h", "arch/x86/include/asm/kvm_host.h")
BUILD_LOCK = os.path.join(os.environ.get("KVMDC_CACHE") or
                          os.path.expanduser("~/.cache/kvmdc"), ".buildlock")


class ScanError(Exception):
    """Usage or environment problem; str() is the one-line reason."""


def default_tree():
    out = subprocess.run([os.path.join(INTEGRATION, "tree.sh"), "6.12", "--configured"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if out.returncode:
        raise ScanError("cannot set up the default 6.12 tree (kernel-integration/tree.sh)")
    return out.stdout.strip().splitlines()[-1]


def check_tree(tree):
    if not all(os.path.exists(os.path.join(tree, p)) for p in ("Makefile", "Kconfig", "include/linux")):
        raise ScanError("%s is not a kernel tree (no Makefile, Kconfig and include/linux)" % tree)


def candidates(tree):
    """Tree-relative .c/.h files that use the macro, and whether it exists."""
    grep = subprocess.run(["grep", "-rlZ", "--include=*.c", "--include=*.h", MACRO, "."],
                          cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if grep.returncode > 1:
        raise ScanError("grep failed over %s" % tree)
    # File names are bytes: a name that is not UTF-8 must still be scanned.
    files = [os.fsdecode(f)[2:] for f in grep.stdout.split(b"\0") if f]
    uses = []
    for f in files:
        try:
            with open(os.path.join(tree, f), "rb") as fh:
                if ctext.mentions_macro(fh.read().decode("utf-8", "replace")):
                    uses.append(f)
        except OSError as e:
            raise ScanError("%s: %s" % (os.path.join(tree, f), e.strerror))
    return sorted(uses), bool(files)


def macro_file(tmp):
    """Coccinelle's standard.h plus kvmdc's own macros (FNAME)."""
    path = os.path.join(tmp, "macros.h")
    with open(path, "w") as out:
        for std in STANDARD_H:
            if os.path.exists(std):
                with open(std) as f:
                    out.write(f.read())
                break
        with open(MACROS) as f:
            out.write(f.read())
    return path


def bug_candidates(tree, pol):
    """Tree-relative .c/.h files under the bug-scope directories that write
    BUG_ON( or BUG(: one grep, spatch reads only these."""
    dirs = [b.dir for b in pol.bug_scopes if os.path.isdir(os.path.join(tree, b.dir))]
    if not dirs:
        return []
    grep = subprocess.run(["grep", "-rlEZ", "--include=*.c", "--include=*.h", BUG_USE] + dirs,
                          cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if grep.returncode > 1:
        raise ScanError("grep failed over %s" % tree)
    return sorted({f.decode() for f in grep.stdout.split(b"\0") if f})


def bug_sites(tree, files):
    """Records (engine cocci) of the BUG_ON()/BUG() written in FILES, judged
    by the verdict code bug_on_guest.cocci calls.  Found in the text rather
    than by spatch: parsing x86.c alone takes seconds, and a scan stays in
    grep time."""
    recs = []
    for f in files:
        path = os.path.join(tree, f)
        for line, col, macro in kvmdc_bug.written_sites(path):
            rec = kvmdc_bug.record(path, line, col, macro)
            if not rec:
                continue
            rec["file"] = f
            for src in rec["sources"]:
                src["file"] = records.relative(src["file"], tree) if src.get("file") else None
            if rec.get("branch"):
                rec["branch"]["file"] = f
            recs.append(rec)
    return recs


def run_spatch(tree, files, jobs, tmp, script=SCRIPT, timeout=None, confine=None):
    """Records of SCRIPT (the macro's, or BUG_SCRIPT) over FILES."""
    if not files:
        return []
    cmd = ["spatch", "-D", "report", "--very-quiet", "--no-show-diff",
           "--include-headers", "--macro-file-builtins", macro_file(tmp), "--sp-file", script]
    if script == SCRIPT:
        # Field types: the KVM structures the policy names are defined there.
        cmd += ["--local-includes", "--include-headers-for-types"]
        for h in KVM_TYPE_HEADERS:
            if os.path.exists(os.path.join(tree, h)):
                cmd += ["--include", h]
    else:
        cmd.append("--no-includes")
    if jobs > 1 and len(files) > 1:
        # spatch's parallel mode makes its work directory in the current
        # one, which is the tree: keep it in TMP (the tree may be read-only).
        cmd += ["--jobs", str(min(jobs, len(files))), "--chunksize", "1",
                "--tmp-dir", os.path.join(tmp, "spatch-")]
    env = dict(os.environ, KVMDC_RECORDS="1", KVMDC_COCCI_DIR=COCCI_DIR, TMPDIR=tmp)
    progress(" spatch on %d file(s)" % len(files))
    names, real = spatch_names(tree, files, tmp)
    if timeout is None:
        res = subprocess.run(cmd + names, cwd=tree, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, errors="surrogateescape")
        out, err = res.stdout, res.stderr
    else:
        # Files an attacker wrote (kvmdc review): bounded, capped output,
        # and CONFINE(argv, cwd, env) -> (argv, env) may sandbox it.
        argv = cmd + names
        if confine:
            argv, env = confine(argv, tree, env)
        res = bounded.run(argv, timeout=timeout, cwd=tree, env=env, cap=64 << 20)
        if res.timed_out:
            raise ScanError("spatch stopped at the time limit (%d s)" % timeout)
        out, err = (res.stdout.decode("utf-8", "surrogateescape"),
                    res.stderr.decode("utf-8", "surrogateescape"))
    if res.returncode:
        raise ScanError("spatch failed: %s" % (err.strip().splitlines() or ["?"])[-1])
    recs = []
    for line in out.splitlines():
        if line.startswith(RECORD):
            rec = json.loads(line[len(RECORD):])
            rec["file"] = records.relative(real.get(rec["file"], rec["file"]), tree)
            for src in rec["sources"]:
                name = real.get(src["file"], src["file"])
                src["file"] = records.relative(name, tree) if name else None
            recs.append(rec)
    if script != SCRIPT:
        return recs
    return recs + unparsed_sites(tree, files, recs)


def spatch_names(tree, files, tmp):
    """(names to give spatch, {name: file}).  spatch's embedded Python
    decodes file names strictly (UTF-8, or ASCII in the C locale) and
    aborts on any other byte, so a file whose name is not ASCII goes in
    through a symlink with an ASCII name in TMP."""
    names, real = [], {}
    for f in files:
        if f.isascii():
            names.append(f)
            continue
        d = os.path.join(tmp, "names", str(len(real)))
        os.makedirs(d)
        link = os.path.join(d, re.sub(r"[^\x21-\x7e]", "_", os.path.basename(f)))
        os.symlink(os.path.join(tree, f), link)
        names.append(link)
        real[link] = os.path.join(tree, f)
    return names, real


def unparsed_sites(tree, files, recs):
    """Records for the uses Coccinelle did not report: the function around
    them did not parse.  Reported as not analysed, never dropped."""
    seen = {(r["file"], r["line"]) for r in recs}
    out = []
    for f in files:
        text = ctext.read(os.path.join(tree, f)) or ""
        for line, col in ctext.written_uses(text):
            if (f, line) in seen:
                continue
            src = records.make_source(
                "unknown", "unparsed code", "unknown",
                "Coccinelle could not parse the code around this use; "
                "compile it with the plugin (kvmdc scan --build)", f, line)
            # No function: Coccinelle did not parse the code around it.
            rec = records.make_site(f, line, col, None, "unknown", [src], "cocci")
            rec["analysed"] = False
            rec["condition"] = ctext.condition_text(text, line, col)
            out.append(rec)
    return out


def build_sources(tree, files):
    """KVM .c files to compile: candidates, and includers of candidate headers."""
    sources = set()
    for f in files:
        if not f.startswith(KVM_DIRS):
            continue
        if f.endswith(".c"):
            sources.add(f)
            continue
        d, name = os.path.split(f)
        inc = re.compile(rb'^\s*#\s*include\s*"' + re.escape(name.encode()) + rb'"', re.M)
        for c in os.listdir(os.path.join(tree, d)):
            if c.endswith(".c"):
                with open(os.path.join(tree, d, c), "rb") as fh:
                    if inc.search(fh.read()):
                        sources.add(os.path.join(d, c))
    return sorted(sources)


def run_plugin_build(tree, files, jobs, tmp, pol, strict):
    """Site records (engine gcc) from a kbuild of the KVM objects with sites."""
    sources = build_sources(tree, files)
    if not sources:
        return [], []
    if not os.path.exists(PLUGIN):
        raise ScanError("%s missing: run make first" % PLUGIN)
    if not os.path.exists(os.path.join(tree, ".config")):
        raise ScanError("--build needs a configured tree (%s has no .config)" % tree)
    facts = os.path.join(tmp, "facts")
    os.mkdir(facts)
    kcflags = ["-fplugin=" + PLUGIN, "-fplugin-arg-kvmdc-policy=" + pol.path,
               "-fplugin-arg-kvmdc-facts=" + facts, "-fplugin-arg-kvmdc-level=note"]
    if strict:
        kcflags.append("-fplugin-arg-kvmdc-strict")
    kcflags += provdb.plugin_args(tree)[0]
    # -W forces the objects to be recompiled: facts are written by the compile.
    cmd = ["flock", BUILD_LOCK, "make", "-C", tree, "-s", "-j%d" % jobs,
           "KCFLAGS=" + " ".join(kcflags)]
    for src in sources:
        cmd += ["-W", src]
    cmd += [src[:-2] + ".o" for src in sources]
    progress(" building %d object(s) with the plugin" % len(sources))
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode:
        raise ScanError("kbuild with the plugin failed: %s"
                        % (res.stderr.strip().splitlines() or ["?"])[-1])
    recs = records.read_facts(facts, tree)
    for r in recs:
        r.setdefault("engine", "gcc")
        if r.get("condition") is None:
            r["condition"] = condition_text(tree, r)
    return recs, sources


def condition_text(tree, rec):
    """The macro's first argument at the record's line and column."""
    text = ctext.read(os.path.join(tree, rec["file"]))
    return ctext.condition_text(text, rec["line"], rec["col"] or 1) if text else ""


def merge(cocci, gcc):
    """Per source line, the best engine's records: the compiler's where it
    analysed the site, else Coccinelle's, else the compiler's not-analysed
    ones (a header compiled in several modes keeps one record per mode)."""
    ranked = ([(0, r) for r in gcc if r.get("analysed", True)] + [(1, r) for r in cocci] +
              [(2, r) for r in gcc if not r.get("analysed", True)])
    best = {}
    for rank, r in ranked:
        best.setdefault((r["file"], r["line"]), rank)
    return [r for rank, r in ranked if best[(r["file"], r["line"])] == rank]


def tree_sites(tree, dirs=None, jobs=None):
    """Site records (engine cocci) of TREE, limited to DIRS when given.

    The entry point for other subcommands (budget) that need the sites
    without a build."""
    files, _ = candidates(tree)
    if dirs:
        files = [f for f in files if any(f.startswith(d.rstrip("/") + "/") for d in dirs)]
    with tempfile.TemporaryDirectory(prefix="kvmdc-scan.") as tmp:
        recs = run_spatch(tree, files, jobs or os.cpu_count() or 1, tmp)
    return records.sort_records(recs)


def budget_findings(recs, pol):
    """sprawl-budget and unlisted-use findings, and uses per budget dir."""
    extra, counts = [], {}
    # One use per written location: a header compiled in several modes
    # gives the plugin one record per mode.
    unique = list({(r["file"], r["line"], r["col"]): r for r in recs}.values())
    for b in pol.budgets:
        inside = [r for r in unique if pol.budget_for(r["file"]) == b]
        counts[b.dir] = (len(inside), b.limit)
        for r in allowlist.match(pol, inside)[0]:
            extra.append(dict(r, rule="unlisted-use", sources=[], message=(
                "KVM_BUG_ON_DATA_CORRUPTION(%s) in %s() is not listed in the "
                "policy's allowlist (no justification; it %s)"
                % (r.get("condition"), r.get("function"), allowlist.describe(r)))))
        if len(inside) > b.limit:
            first = inside[0]
            extra.append(dict(first, rule="sprawl-budget", sources=[], message=(
                "%d uses of KVM_BUG_ON_DATA_CORRUPTION() under %s exceed the budget of %d"
                % (len(inside), b.dir, b.limit))))
    return extra, counts


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


def progress(msg):
    if sys.stderr.isatty():
        sys.stderr.write("kvmdc scan:%s\n" % msg)


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
    tree = os.path.abspath(args.tree or default_tree())
    check_tree(tree)
    pol = policy.load(args.policy)
    os.environ["KVMDC_POLICY"] = pol.path
    progress(" searching %s" % tree)
    macro_rules = any(r in MACRO_RULES for r in args.rules)
    files, macro_seen = candidates(tree) if macro_rules else ([], False)
    with tempfile.TemporaryDirectory(prefix="kvmdc-scan.") as tmp:
        recs = run_spatch(tree, files, args.jobs, tmp)
        if args.build:
            gcc, _ = run_plugin_build(tree, files, args.jobs, tmp, pol, args.strict)
            recs = merge(recs, gcc)
        bugs = []
        if "bug-on-guest" in args.rules:
            bugs = bug_sites(tree, bug_candidates(tree, pol))
    recs = [records.with_strict_rule(r, args.strict) for r in records.sort_records(recs)]
    extra, counts = budget_findings(recs, pol)
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
    if args.build and provdb.plugin_args(tree)[1]:
        summary += "; " + provdb.plugin_args(tree)[1]
    return everything, summary + bug_summary(bugs, args.rules), nfind


def main(argv):
    args = parse_args(argv)
    try:
        recs, summary, nfind = scan(args)
    except ScanError as e:
        sys.stderr.write("kvmdc scan: %s\n" % e)
        return 2
    if args.format == "text":
        # The summary goes to stdout too: it is the result, not progress.
        sys.stdout.write(output.render(recs, "text", summary))
    else:
        sys.stdout.write(output.render(recs, args.format, summary))
    return 1 if nfind else 0
