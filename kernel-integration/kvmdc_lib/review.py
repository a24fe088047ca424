# SPDX-License-Identifier: GPL-2.0
"""kvmdc review --tree TREE PATCH|MBOX|REV-RANGE [--format text|json|sarif|email]

The pre-merge bot, built for series from anyone.  The series is parsed and
vetted (patchfile: no links, submodules, git metadata, binary sources),
applied in memory and written to a scratch directory that holds only the
files it touches (base and patched copies side by side); the base tree is
only read.  Before anything is compiled, the series' preprocessor
directives are vetted (directives).  Coccinelle checks the touched
sources; the plugin checks the touched objects with the compile command
kbuild recorded in the base tree, inside a bubblewrap sandbox, so nothing
the series adds or changes is ever run and its build rules are never read.
Every child is bounded in time and memory (bounded).  Only findings the
series introduces are reported, with the budget delta.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
from collections import Counter

from . import KvmdcError, MACRO, PROJECT, bounded, budgets, coccinelle, directives, kbuild
from . import output, policy as policy_mod, provdb, records, report_mail, sandbox
from . import tree as tree_mod
from .mail import MAX_BYTES, SeriesError, read_series
from .patchfile import PatchError, parse
from .scratch import Base, Scratch, git, git_env, inside
from .source import bug_lines, mentions_bug, mentions_macro_quietly, may_contain_site, with_condition

FORMATS = output.FORMATS + ("email",)
# Makefiles, Kbuild and Kconfig files, linker scripts, scripts/ and the host
# tools the build runs: what decides how code is built.  The review never
# reads them from a series.
BUILD_RULE = re.compile(r"(^|/)(Makefile|Kbuild|Kconfig)[^/]*$|(^|/)[^/]*\.(mk|lds|lds\.S)$"
                        r"|^(scripts|usr|tools/(build|objtool|scripts))/|^arch/[^/]+/(boot|tools)/")
CONTEXT = 2
TIME_LIMIT = 55
BASE_COMMIT = re.compile(r"^base-commit: ([0-9a-f]{7,40})[ \t]*\r?$", re.M)
_scratch_dirs = []
# Controls, DEL, C1 and the Unicode line and paragraph separators: all that
# str.splitlines() or a terminal takes for the end of a line.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ReviewError(Exception):
    """The review cannot be done; str() is the one-line reason."""


def load_series(tree, what, tmp):
    """(patches, base revision or None).  A file is a patch, mail or mbox;
    anything else must be a revision range of TREE (a git checkout)."""
    if os.path.isfile(what):
        return read_series(what), None
    if not os.path.isdir(os.path.join(tree, ".git")):
        raise ReviewError("%s: no such file, and %s is not a git checkout" % (what, tree))
    rng = what if ".." in what else "%s^..%s" % (what, what)
    start = rng.split("..")[0] or "HEAD"
    if rng.startswith("-") or start.startswith("-"):
        raise ReviewError("%s: not a revision range" % what)
    base = git(tree, "rev-parse", "--verify", "--quiet", "--end-of-options", start + "^{commit}")
    if base.returncode:
        raise ReviewError("%s: neither a file nor a revision range of %s" % (what, tree))
    mbox = os.path.join(tmp, "series.mbox")
    with open(mbox, "wb") as f:
        res = bounded.run(["git", "-C", tree, "format-patch", "--stdout", "--no-signature",
                           rng, "--"], timeout=60, stdout=f, fsize=MAX_BYTES + 1,
                          env=git_env())
    if res.returncode:
        raise ReviewError("%s: git format-patch failed: %s" % (what, first_line(res.stderr)))
    return read_series(mbox), base.stdout.decode().strip()


def first_line(data):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return (text.strip().splitlines() or ["?"])[0]


def base_commit(what, patches):
    """The `base-commit:` a series names (git format-patch --base, b4), in
    its cover letter or its patches; None when it names none."""
    texts = [p.diff for p in patches]
    if os.path.isfile(what):
        with open(what, "rb") as f:
            texts.insert(0, f.read(MAX_BYTES).decode("utf-8", "replace"))
    for text in texts:
        m = BASE_COMMIT.search(text)
        if m:
            return m.group(1)
    return None


def choose_base(tree, what, patches, rev, notes):
    """The revision to review against: a range's start, the series'
    base-commit when TREE holds it, else TREE's working tree."""
    if rev:
        return rev
    wanted = base_commit(what, patches)
    if not wanted:
        return None
    if not os.path.exists(os.path.join(tree, ".git")):
        notes.append("base-commit %s: %s is not a git repository; reviewed against its "
                     "files as they are" % (wanted[:12], tree))
        return None
    res = git(tree, "rev-parse", "--verify", "--quiet", "--end-of-options", wanted + "^{commit}")
    if res.returncode:
        notes.append("base-commit %s is not in %s; reviewed against %s"
                     % (wanted[:12], tree, describe_base(tree, None)))
        return None
    full = res.stdout.decode().strip()
    head = git(tree, "rev-parse", "--verify", "--quiet", "HEAD").stdout.decode().strip()
    notes.append("reviewed against base-commit %s (read with git, no checkout)%s"
                 % (full[:12], "" if full == head else
                    "; the plugin compiles with the working tree's other files (HEAD %s)"
                    % head[:12]))
    return full


