# SPDX-License-Identifier: GPL-2.0
"""kvmdc db [TREE] [-j N] [--policy FILE] [--no-build]

Builds the whole-build provenance database TREE/.kvmdc.db: kbuild compiles
arch/x86/kvm/ (virt/kvm/ builds there) with the plugin writing facts into
TREE/.kvmdc-facts/ (one file per object, replaced when it recompiles), then
the facts of every unit are resolved to a fixpoint (kernel-integration/
DATABASE.md).  The plugin's path is named by its hash, so kbuild rebuilds
an object only when the plugin or its sources changed: re-running after an
edit costs that compile plus the resolve.  --no-build resolves the facts
already there.  Exit 0 on success, 2 on a usage or build error.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time

from . import DEFAULT_POLICY, KvmdcError
from . import kbuild, provdb, provenance
from . import tree as tree_mod
from .tree import CACHE, BUILD_LOCK


def hashed_copy(src, prefix):
    """A copy of SRC named by its hash (tests/kernel/series/plugin-copy.sh):
    kbuild rebuilds when its command line changes, so an object is rebuilt
    when the plugin or the policy changed, and only then.  The base name
    stays (kvmdc.so is the -fplugin-arg-kvmdc- prefix)."""
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    dest = os.path.join(CACHE, prefix + digest, os.path.basename(src))
    if not os.path.exists(dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = "%s.%d" % (dest, os.getpid())
        shutil.copyfile(src, tmp)
        os.rename(tmp, dest)
    return dest


def units(tree):
    """Tree-relative sources kbuild built for the KVM objects."""
    out = []
    for d in tree_mod.built_kvm_dirs(tree):
        for root, _, files in os.walk(os.path.join(tree, d)):
            for name in files:
                if name.startswith(".") and name.endswith(".o.cmd"):
                    src = os.path.relpath(os.path.join(root, name[1:-6] + ".c"), tree)
                    if os.path.exists(os.path.join(tree, src)):
                        out.append(src)
    return sorted(out)


def facts_path(facts, src):
    return os.path.join(facts, src + ".jsonl")


def whole(path):
    """Whether the facts file PATH exists and ends at a line end."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return True
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"
    except OSError:
        return False


def build(tree, jobs, policy):
    facts = os.path.join(tree, provdb.FACTS_DIR)
    os.makedirs(facts, exist_ok=True)
    if not os.path.exists(kbuild.plugin_path()):
        raise KvmdcError("%s missing: run make first" % kbuild.plugin_path())
    kcflags = ["-fplugin=" + hashed_copy(kbuild.plugin_path(), "plugin-"),
               "-fplugin-arg-kvmdc-policy=" + hashed_copy(policy, "policy-"),
               "-fplugin-arg-kvmdc-facts=" + os.path.realpath(facts),
               "-fplugin-arg-kvmdc-level=note"]
    # The architecture's KVM directory builds virt/kvm/ too.
    targets = [d + "/" for d in tree_mod.built_kvm_dirs(tree) if d.startswith("arch/")]
    cmd = ["flock", BUILD_LOCK, "make", "-C", tree, "-s", "-j%d" % jobs,
           "KCFLAGS=" + " ".join(kcflags)]
    # Objects already built with this command but whose facts are gone or
    # half-written (a compile killed while writing them) are built again:
    # their object is removed (make -W does not reach kbuild's sub-makes).
    for src in units(tree):
        obj = os.path.join(tree, src[:-2] + ".o")
        if not whole(facts_path(facts, src)) and os.path.exists(obj):
            os.unlink(obj)
    cmd += targets
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         errors="replace")
    if res.returncode:
        raise KvmdcError("kbuild of %s with the plugin failed: %s"
                         % (" ".join(targets), (res.stderr.strip().splitlines() or ["?"])[-1]))
    return facts


def resolve(tree, facts):
    """Resolve the facts of the units kbuild built; stale files of units no
    longer built are left out."""
    t0 = time.time()
    b = provenance.Build()
    problems, counts = [], {}
    built = set(units(tree))
    for src in sorted(built):
        path = facts_path(facts, src)
        if not os.path.exists(path):
            continue
        try:
            recs = provenance.read_unit(path)
        except provenance.FactsError as e:
            problems.append(str(e))
            continue
        b.add_unit(src, recs)
        counts[src] = len(recs)
    r = provenance.Resolver(b)
    evaluations = r.solve()
    path, size = provdb.write(tree, b, r, {"evaluations": evaluations, "units": counts})
    return b, r, problems, evaluations, time.time() - t0, path, size


def summary(tree, b, r, evaluations, secs, path, size):
    def count(kind):
        return sum(1 for n in r.fields if kind == provdb.class_name(r.get(("field", n))))
    sites = [r.site_verdict(s)[0] for s in b.sites]
    return ("kvmdc db: %s: %d units, %d functions, %d calls, %d stores, %d bindings; "
            "fields %d guest, %d host, %d unknown; sites %d (%d host, %d guest, %d unknown); "
            "%d evaluations, resolved in %.1f s; %s %d KiB" % (
                tree, len(set(s["tu"] for s in b.summaries.values())), len(b.summaries),
                len(b.calls), sum(len(v) for v in b.stores.values()),
                sum(len(v) for v in b.binds.values()) + len(b.static_binds),
                count("guest"), count("host"), count("unknown"), len(sites),
                sites.count("host"), sites.count("guest"), sites.count("unknown"),
                evaluations, secs, path, size // 1024))


def main(argv):
    ap = argparse.ArgumentParser(prog="kvmdc db", description=__doc__.strip().split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", nargs="?", help="configured kernel tree (default: the cached 6.12)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--policy", default=DEFAULT_POLICY)
    ap.add_argument("--no-build", action="store_true",
                    help="resolve the facts already in TREE/%s" % provdb.FACTS_DIR)
    args = ap.parse_args(argv)
    try:
        tree = os.path.realpath(args.tree or tree_mod.default_tree())
        tree_mod.check_tree(tree)
        if not os.path.exists(os.path.join(tree, ".config")):
            raise KvmdcError("%s is not configured (no .config)" % tree)
        if not os.path.isfile(args.policy):
            raise KvmdcError("%s: no such policy file" % args.policy)
        facts = os.path.join(tree, provdb.FACTS_DIR)
        if not args.no_build:
            facts = build(tree, args.jobs, args.policy)
        b, r, problems, evaluations, secs, path, size = resolve(tree, facts)
    except (KvmdcError, provdb.DbError) as e:
        sys.stderr.write("kvmdc db: %s\n" % e)
        return 2
    for p in problems:
        sys.stderr.write("kvmdc db: %s; unit left out (recompile it)\n" % p)
    print(summary(tree, b, r, evaluations, secs, path, size))
    return 0
