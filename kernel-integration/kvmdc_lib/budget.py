# SPDX-License-Identifier: GPL-2.0
"""kvmdc budget [TREE] [--update] [--format text|json|sarif] [--policy FILE]

The reviewer's concern, enforced: uses of KVM_BUG_ON_DATA_CORRUPTION()
under each budgeted directory are counted against the policy's budget, and
every use must have an allow entry (file, function and what the use guards,
or its condition text as the fallback: never line numbers, which would
break on every unrelated edit; kvmdc_lib.allowlist matches them).
--update ratchets a budget down to the current count when uses went away;
it never raises one (that is a reviewed edit of the policy file).
"""
import argparse
import os
import re
import sys
import tempfile

from . import KvmdcError, budgets, coccinelle, output, policy as policy_mod, records, source
from . import tree as tree_mod


def check_budgets(policy, sites):
    """(rows, findings): one row per budget; the unlisted-use and
    sprawl-budget findings are the ones scan reports, so both agree."""
    findings, counts = budgets.budget_findings(sites, policy)
    rows = []
    for b in policy.budgets:
        uses, limit = counts[b.dir]
        missing = sum(1 for f in findings if f["rule"] == "unlisted-use"
                      and policy.budget_for(f["file"]) == b)
        rows.append({"dir": b.dir, "uses": uses, "budget": limit,
                     "unlisted": missing, "line": b.line})
    return rows, findings


class UpdateError(Exception):
    """--update could not rewrite the policy; str() is the one-line reason."""


BUDGET_LINE = re.compile(rb"^((?:\xef\xbb\xbf)?[ \t]*budget[ \t]+\S+[ \t]+)[0-9]+")


def ratchet(policy, rows):
    """Rewrite lowered budget lines in place (temp file + rename); returns
    the (dir, old, new) lowered.  Never raises a budget.  Works on bytes
    split at LF only, so CRLF line ends and every other byte are kept."""
    lowered = {r["line"]: r for r in rows if r["uses"] < r["budget"]}
    if not lowered:
        return []
    # A symlinked policy: the link stays, its target is updated.
    path = os.path.realpath(policy.path)
    check_writable(policy.path, path)
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        raise UpdateError("%s: cannot read the policy file: %s" % (policy.path, e.strerror))
    for lineno, row in lowered.items():
        m = BUDGET_LINE.match(lines[lineno - 1]) if lineno <= len(lines) else None
        if not m or m.group(1).split()[-1] != os.fsencode(row["dir"]):
            # Edited since it was read: never lower the wrong budget.
            raise UpdateError("%s:%d: the policy changed while kvmdc ran: not updated"
                              % (policy.path, lineno))
        lines[lineno - 1] = m.group(1) + b"%d" % row["uses"] + lines[lineno - 1][m.end():]
    try:
        write_atomically(path, b"\n".join(lines))
    except OSError as e:
        raise UpdateError("%s: cannot update the policy file: %s"
                          % (policy.path, e.strerror or e)) from None
    return [(r["dir"], r["budget"], r["uses"]) for r in lowered.values()]


def check_writable(name, path):
    """Refuse a policy its owner made read-only.  Root passes access(2)
    whatever the mode, so the write bits are looked at too."""
    try:
        st = os.stat(path)
        ro_fs = os.statvfs(os.path.dirname(path)).f_flag & os.ST_RDONLY
    except OSError as e:
        raise UpdateError("%s: cannot update the policy file: %s" % (name, e.strerror))
    if not st.st_mode & 0o222:
        raise UpdateError("%s: the policy file is read-only (mode %04o): not updated"
                          % (name, st.st_mode & 0o7777))
    if ro_fs:
        raise UpdateError("%s: the policy file is on a read-only file system: not updated" % name)
    for what, p in (("the policy file", path), ("its directory", os.path.dirname(path))):
        if not os.access(p, os.W_OK):
            raise UpdateError("%s: cannot update the policy file: %s is not writable"
                              % (name, what))


def write_atomically(path, data):
    """Replace PATH by DATA: a temporary file in the same directory with
    PATH's mode (and owner, when allowed), flushed to disk, renamed over
    PATH, then the directory flushed, so a crash leaves the old or the new
    file, never a half-written one."""
    d = os.path.dirname(path)
    st = os.stat(path)
    fd, tmp = tempfile.mkstemp(prefix=".kvmdc-policy.", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), st.st_mode & 0o7777)
            try:
                os.fchown(f.fileno(), st.st_uid, st.st_gid)
            except PermissionError:
                pass
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def summary_lines(policy, rows, stale, lowered, held):
    out = []
    for r in rows:
        state = "over budget" if r["uses"] > r["budget"] else "within budget"
        out.append("budget %s: %d uses, budget %d, %s, %d unlisted"
                   % (r["dir"], r["uses"], r["budget"], state, r["unlisted"]))
    for a in stale:
        out.append("%s:%d: note: allow entry %s %s() matches no use"
                   % (policy.path, a.line, a.file, a.function))
    for d, old, new in lowered:
        out.append("budget %s lowered: %d -> %d" % (d, old, new))
    for r in held:
        out.append("budget %s not raised (%d uses > %d): raising it is a reviewed edit "
                   "of the policy file" % (r["dir"], r["uses"], r["budget"]))
    return "\n".join(out)


def budget_sites(tree, policy):
    """Every use under the budgeted directories, from the Coccinelle engine
    (no build needed), each with its condition text."""
    files, _ = tree_mod.macro_files(tree)
    files = [f for f in files if policy.budget_for(f)]
    os.environ["KVMDC_POLICY"] = policy.path
    with tempfile.TemporaryDirectory(prefix="kvmdc-budget.") as tmp:
        sites = coccinelle.run(tree, files, os.cpu_count() or 1, tmp)
    return [source.with_condition(s, tree) for s in records.sort_records(sites)]


def parse_args(argv):
    p = argparse.ArgumentParser(prog="kvmdc budget", description=__doc__.split("\n")[0])
    p.add_argument("tree", nargs="?", help="kernel tree (default: the cached 6.12 tree)")
    p.add_argument("--update", action="store_true", help="ratchet budgets down to the current use count")
    p.add_argument("--format", choices=output.FORMATS, default="text")
    p.add_argument("--policy", help="policy file (default: KVMDC_POLICY or kvmdc.policy)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    policy = policy_mod.load(args.policy)
    try:
        tree = os.path.abspath(args.tree or tree_mod.default_tree())
        tree_mod.check_tree(tree)
        sites = budget_sites(tree, policy)
    except KvmdcError as e:
        sys.stderr.write("kvmdc budget: %s\n" % e)
        return 2
    rows, findings = check_budgets(policy, sites)
    try:
        lowered = ratchet(policy, rows) if args.update else []
    except UpdateError as e:
        sys.stderr.write("kvmdc budget: %s\n" % e)
        return 2
    held = [r for r in rows if args.update and r["uses"] > r["budget"]]
    summary = summary_lines(policy, rows, budgets.stale_allows(policy, sites), lowered, held)
    text = output.render(records.sort_records(findings), args.format, summary)
    sys.stdout.write(text)
    return 1 if findings else 0
