# SPDX-License-Identifier: GPL-2.0
"""kvmdc review --tree TREE PATCH|MBOX|REV-RANGE [--format text|json|sarif|email]

The pre-merge bot.  The series is applied in a scratch directory that holds
only the files it touches (base and patched copies side by side); the base
tree is only read.  Coccinelle checks the touched sources; the plugin
checks the touched objects with the compile command kbuild recorded in the
base tree, so nothing the series adds or changes is ever run, and a series
that changes build rules is not compiled at all.  Only findings the series
introduces are reported, with the budget delta.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter

from . import MACRO, kbuild, output, policy as policy_mod, provdb, records, report_mail, scan
from .budget import with_condition
from .check import mentions_macro, may_contain_site
from .mail import SeriesError, read_series, touched_paths

FORMATS = output.FORMATS + ("email",)
# Makefiles, Kbuild and Kconfig files, scripts/, tools/, linker scripts:
# what make would run or what decides how code is built.
BUILD_RULE = re.compile(r"(^|/)(Makefile|Kbuild|Kconfig)[^/]*$|(^|/)[^/]*\.(mk|lds|lds\.S)$"
                        r"|^(scripts|tools|usr)/|^arch/[^/]+/(boot|tools)/")
KVM_ROOTS = ("arch/x86/kvm", "arch/arm64/kvm", "arch/powerpc/kvm", "arch/s390/kvm",
             "arch/riscv/kvm", "arch/loongarch/kvm", "arch/mips/kvm", "virt/kvm")
CONTEXT = 2


class ReviewError(Exception):
    """The review cannot be done; str() is the one-line reason."""


def git(tree, *args):
    return subprocess.run(["git", "-C", tree] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)


def load_series(tree, what, tmp):
    """(patches, base revision or None).  A file is a patch, mail or mbox;
    anything else must be a revision range of TREE (a git checkout)."""
    if os.path.isfile(what):
        return read_series(what), None
    if not os.path.isdir(os.path.join(tree, ".git")):
        raise ReviewError("%s: no such file, and %s is not a git checkout" % (what, tree))
    rng = what if ".." in what else "%s^..%s" % (what, what)
    start = rng.split("..")[0] or "HEAD"
    base = git(tree, "rev-parse", "--verify", "--quiet", start + "^{commit}")
    if base.returncode:
        raise ReviewError("%s: neither a file nor a revision range of %s" % (what, tree))
    mbox = os.path.join(tmp, "series.mbox")
    with open(mbox, "wb") as f:
        res = subprocess.run(["git", "-C", tree, "format-patch", "--stdout", "--no-signature",
                              rng], stdout=f, stderr=subprocess.PIPE)
    if res.returncode:
        raise ReviewError("%s: git format-patch failed: %s" % (what, first_line(res.stderr)))
    return read_series(mbox), base.stdout.decode().strip()


def first_line(data):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return (text.strip().splitlines() or ["?"])[0]


def safe_path(path):
    parts = path.split("/")
    if (path.startswith("/") or ".." in parts or ".git" in parts or not path
            or re.search(r"[\x00-\x1f\x7f]", path)):
        raise SeriesError("refusing the unsafe path %r in the series" % path)
    return path


def read_base(tree, rev, path):
    """Bytes of PATH in the base (working tree, or REV), None if absent."""
    if rev:
        res = git(tree, "cat-file", "blob", "%s:%s" % (rev, path))
        return res.stdout if res.returncode == 0 else None
    full = os.path.join(tree, path)
    real = os.path.realpath(full)
    if not real.startswith(os.path.realpath(tree) + os.sep) or not os.path.isfile(real):
        return None
    with open(real, "rb") as f:
        return f.read()


def put(root, path, data):
    dest = os.path.join(root, path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(data)


class Scratch:
    """base/ and new/ copies of the files a series touches."""

    def __init__(self, tree, rev, tmp):
        self.tree, self.rev = tree, rev
        self.base, self.new = os.path.join(tmp, "base"), os.path.join(tmp, "new")
        self.tmp = tmp
        os.makedirs(self.base)
        os.makedirs(self.new)

    def add(self, path):
        """Copy PATH from the base into both sides (once)."""
        if os.path.lexists(os.path.join(self.base, path)):
            return
        data = read_base(self.tree, self.rev, safe_path(path))
        if data is not None:
            put(self.base, path, data)
            put(self.new, path, data)

    def apply(self, patch, index, total):
        diff = os.path.join(self.tmp, "patch-%d.diff" % index)
        with open(diff, "w", encoding="utf-8") as f:
            f.write(patch.diff)
        # No repository above the scratch: git apply then works like patch.
        env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(self.tmp))
        env.pop("GIT_DIR", None)
        res = subprocess.run(["git", "apply", "--whitespace=nowarn", diff], cwd=self.new,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if res.returncode:
            raise SeriesError("patch %d/%d (%s) does not apply to %s: %s"
                              % (index, total, patch.subject or "no subject", self.tree,
                                 first_line(res.stderr)))

    def exists(self, side, path):
        return os.path.isfile(os.path.join(side, path))


def apply_series(scratch, patches):
    touched = set()
    for p in patches:
        for path in touched_paths(p.diff):
            touched.add(safe_path(path))
            scratch.add(path)
    for i, p in enumerate(patches, 1):
        scratch.apply(p, i, len(patches))
    return sorted(touched)


def is_source(path):
    return path.endswith((".c", ".h"))


def cocci_sites(root, files, tmp):
    """Coccinelle records of FILES under ROOT, each with its condition."""
    files = [f for f in files if os.path.isfile(os.path.join(root, f)) and mentions_macro(
        os.path.join(root, f))]
    recs = scan.run_spatch(root, files, os.cpu_count() or 1, tmp)
    return [with_condition(r, root) for r in recs]


BUG_TEXT = re.compile(rb"\bBUG(_ON)?\s*\(")


def mentions_bug(path):
    """Whether PATH writes BUG_ON( or BUG( (rule bug-on-guest)."""
    try:
        with open(path, "rb") as f:
            return bool(BUG_TEXT.search(f.read()))
    except OSError:
        return False


def bug_findings(root, files, policy):
    """bug-on-guest findings of the source-level engine in FILES under ROOT."""
    files = [f for f in files if policy.in_bug_scope(f) and os.path.isfile(
        os.path.join(root, f)) and mentions_bug(os.path.join(root, f))]
    return [r for r in scan.bug_sites(root, files) if r.get("rule")]


def budget_files(tree, rev, policy):
    """Files under the budgeted directories that use the macro in the base."""
    dirs = [b.dir for b in policy.budgets]
    if rev:
        res = git(tree, "grep", "-l", MACRO, rev, "--", *dirs)
        names = [l.split(":", 1)[1] for l in res.stdout.decode().splitlines()]
    else:
        res = subprocess.run(["grep", "-rl", "--include=*.c", "--include=*.h", MACRO] + dirs,
                             cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        names = res.stdout.decode().splitlines()
    return sorted(n for n in names if is_source(n))


def configured(tree):
    return os.path.isfile(os.path.join(tree, ".config")) and os.path.isfile(
        os.path.join(tree, "include/generated/autoconf.h"))


def plugin_units(tree, scratch, touched, policy):
    """Touched .c files and the built sources including a touched header,
    kept when some version of them or of a touched file they include can
    hold a site."""
    units = {}
    roots = [r for r in KVM_ROOTS if os.path.isdir(os.path.join(tree, r))]
    for path in touched:
        if path.endswith(".c") and kbuild.recorded_command(tree, path):
            units.setdefault(path, set()).add(path)
        elif path.endswith(".h"):
            for unit in kbuild.includers(tree, path, roots + [os.path.dirname(path)]):
                units.setdefault(unit, set()).add(path)
    keep = []
    for unit, via in sorted(units.items()):
        versions = [os.path.join(side, p) for side in (scratch.base, scratch.new) for p in via]
        argv = kbuild.recorded_command(tree, unit)
        if any(mentions_macro(v) for v in versions) or may_contain_site(
                os.path.join(tree, unit), argv or []) or any(
                policy.in_bug_scope(p) and mentions_bug(os.path.join(side, p))
                for side in (scratch.base, scratch.new) for p in via):
            keep.append(unit)
    return keep


def gcc_sites(tree, scratch, touched, strict, notes, policy):
    """(base records, new records) from the plugin, or (None, None)."""
    if not configured(tree):
        notes.append("plugin not run: %s is not a configured tree (Coccinelle only)" % tree)
        return None, None
    rules = [p for p in touched if BUILD_RULE.search(p)]
    if rules:
        notes.append("plugin not run: the series changes build rules (%s); it is never "
                     "built with them (Coccinelle only)" % ", ".join(rules[:3]))
        return None, None
    base, new = [], []
    if provdb.plugin_args(tree)[1]:
        notes.append(provdb.plugin_args(tree)[1])
    for unit in plugin_units(tree, scratch, touched, policy):
        scratch.add(unit)
        for side, out in ((scratch.base, base), (scratch.new, new)):
            if not scratch.exists(side, unit):
                continue
            recs, err = kbuild.run_plugin(tree, unit, side, strict, bug_sites=True)
            if err:
                notes.append("plugin not run on %s: %s" % (unit, err))
                return None, None
            out += [with_condition(r, side) for r in recs]
    return base, new


def finding_key(rec):
    """What makes two findings the same one across a series: not lines."""
    return (rec["file"], rec.get("function") or "", rec.get("rule"),
            policy_mod.squash(rec.get("condition") or ""))


def engine_findings(cocci, gcc, strict):
    """Findings of both engines; where the plugin saw a file, its verdicts
    win (it follows helpers and callers Coccinelle cannot see)."""
    gcc = gcc or []
    seen = {r["file"] for r in gcc}
    recs = gcc + [r for r in cocci if r["file"] not in seen]
    recs = [records.with_strict_rule(r, strict) for r in recs]
    return [r for r in recs if r.get("rule") and records.is_finding(r, strict)]


def new_findings(base, new):
    left = Counter(finding_key(r) for r in base)
    out = []
    for rec in records.sort_records(new):
        key = finding_key(rec)
        if left[key]:
            left[key] -= 1
        else:
            out.append(rec)
    return out


def budget_delta(policy, base_sites, new_sites):
    """(rows, findings): per budget the use counts before and after, and
    the unlisted-use / sprawl-budget findings the series introduces."""
    base_extra, base_counts = scan.budget_findings(base_sites, policy)
    new_extra, new_counts = scan.budget_findings(new_sites, policy)
    rows, findings = [], []
    for b in policy.budgets:
        before, after = base_counts[b.dir][0], new_counts[b.dir][0]
        rows.append({"dir": b.dir, "before": before, "after": after, "budget": b.limit})
    added = new_findings([r for r in base_extra if r["rule"] == "unlisted-use"],
                         [r for r in new_extra if r["rule"] == "unlisted-use"])
    findings += added
    for row in rows:
        if row["after"] > row["budget"] and row["after"] > row["before"]:
            anchor = ([r for r in added if r["file"].startswith(row["dir"])] or
                      [r for r in new_extra if r["rule"] == "sprawl-budget"
                       and r["file"].startswith(row["dir"])])
            if anchor:
                findings.append(dict(anchor[0], rule="sprawl-budget", sources=[],
                                     message=delta_line(row)))
    return rows, findings


def delta_line(row):
    n = row["after"] - row["before"]
    verb = "adds" if n > 0 else "removes"
    return "%s %d use%s under %s: %d \u2192 %d, budget %d" % (
        verb, abs(n), "" if abs(n) == 1 else "s", row["dir"], row["before"], row["after"],
        row["budget"])


def attach_snippets(findings, root):
    """The offending lines, read while the patched copy still exists."""
    for rec in findings:
        path = os.path.join(root, rec["file"])
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
        except OSError:
            continue
        lo, hi = max(1, rec["line"] - CONTEXT), min(len(lines), rec["line"] + CONTEXT)
        rec["snippet"] = [[n, lines[n - 1]] for n in range(lo, hi + 1)]


def review(tree, what, strict=False, policy_file=None):
    policy = policy_mod.load(policy_file)
    os.environ["KVMDC_POLICY"] = policy.path
    with tempfile.TemporaryDirectory(prefix="kvmdc-review.") as tmp:
        patches, rev = load_series(tree, what, tmp)
        scratch = Scratch(tree, rev, tmp)
        touched = apply_series(scratch, patches)
        for f in budget_files(tree, rev, policy):
            scratch.add(f)
        sources = sorted({p for p in touched if is_source(p)} | set(budget_files(tree, rev, policy)))
        notes = []
        base_sites = cocci_sites(scratch.base, sources, tmp)
        new_sites = cocci_sites(scratch.new, sources, tmp)
        gcc_base, gcc_new = gcc_sites(tree, scratch, touched, strict, notes, policy)
        base_bugs = bug_findings(scratch.base, sources, policy)
        new_bugs = bug_findings(scratch.new, sources, policy)
        found = new_findings(engine_findings(base_sites + base_bugs, gcc_base, strict),
                             engine_findings(new_sites + new_bugs, gcc_new, strict))
        rows, budget_found = budget_delta(policy, base_sites, new_sites)
        found = records.sort_records(found + budget_found)
        attach_snippets(found, scratch.new)
    return {"tree": tree, "base": describe_base(tree, rev), "patches": patches,
            "touched": touched, "findings": found, "budget": rows, "notes": notes}


def describe_base(tree, rev):
    if rev:
        return rev[:12]
    head = git(tree, "rev-parse", "--short=12", "HEAD")
    if head.returncode == 0:
        return "working tree at %s" % head.stdout.decode().strip()
    return "working tree"


def summary(result):
    lines = [delta_line(r) for r in result["budget"] if r["after"] != r["before"]]
    lines += ["note: " + n for n in result["notes"]]
    n = len(result["findings"])
    lines.append("kvmdc review: %d patch%s, %d file%s touched, %d new finding%s" % (
        len(result["patches"]), "" if len(result["patches"]) == 1 else "es",
        len(result["touched"]), "" if len(result["touched"]) == 1 else "s",
        n, "" if n == 1 else "s"))
    return "\n".join(lines)


def render(result, fmt):
    if fmt == "email":
        return report_mail.render(result, summary(result))
    return output.render(result["findings"], fmt, summary(result))


def parse_args(argv):
    p = argparse.ArgumentParser(prog="kvmdc review", description=__doc__.split("\n")[0])
    p.add_argument("--tree", required=True, help="base kernel tree (git checkout or plain tree)")
    p.add_argument("series", help="patch, mail, mbox, or revision range of --tree")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--strict", action="store_true", help="also report undecided conditions")
    p.add_argument("--policy", help="policy file (default: KVMDC_POLICY or kvmdc.policy)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    tree = os.path.abspath(args.tree)
    try:
        if os.path.isfile(args.series):
            scan.check_tree(tree)
        result = review(tree, args.series, args.strict, args.policy)
    except (SeriesError, ReviewError, scan.ScanError) as e:
        sys.stderr.write("kvmdc review: %s\n" % e)
        return 2
    sys.stdout.write(render(result, args.format))
    return 1 if result["findings"] else 0