def apply_series(scratch, patches):
    """Vet and apply every patch; the paths the series names, sorted."""
    touched = set()
    for i, p in enumerate(patches, 1):
        what = "patch %d/%d (%s)" % (i, len(patches), p.subject or "no subject")
        try:
            fps = parse(p.diff, what)
            for fp in fps:
                touched.update(n for n in (fp.old, fp.new) if n)
            scratch.apply(fps, what)
        except PatchError as e:
            msg = str(e)
            if msg.startswith("error: "):
                msg = "%s does not apply to %s: %s" % (what, scratch.src.tree, msg)
            raise SeriesError(msg)
    return sorted(touched)


def vet_directives(tree, scratch):
    """Refuse the series when a file it changed names something outside
    the tree in a preprocessor directive (before anything compiles)."""
    changed = {p: t for p, t in scratch.after.items() if t is not None and scratch.changed(p)}

    def exists(path):
        if scratch.after.get(path) is not None:
            return True
        full = os.path.join(tree, path)
        return inside(tree, full) and os.path.isfile(full)
    try:
        directives.vet(changed, exists)
    except directives.Refused as e:
        raise SeriesError(str(e))


def is_source(path):
    return path.endswith((".c", ".h"))


def cocci_sites(root, files, tmp, clock, confined, keep=False):
    """Coccinelle records of FILES under ROOT, each with its condition;
    spatch runs in the sandbox when CONFINED, writing only its own work
    directory.  KEEP: ROOT holds the base tree's bytes only (scratch.base),
    whose records the content-keyed cache may give and keep."""
    files = [f for f in files if os.path.isfile(os.path.join(root, f)) and
             mentions_macro_quietly(os.path.join(root, f))]
    if not files:
        return []
    work = tempfile.mkdtemp(prefix="spatch-", dir=tmp)
    recs = coccinelle.run(root, files, os.cpu_count() or 1, work, timeout=clock.left(),
                           confine=spatch_confine(tmp, work, confined), keep=keep)
    return [with_condition(r, root) for r in recs]


def spatch_confine(tmp, work, confined):
    """How spatch runs on files of the series: in the sandbox when
    CONFINED, writing only WORK."""
    def confine(argv, cwd, env):
        ro = [tmp, PROJECT, os.path.realpath(os.environ["KVMDC_POLICY"])]
        return (sandbox.wrap(argv, cwd, read_only=ro, writable=[work]),
                dict(env, PATH="/usr/bin:/bin"))
    return confine if confined else None


