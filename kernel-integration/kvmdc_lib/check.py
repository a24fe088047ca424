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
  KVMDC_CHECK_ALL=1  run the plugin on every file (no cheap skip)
"""
import glob
import os
import re
import shlex
import subprocess
import sys

from . import DEFAULT_POLICY, MACRO, PROJECT, provdb
from . import policy as policy_mod

# CHECKFLAGS (top Makefile) and common CF= additions: sparse-only, or
# meaningless/harmful to gcc (-D__STDC__ redefines a builtin, -mlittle-endian
# is rejected on x86, -D__CHECKER__ switches compiler_types.h to sparse's
# attributes).  Used only when kbuild's c_flags marker is missing.
SPARSE_ONLY = {
    "-D__linux__", "-Dlinux", "-D__STDC__", "-Dunix", "-D__unix__",
    "-D__CHECKER__", "-D__CHECK_ENDIAN__", "-mlittle-endian", "-mbig-endian",
}
SPARSE_ONLY_PREFIXES = ("--arch=", "-fdiagnostic-prefix", "-fmax-warnings",
                        "-Wsparse", "-Wbitwise", "-Wno-bitwise", "-Wcontext",
                        "-Wno-context", "-Wdecl", "-Wno-decl", "-Waddress-space",
                        "-Wno-address-space", "-Wcast-to-as", "-Wno-return-void",
                        "-Wno-unknown-attribute", "-Wptr-subtraction-blows",
                        "-Wone-bit-signed-bitfield", "-Wdefault-bitfield-sign",
                        "-Wtransparent-union", "-Wtypesign")

DIAG = re.compile(r"^(?P<loc>[^:\s][^:]*:\d+:\d+): (?P<kind>warning|note|error): (?P<msg>.*)$")
DEFINE_LINE = re.compile(r"^\s*#\s*define\s+" + MACRO + r"\b.*$", re.M)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
PASS_RAN = "kvmdc: pass "    # the note of -fplugin-arg-kvmdc-time
QUOTE_INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)


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
    kept = [a for a in flags
            if a not in SPARSE_ONLY and not a.startswith(SPARSE_ONLY_PREFIXES)]
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


def gcc_flags(cflags):
    """Compiler flags for an analysis-only run: no dependency file (it
    would clobber kbuild's), no -Werror (a checker reports, it does not
    fail), and no sparse-only flag that a CF= may have slipped in."""
    out, skip = [], False
    for arg in cflags:
        if skip:
            skip = False
        elif arg in ("-MF", "-MT", "-MQ"):
            skip = True
        elif arg in ("-MD", "-MMD", "-Werror") or arg.startswith(("-Wp,-M", "-Werror=")):
            continue
        elif arg in SPARSE_ONLY or arg.startswith(SPARSE_ONLY_PREFIXES):
            continue
        elif arg.startswith("-fplugin-arg-kvmdc-") or (
                arg.startswith("-fplugin=") and arg.endswith("/kvmdc.so")):
            continue    # a tree built by kvmdc db: the caller adds its own plugin
        else:
            out.append(arg)
    return out


def include_dirs(cflags, option):
    """Directories given to OPTION (-I or -iquote), joined or separate."""
    dirs = []
    for i, arg in enumerate(cflags):
        if arg == option and i + 1 < len(cflags):
            dirs.append(cflags[i + 1])
        elif arg.startswith(option) and len(arg) > len(option):
            dirs.append(arg[len(option):])
    return dirs


def quoted_closure(source, cflags):
    """The source and every file reachable through #include "..." lines,
    resolved as gcc does: the includer's directory, -iquote, then -I."""
    search = include_dirs(cflags, "-iquote") + include_dirs(cflags, "-I")
    seen, todo = set(), [source]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            with open(path, "rb") as f:
                text = f.read()
        except OSError:
            continue
        for name in QUOTE_INCLUDE.findall(text):
            name = name.decode("utf-8", "replace")
            for d in [os.path.dirname(path)] + search:
                cand = os.path.normpath(os.path.join(d, name))
                if os.path.isfile(cand):
                    todo.append(cand)
                    break
    return seen


