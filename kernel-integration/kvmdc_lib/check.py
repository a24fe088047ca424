# SPDX-License-Identifier: GPL-2.0
"""kvmdc check: the `make C=1 CHECK=kvmdc-check` hook.

kbuild runs `$(CHECK) $(CHECKFLAGS) $(c_flags) FILE` after (C=1) or
regardless of (C=2) compiling FILE.  We run real sparse with exactly those
arguments, then the kvmdc GCC plugin on the same file with the compiler
flags taken from them, and print the plugin's findings after sparse's, in
sparse's one-line shape.  The exit status is always 0: kbuild stops the
whole build on a failing CHECK, even for scripts/mod/empty.c in prepare.

Knobs (environment, because kbuild owns the command line):
  KVMDC_SPARSE     the real checker (default: sparse)
  KVMDC_PLUGIN     plugin .so (default: <project>/plugin/kvmdc.so)
  KVMDC_POLICY     policy file (default: kernel-integration/kvmdc.policy)
  KVMDC_FACTS      directory for per-TU facts (default: none)
  KVMDC_STRICT=1   also report undecided conditions
  KVMDC_RULES=R,.. the rules to report (default: all of records.PLUGIN_RULES)
  KVMDC_CHECK_ALL=1  run the plugin on every file (no cheap skip)
  KVMDC_CHECK_CACHE  where results are kept for replay (off: never replay)
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

from . import checkcache, policy as policy_mod, provdb
from .kbuild import ANALYSE_ONLY, analysis_flags, plugin_path, plugin_ran, policy_path, sparse_only
from .records import MACRO_RULES, PLUGIN_RULES
from .source import may_contain_site, mentions_bug

RULE_TAG = re.compile(r"\[kvmdc:([a-z-]+)\]")

DIAG = re.compile(r"^(?P<loc>[^:\s][^:]*:\d+:\d+): (?P<kind>warning|note|error): (?P<msg>.*)$")


def split_args(argv):
    """(sparse-only flags, compiler flags, source) from kbuild's argv.

    kbuild's c_flags always start with -Wp,-MMD,<depfile>, so whatever
    comes before that is CHECKFLAGS (plus the user's CF=).
    """
    source = argv[-1] if argv and argv[-1].endswith(".c") else None
    flags = argv[:-1] if source else list(argv)
    for i, arg in enumerate(flags):
        if arg.startswith(("-Wp,-MMD,", "-Wp,-MD,")):
            return flags[:i], flags[i:], source
    kept = [a for a in flags if not sparse_only(a)]
    return [a for a in flags if a not in kept], kept, source


def diagnostic_prefix(argv):
    """Sparse's -fdiagnostic-prefix[=P]: None when absent, else our label."""
    prefix = None
    for arg in argv:
        if arg == "-fdiagnostic-prefix":
            prefix = "kvmdc"
        elif arg.startswith("-fdiagnostic-prefix="):
            prefix = arg.split("=", 1)[1]
    return prefix


def compiler():
    """kbuild exports CC; a clang build cannot load a GCC plugin."""
    cc = shlex.split(os.environ.get("CC") or "gcc")
    if "clang" in os.path.basename(cc[-1]):
        return None
    return cc


def plugin_command(cc, cflags, source):
    cmd = cc + analysis_flags(cflags) + [
        "-fplugin=" + plugin_path(), "-fplugin-arg-kvmdc-policy=" + policy_path(),
        "-fdiagnostics-color=never", "-fno-diagnostics-show-caret"]
    if os.environ.get("KVMDC_FACTS"):
        cmd.append("-fplugin-arg-kvmdc-facts=" + os.environ["KVMDC_FACTS"])
    if os.environ.get("KVMDC_STRICT") == "1":
        cmd.append("-fplugin-arg-kvmdc-strict")
    # kbuild runs CHECK at the top of the tree: its provenance database.
    cmd += provdb.plugin_args(os.getcwd())[0]
    return cmd + ANALYSE_ONLY + ["-S", "-o", "/dev/null", source]


def selected_rules():
    """(rules, None) from KVMDC_RULES (default: every hook rule), or
    (None, why) when it names a rule the hook does not report."""
    names = [r.strip() for r in (os.environ.get("KVMDC_RULES") or ",".join(PLUGIN_RULES)).split(",")]
    names = [r for r in names if r]
    bad = [r for r in names if r not in PLUGIN_RULES]
    if bad or not names:
        what = "unknown rule '%s'" % ",".join(bad) if bad else "no rule named"
        return None, "KVMDC_RULES: %s (the hook's rules: %s)" % (what, ", ".join(PLUGIN_RULES))
    return names, None


def kvmdc_lines(stderr):
    """Keep the plugin's findings and their notes; drop the compiler's
    own warnings (the real compile already showed them) and context."""
    kept, keep_notes = [], False
    for line in stderr.splitlines():
        m = DIAG.match(line)
        if not m:
            continue
        if "[kvmdc" in m.group("msg"):
            kept.append(m)
            keep_notes = m.group("kind") != "note"
        elif m.group("kind") == "note" and keep_notes:
            kept.append(m)
        else:
            keep_notes = False
    return kept


def first_error(stderr):
    for line in stderr.splitlines():
        if ": error: " in line or "fatal error" in line:
            return line.strip()
    lines = stderr.strip().splitlines()
    return lines[-1] if lines else "compiler failed"


def may_hold_bug_site(source):
    """Rule bug-on-guest: a file under the policy's bug-scope that writes
    BUG_ON( or BUG( (its quoted headers are judged with their includers)."""
    try:
        pol = policy_mod.load(os.environ.get("KVMDC_POLICY") or None)
    except (OSError, policy_mod.PolicyError):
        return False
    return pol.in_bug_scope(os.path.relpath(os.path.abspath(source))) and mentions_bug(source)


def plugin_result(cmd, source):
    """(kvmdc's diagnostic lines, None) or (lines, why the plugin did not
    run); replayed when nothing the run read has changed."""
    hit = checkcache.lookup(cmd)
    if hit is not None:
        return hit
    # C locale: plain quotes, as in sparse's lines next to ours.
    env = dict(os.environ, LC_ALL="C")
    with tempfile.TemporaryDirectory(prefix="kvmdc-check.") as tmp:
        deps = os.path.join(tmp, "deps")
        proc = subprocess.run(cmd[:-1] + ["-MD", "-MF", deps, cmd[-1]],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, errors="replace", env=env)
        lines = [[m.group("loc"), m.group("kind"), m.group("msg")]
                 for m in kvmdc_lines(proc.stderr)]
        if not plugin_ran(proc.stderr):
            return lines, first_error(proc.stderr)
        checkcache.store(cmd, deps, [lines, None])
    return lines, None


def of_rules(lines, rules):
    """The findings of RULES, each with the notes that follow it.  A line
    tagged [kvmdc] alone (a use left unanalysed) is the macro's."""
    kept, keep = [], False
    for loc, kind, msg in lines:
        if "[kvmdc" in msg:
            tag = RULE_TAG.search(msg)
            keep = tag.group(1) in rules if tag else \
                any(r in MACRO_RULES for r in rules)
        if keep:
            kept.append((loc, kind, msg))
    return kept


def may_hold_site(source, cflags, rules):
    if any(r in MACRO_RULES for r in rules) and may_contain_site(source, cflags):
        return True
    return "bug-on-guest" in rules and may_hold_bug_site(source)


def run_plugin(cflags, source, prefix):
    cc = compiler()
    rules, why = selected_rules()
    if why:
        print("%s: kvmdc: note: plugin not run: %s" % (source, why), file=sys.stderr)
        return
    if cc is None or not may_hold_site(source, cflags, rules):
        return
    lines, why = plugin_result(plugin_command(cc, cflags, source), source)
    label = "%s: " % prefix if prefix else ""
    for loc, kind, msg in of_rules(lines, rules):
        print("%s: %s%s: %s" % (loc, label, kind, msg), file=sys.stderr)
    if why:
        print("%s: kvmdc: note: plugin not run: %s" % (source, why), file=sys.stderr)


def run_sparse(argv):
    sparse = shlex.split(os.environ.get("KVMDC_SPARSE") or "sparse")
    try:
        subprocess.run(sparse + argv)
    except OSError as e:
        print("kvmdc: cannot run %s: %s" % (sparse[0], e.strerror), file=sys.stderr)


def main(argv):
    """Always 0: a failing CHECK would stop kbuild."""
    run_sparse(argv)
    sys.stderr.flush()
    _, cflags, source = split_args(argv)
    if source:
        try:
            run_plugin(cflags, source, diagnostic_prefix(argv))
        except (OSError, UnicodeError) as e:
            print("%s: kvmdc: note: plugin not run: %s" % (source, e), file=sys.stderr)
    return 0