def both_sides(scratch, files, tmp, clock, policy, confined):
    """(base records, new records); files the series left alone are read
    once, and only when the series changes a file under a budgeted
    directory (their uses then count in the budget delta; otherwise they
    cancel out)."""
    changed = [f for f in files if scratch.changed(f)]
    same = [f for f in files if not scratch.changed(f)]
    if not any(policy.budget_for(f) for f in changed):
        same = []
    base = cocci_sites(scratch.base, changed, tmp, clock, confined, keep=True)
    new = cocci_sites(scratch.new, changed, tmp, clock, confined)
    shared = cocci_sites(scratch.new, same, tmp, clock, confined)
    return base + shared, new + shared


def bug_findings(root, files, policy, tmp, clock, confined, gcc, keep=False):
    """bug-on-guest findings of the source-level engine in FILES under
    ROOT.  Not run on a file where the plugin (records GCC, None when it
    did not run) analysed every line that writes BUG_ON( or BUG(: each
    of Coccinelle's records there would lose the per-site merge
    (records.merge_engines keeps the compiler's analysed record of a
    line), so the review's output is the same without them.  KEEP as for
    cocci_sites()."""
    covered = {(r["file"], r["line"]) for r in gcc or () if r.get("analysed", True)}
    files = [f for f in files if policy.in_bug_scope(f) and os.path.isfile(
        os.path.join(root, f)) and needs_coccinelle(root, f, covered)]
    if not files:
        return []
    work = tempfile.mkdtemp(prefix="spatch-", dir=tmp)
    recs = coccinelle.bug_sites(root, files, os.cpu_count() or 1, work, clock.left(),
                                spatch_confine(tmp, work, confined), keep)
    return [r for r in recs if r.get("rule")]


def needs_coccinelle(root, f, covered):
    """True when ROOT/F writes BUG_ON( or BUG( (read once) on a line the
    plugin did not analyse (COVERED: its analysed (file, line)s)."""
    lines = bug_lines(os.path.join(root, f))
    return bool(lines) and not plugin_saw_all(f, lines, covered)


def plugin_saw_all(f, lines, covered):
    """True when each of the LINES of F is among COVERED."""
    return all((f, n) in covered for n in lines)


def budget_files(tree, rev, policy):
    """Files under the budgeted directories that use the macro in the base."""
    dirs = [b.dir for b in policy.budgets]
    if rev:
        res = git(tree, "grep", "-l", MACRO, rev, "--", *dirs)
        names = [l.split(":", 1)[1] for l in res.stdout.decode().splitlines()]
    else:
        res = bounded.run(["grep", "-rl", "--include=*.c", "--include=*.h", MACRO] + dirs,
                          timeout=30, cwd=tree)
        names = res.stdout.decode("utf-8", "replace").splitlines()
    return sorted(n for n in names if is_source(n))


def configured(tree):
    return os.path.isfile(os.path.join(tree, ".config")) and os.path.isfile(
        os.path.join(tree, "include/generated/autoconf.h"))


def plugin_units(tree, scratch, touched, policy):
    """{unit: (base may hold a site, new may)}: touched .c files and the
    built sources including a touched header, kept when some version of
    them or of a touched file they include can hold a site (a plain
    BUG_ON()/BUG() too, in the policy's bug scope)."""
    units = {}
    roots = tree_mod.kvm_dirs(tree)
    for path in touched:
        if path.endswith(".c") and kbuild.recorded_command(tree, path):
            units.setdefault(path, set()).add(path)
        elif path.endswith(".h"):
            near = [os.path.dirname(path)] if os.path.dirname(path) else []
            for unit in kbuild.includers(tree, path, roots + near):
                units.setdefault(unit, set()).add(path)
    keep = {}
    for unit, via in sorted(units.items()):
        argv = kbuild.recorded_command(tree, unit) or []
        in_tree = may_contain_site(os.path.join(tree, unit), argv)
        sides = tuple(in_tree or any(mentions_macro_quietly(os.path.join(side, p)) or (
            policy.in_bug_scope(p) and mentions_bug(os.path.join(side, p))) for p in via)
                      for side in (scratch.base, scratch.new))
        if any(sides):
            keep[unit] = sides
    return keep