def kvm_headers(cflags):
    """KVM's own angle-included headers, where a static inline or a
    wrapper macro around the macro would most plausibly live."""
    arches = {m.group(1) for d in include_dirs(cflags, "-I")
              for m in [re.search(r"arch/([^/]+)/include", d)] if m}
    paths = glob.glob("include/linux/kvm*.h") + glob.glob("include/kvm/*.h")
    for arch in sorted(arches):
        paths += glob.glob("arch/%s/include/asm/kvm*.h" % arch)
    return paths


def mentions_macro(path):
    """True when PATH uses the macro outside comments and its #define."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if MACRO.encode() not in data:
        return False
    text = COMMENT.sub(" ", data.decode("utf-8", "replace"))
    return MACRO in DEFINE_LINE.sub(" ", text)


def may_contain_site(source, cflags):
    """Cheap, conservative test run before the plugin.

    A site needs the macro name in the translation unit.  We look in the
    source, everything it reaches by quoted includes (paging_tmpl.h from
    mmu.c, mmu_internal.h...) and KVM's own headers.  Not seen: a wrapper
    macro or static inline in some other angle-included header, or a
    -include'd file; KVMDC_CHECK_ALL=1 turns the test off.
    """
    if os.environ.get("KVMDC_CHECK_ALL") == "1":
        return True
    files = quoted_closure(source, cflags) | set(kvm_headers(cflags))
    return any(mentions_macro(p) for p in files)


def compiler():
    """kbuild exports CC; a clang build cannot load a GCC plugin."""
    cc = shlex.split(os.environ.get("CC") or "gcc")
    if "clang" in os.path.basename(cc[-1]):
        return None
    return cc


def plugin_command(cc, cflags, source):
    plugin = os.environ.get("KVMDC_PLUGIN") or os.path.join(PROJECT, "plugin", "kvmdc.so")
    policy = os.environ.get("KVMDC_POLICY") or DEFAULT_POLICY
    cmd = cc + gcc_flags(cflags) + [
        "-fplugin=" + plugin, "-fplugin-arg-kvmdc-policy=" + policy,
        "-fdiagnostics-color=never", "-fno-diagnostics-show-caret"]
    if os.environ.get("KVMDC_FACTS"):
        cmd.append("-fplugin-arg-kvmdc-facts=" + os.environ["KVMDC_FACTS"])
    if os.environ.get("KVMDC_STRICT") == "1":
        cmd.append("-fplugin-arg-kvmdc-strict")
    # kbuild runs CHECK at the top of the tree: its provenance database.
    cmd += provdb.plugin_args(os.getcwd())[0]
    # The plugin runs on GIMPLE in SSA form: -fsyntax-only stops too early.
    # Slim LTO output stops gcc after the early passes (half the cpu of a
    # full -S; same facts and findings).  What fails after the plugin's
    # pass (an LTO section conflict in percpu headers) does not matter:
    # the pass's time note tells that it ran.
    return cmd + ["-flto", "-fno-fat-lto-objects", "-fplugin-arg-kvmdc-time",
                  "-S", "-o", "/dev/null", source]


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
        if not pol.in_bug_scope(os.path.relpath(os.path.abspath(source))):
            return False
        with open(source, "rb") as f:
            return re.search(rb"\bBUG(_ON)?\s*\(", f.read()) is not None
    except (OSError, policy_mod.PolicyError):
        return False


def run_plugin(cflags, source, prefix):
    cc = compiler()
    if cc is None or not (may_contain_site(source, cflags) or may_hold_bug_site(source)):
        return
    # C locale: plain quotes, as in sparse's lines next to ours.
    env = dict(os.environ, LC_ALL="C")
    proc = subprocess.run(plugin_command(cc, cflags, source), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, errors="replace", env=env)
    lines = kvmdc_lines(proc.stderr)
    for m in lines:
        label = "%s: " % prefix if prefix else ""
        print("%s: %s%s: %s" % (m.group("loc"), label, m.group("kind"), m.group("msg")),
              file=sys.stderr)
    if PASS_RAN not in proc.stderr:
        print("%s: kvmdc: note: plugin not run: %s" % (source, first_error(proc.stderr)),
              file=sys.stderr)


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