def base_is_tree(scratch):
    """True when scratch.base holds the base tree's working files as they
    are (always, unless the series named a base-commit): its compiles are
    then the tree's own recorded compiles, whose records plugincache keeps
    for the next series."""
    if scratch.src.rev is None:
        return True
    work = Base(scratch.src.tree)
    return all(work.read(p) == (t.encode("utf-8", "surrogateescape") if t is not None else None)
               for p, t in scratch.before.items())


def gcc_sites(tree, scratch, touched, strict, notes, clock, confined, policy):
    """(base records, new records) from the plugin, or (None, None)."""
    if not configured(tree):
        notes.append("plugin not run: %s is not a configured tree (Coccinelle only)" % tree)
        return None, None
    rules = [p for p in touched if BUILD_RULE.search(p)]
    if rules:
        notes.append("build rules of the series ignored: %s (compiled with the base tree's "
                     "recorded commands)" % ", ".join(rules))
    if provdb.plugin_args(tree)[1]:
        notes.append(provdb.plugin_args(tree)[1])
    jobs = []
    units = plugin_units(tree, scratch, touched, policy)
    for unit in units:
        scratch.add(unit)
    keep = base_is_tree(scratch)
    for unit, sides in units.items():
        for side, wanted in ((scratch.base, sides[0]), (scratch.new, sides[1])):
            if wanted and scratch.exists(side, unit):
                jobs.append((side, kbuild.Confined(tree, unit, side, strict, scratch.tmp,
                                                   confined, bug_sites=True,
                                                   keep=keep and side == scratch.base)))
    if not jobs:
        return [], []
    timeout = clock.left()
    if timeout < 2:
        notes.append("plugin not run: the review's time limit (%d s) was reached" % clock.limit)
        return None, None
    runnable = [c.job for _, c in jobs if c.job]
    for job in runnable:
        job["timeout"] = timeout
    results = iter(bounded.run_many(runnable, width=2))
    base, new = [], []
    for side, c in jobs:
        recs, err = c.records(next(results) if c.job else None, int(timeout))
        if err:
            notes.append("plugin not run on %s: %s" % (c.source, err))
            return None, None
        (base if side == scratch.base else new).extend(with_condition(r, side) for r in recs)
    return base, new


def finding_key(rec):
    """What makes two findings the same one across a series: not lines."""
    return (rec["file"], rec.get("function") or "", rec.get("rule"),
            policy_mod.squash(rec.get("condition") or ""))


def engine_findings(cocci, gcc, strict):
    """Findings of both engines, merged per site as kvmdc scan merges them."""
    recs = [records.with_strict_rule(r, strict) for r in records.merge_engines(cocci, gcc)]
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
    base_extra, base_counts = budgets.budget_findings(base_sites, policy)
    new_extra, new_counts = budgets.budget_findings(new_sites, policy)
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
    """The offending lines, read while the patched copy still exists, and
    only from a plain file under the scratch copy: whatever name a record
    carries, nothing else is ever quoted."""
    for rec in findings:
        path = os.path.join(root, rec["file"])
        if os.path.isabs(rec["file"]) or not inside(root, path) or os.path.islink(path) \
                or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
        except OSError:
            continue
        lo, hi = max(1, rec["line"] - CONTEXT), min(len(lines), rec["line"] + CONTEXT)
        rec["snippet"] = [[n, lines[n - 1]] for n in range(lo, hi + 1)]


def in_tree(recs):
    """Records of tree files only (a compiler can be told any file name)."""
    if recs is None:
        return None
    return [r for r in recs if r.get("file") and not os.path.isabs(r["file"])
            and not os.path.normpath(r["file"]).startswith("..")]


def sandboxing(notes):
    """True when spatch and gcc run in the sandbox; else a note says why."""
    confined, why = sandbox.available()
    if os.environ.get("KVMDC_SANDBOX") == "off":
        confined, why = False, "KVMDC_SANDBOX=off"
    if not confined:
        notes.append("no sandbox (%s): Coccinelle and the compiler run unconfined, bounded in "
                     "time and memory" % why)
    return confined


def review(tree, what, clock, strict=False, policy_file=None):
    policy = policy_mod.load(policy_file)
    os.environ["KVMDC_POLICY"] = policy.path
    with tempfile.TemporaryDirectory(prefix="kvmdc-review.") as tmp:
        _scratch_dirs.append(tmp)
        notes = []
        patches, rev = load_series(tree, what, tmp)
        rev = choose_base(tree, what, patches, rev, notes)
        scratch = Scratch(Base(tree, rev), tmp)
        touched = apply_series(scratch, patches)
        vet_directives(tree, scratch)
        if scratch.skipped:
            notes.append("binary patches not reviewed: %s" % ", ".join(scratch.skipped))
        if scratch.modes:
            notes.append("file modes ignored (nothing in a series is run): %s"
                         % ", ".join(scratch.modes))
        budgeted = budget_files(tree, rev, policy)
        for f in budgeted:
            scratch.add(f)
        scratch.write()
        sources = sorted({p for p in touched if is_source(p)} | set(budgeted))
        changed = [f for f in sources if scratch.changed(f)]
        confined = sandboxing(notes)
        base_sites, new_sites = both_sides(scratch, sources, tmp, clock, policy, confined)
        gcc_base, gcc_new = gcc_sites(tree, scratch, touched, strict, notes, clock, confined,
                                      policy)
        # A file the series leaves alone has the same BUG_ON()s on both
        # sides: nothing new to find there.
        gcc_base, gcc_new = in_tree(gcc_base), in_tree(gcc_new)
        base_bugs = bug_findings(scratch.base, changed, policy, tmp, clock, confined, gcc_base,
                                 keep=True)
        new_bugs = bug_findings(scratch.new, changed, policy, tmp, clock, confined, gcc_new)
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
    if not os.path.exists(os.path.join(tree, ".git")):
        return "working tree"
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
    p.add_argument("--time-limit", type=int, default=TIME_LIMIT, metavar="SECONDS",
                   help="wall-clock budget of the children (default %d)" % TIME_LIMIT)
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    clock = bounded.Clock(max(args.time_limit, 1))
    bounded.guard_signals()
    try:
        return run(args, clock)
    except bounded.Interrupted as e:
        for tmp in _scratch_dirs:
            shutil.rmtree(tmp, ignore_errors=True)
        sys.stderr.write("kvmdc review: stopped by signal %d; children killed, scratch "
                         "removed\n" % e.signum)
        return 128 + e.signum


def one_line(text):
    """TEXT with whatever could end a line or drive a terminal (a series'
    names and text end up in reasons) turned into spaces."""
    return CONTROL.sub(" ", text)


def run(args, clock):
    tree = os.path.abspath(args.tree)
    try:
        if os.path.isfile(args.series):
            tree_mod.check_tree(tree)
        result = review(tree, args.series, clock, args.strict, args.policy)
    except (SeriesError, ReviewError, KvmdcError) as e:
        sys.stderr.write("kvmdc review: %s\n" % one_line(str(e)))
        return 2
    except OSError as e:
        sys.stderr.write("kvmdc review: %s\n" % one_line("%s%s" % (
            e.filename + ": " if e.filename else "", e.strerror or e)))
        return 2
    sys.stdout.write(render(result, args.format))
    return 1 if result["findings"] else 0
