# SPDX-License-Identifier: GPL-2.0
"""kbuild's records of a configured, built tree, and the plugin run with them.

kbuild records the exact compiler command of every object in
DIR/.NAME.o.cmd.  Re-running that command with the plugin added, on a copy
of the source held elsewhere, checks one file in the time of one compile,
with no `make prepare` and without running any Makefile: `kvmdc review`
relies on that to analyse files a series touched without trusting the
series' build rules.  `kvmdc scan --build` instead has kbuild itself
recompile the objects that hold a site, with the plugin in KCFLAGS.
"""
import os
import re
import shlex
import subprocess
import tempfile

from . import DEFAULT_POLICY, KvmdcError, PROJECT, plugincache, provdb, records, sandbox
from . import tree as tree_mod

DEPS_LINE = re.compile(r"^\s+(\S+)\s+\\$", re.M)
# CHECKFLAGS (top Makefile) and common CF= additions: sparse-only, or
# meaningless/harmful to gcc (-D__STDC__ redefines a builtin, -mlittle-endian
# is rejected on x86, -D__CHECKER__ switches compiler_types.h to sparse's
# attributes).
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


def sparse_only(arg):
    return arg in SPARSE_ONLY or arg.startswith(SPARSE_ONLY_PREFIXES)


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
        elif sparse_only(arg):
            continue
        elif arg.startswith("-fplugin-arg-kvmdc-") or (
                arg.startswith("-fplugin=") and arg.endswith("/kvmdc.so")):
            continue    # a tree built by kvmdc db: the caller adds its own plugin
        else:
            out.append(arg)
    return out


def cmd_file(tree, source):
    """kbuild's record for SOURCE (tree-relative, normalised .c)."""
    d, name = os.path.split(source)
    return os.path.join(tree, d, "." + name[:-2] + ".o.cmd")


def recorded_command(tree, source):
    """The compiler argv kbuild used for SOURCE, without the source, -c and
    -o; None when never built.  The record may chain objtool and other
    steps after ';': only the compiler part is kept.  kbuild may name the
    source unnormalised (arch/x86/kvm/../../../virt/kvm/kvm_main.c).
    """
    try:
        with open(cmd_file(tree, source), encoding="utf-8", errors="replace") as f:
            first = f.readline()
    except OSError:
        return None
    m = re.match(r"^(?:saved)?cmd_\S+ := (.*)$", first)
    if not m:
        return None
    lexer = shlex.shlex(m.group(1), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    argv, found, skip = [], False, False
    for tok in lexer:
        if tok in (";", "&&", "||", "|"):
            break
        if skip:
            skip = False
        elif tok == "-o":
            skip = True
        elif os.path.normpath(tok) == source:
            found = True
        elif tok != "-c":
            argv.append(tok)
    return argv if found else None


def recorded_deps(tree, source):
    """Files kbuild saw SOURCE include (from the same record)."""
    try:
        with open(cmd_file(tree, source), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return set()
    return {os.path.normpath(p) for p in DEPS_LINE.findall(text)}


def mirror_includes(argv, mirror):
    """Put MIRROR's copy of each include directory first, so that the
    touched headers held in MIRROR win over the tree's own."""
    extra = []
    for opt in ("-iquote", "-I"):
        for i, arg in enumerate(argv):
            d = argv[i + 1] if arg == opt and i + 1 < len(argv) else (
                arg[len(opt):] if arg.startswith(opt) and arg != opt else None)
            if d and not os.path.isabs(d) and os.path.isdir(os.path.join(mirror, d)):
                extra += [opt, os.path.join(mirror, d)]
    return extra


# The note of -fplugin-arg-kvmdc-time: the plugin's pass ran to its end.
PASS_RAN = "kvmdc: pass "
# The plugin runs on GIMPLE in SSA form (-fsyntax-only stops too early);
# analyse-only stops gcc right after its pass (no later pass, no output,
# exit status 1): parsing is most of what is left.  Success is
# plugin_ran(), not gcc's status.
ANALYSE_ONLY = ["-fplugin-arg-kvmdc-analyse-only", "-fplugin-arg-kvmdc-time"]


def warning_option(arg):
    """-W options (not -Wp,/-Wa,/-Wl, which pass options on)."""
    return arg.startswith("-W") and not arg.startswith(("-Wp,", "-Wa,", "-Wl,"))


def analysis_flags(cflags):
    """gcc_flags() for an analyse-only run, also without the compiler's own
    warnings: nobody reads them there (the real compile printed them),
    they do not change the IR the plugin reads (records byte-identical
    over 6.12's arch/x86/kvm/), and -Wmisleading-indentation alone
    re-reads every source line: a tenth of the run."""
    return [a for a in gcc_flags(cflags) if not warning_option(a)]


def plugin_ran(stderr):
    return PASS_RAN in stderr


def plugin_argv(argv, tree, source, mirror, facts, strict=False, analyse_only=False):
    """ARGV (a recorded command) turned into a plugin run of MIRROR/SOURCE:
    no object, no dependency file, no -Werror.  A full compile unless
    ANALYSE_ONLY (then success is plugin_ran(), not gcc's status)."""
    cc = argv[:1]
    out = analysis_flags(argv[1:]) if analyse_only else gcc_flags(argv[1:])
    src_dir = os.path.dirname(source) or "."
    cmd = cc + mirror_includes(out, mirror) + ["-iquote", src_dir] + out + [
        "-fplugin=" + plugin_path(), "-fplugin-arg-kvmdc-policy=" + policy_path(),
        "-fplugin-arg-kvmdc-facts=" + facts, "-fdiagnostics-color=never"] + \
        provdb.plugin_args(tree)[0] + (ANALYSE_ONLY if analyse_only else []) + \
        ["-S", "-o", "/dev/null", os.path.join(mirror, source)]
    if strict:
        cmd.insert(-4, "-fplugin-arg-kvmdc-strict")
    return cmd


def plugin_path():
    return os.environ.get("KVMDC_PLUGIN") or os.path.join(PROJECT, "plugin", "kvmdc.so")


def policy_path():
    return os.environ.get("KVMDC_POLICY") or DEFAULT_POLICY


def run_plugin(tree, source, mirror, strict=False, bug_sites=False):
    """Site records of MIRROR/SOURCE compiled as kbuild compiled SOURCE in
    TREE (plain BUG_ON()/BUG() sites too with BUG_SITES).  Returns
    (records, None) or (None, one-line reason)."""
    argv = recorded_command(tree, source)
    if not argv:
        return None, "no kbuild record %s" % os.path.relpath(cmd_file(tree, source), tree)
    if not os.path.exists(plugin_path()):
        return None, "plugin %s not built (make)" % plugin_path()
    with tempfile.TemporaryDirectory(prefix="kvmdc-facts-") as facts:
        proc = subprocess.run(plugin_argv(argv, tree, source, mirror, facts, strict, analyse_only=True),
                              cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, errors="replace", env=dict(os.environ, LC_ALL="C"))
        if not plugin_ran(proc.stderr):
            return None, "%s: compiler failed: %s" % (source, last_error(proc.stderr))
        recs = records.read_facts(facts, tree, bug_sites)
    return unmirror_records(recs, mirror, tree), None


def unmirror_records(recs, mirror, tree):
    for rec in recs:
        rec["file"] = unmirror(rec["file"], mirror, tree)
        if rec.get("branch", {}).get("file"):
            rec["branch"]["file"] = unmirror(rec["branch"]["file"], mirror, tree)
        for src in rec.get("sources") or []:
            if src.get("file"):
                src["file"] = unmirror(src["file"], mirror, tree)
    return recs


class Confined:
    """One plugin compile for kvmdc review: facts under the scratch
    directory, bounded by rlimits and the caller's time, a clean
    environment (no CPATH or GCC_EXEC_PREFIX from the caller) and, when
    SANDBOXED, inside a sandbox that sees only /usr, TREE and SCRATCH
    (read-only) and its facts directory.  The compiler's messages are
    never quoted, only counted: they may hold any line it read.

    KEEP: MIRROR holds the tree's own bytes (a review's base side), so the
    records are the tree's and plugincache may give and keep them; job is
    then None when it gave them (cached)."""

    def __init__(self, tree, source, mirror, strict, scratch, sandboxed, bug_sites=False,
                 keep=False):
        self.tree, self.source, self.mirror = tree, source, mirror
        self.bug_sites = bug_sites
        self.error, self.job, self.cached, self.entry = None, None, None, None
        argv = recorded_command(tree, source)
        if not argv:
            self.error = "no kbuild record %s" % os.path.relpath(cmd_file(tree, source), tree)
            return
        if not os.path.exists(plugin_path()):
            self.error = "plugin %s not built (make)" % plugin_path()
            return
        if keep:
            options = ["strict"] * strict + ["bug-sites"] * bug_sites
            self.entry = plugincache.key(tree, source, argv, options,
                                         (plugin_path(), policy_path()))
            self.cached = plugincache.lookup(tree, self.entry)
            if self.cached is not None:
                return
        self.facts = tempfile.mkdtemp(prefix="facts-", dir=scratch)
        cmd = plugin_argv(argv, tree, source, mirror, self.facts, strict, analyse_only=True)
        if self.entry:
            # gcc's own list of what it read: the entry's dependencies.
            cmd[-1:-1] = ["-MD", "-MF", os.path.join(self.facts, "deps")]
        if sandboxed:
            ro = [os.path.realpath(p) for p in (tree, scratch, plugin_path(), policy_path())]
            cmd = sandbox.wrap(cmd, tree, read_only=ro, writable=[self.facts])
        self.job = dict(cmd=cmd, cwd=tree, env=COMPILE_ENV, mem=COMPILE_MEMORY)

    def records(self, res, timeout):
        """(records, None) or (None, one-line reason) from its Result."""
        if self.error:
            return None, self.error
        if self.cached is not None:
            return self.cached, None
        err = compile_failure(self.source, res, timeout)
        if err:
            return None, err
        recs = unmirror_records(records.read_facts(self.facts, self.tree, self.bug_sites),
                                self.mirror, self.tree)
        if self.entry:
            plugincache.store(self.tree, self.entry, self.mirror,
                              os.path.join(self.facts, "deps"), recs)
        return recs, None


COMPILE_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
# Address space of one compile: cc1 with the plugin peaks at 260 MB
# resident on x86.c (6.12); 1 GiB leaves room and stops a macro bomb early.
COMPILE_MEMORY = 1 << 30


def compile_failure(source, res, timeout):
    """One line summarising why a bounded compile failed, None when it did
    not.  The compiler's own words may quote any file it read: never shown."""
    err = res.stderr.decode("utf-8", "replace")
    if res.timed_out:
        return "%s: compile stopped at the time limit (%d s)" % (source, timeout)
    if "memory exhausted" in err or "out of memory" in err or "Cannot allocate memory" in err:
        return "%s: compile stopped: out of memory (limit %d MiB)" % (
            source, COMPILE_MEMORY >> 20)
    if res.returncode < 0:
        return "%s: compile killed by signal %d (time or size limit)" % (source, -res.returncode)
    if not plugin_ran(err):
        n = sum(1 for l in err.splitlines() if ": error: " in l or ": fatal error: " in l)
        return "%s does not compile: %d error%s" % (source, n, "" if n == 1 else "s")
    return None


def unmirror(path, mirror, tree):
    """Tree-relative name of a path the compiler saw in MIRROR or TREE."""
    for root in (mirror, tree):
        root = os.path.realpath(root) + os.sep
        real = os.path.realpath(os.path.join(tree, path))
        if real.startswith(root):
            return real[len(root):]
    return records.relative(path, tree)


def last_error(stderr):
    errors = [l for l in stderr.splitlines() if "error" in l]
    return (errors or stderr.strip().splitlines() or ["?"])[0].strip()


def includers(tree, header, roots):
    """Built sources under ROOTS (tree-relative dirs) whose kbuild record
    lists HEADER among their dependencies."""
    found = []
    for root in roots:
        for d, _, files in os.walk(os.path.join(tree, root)):
            for name in files:
                if not (name.startswith(".") and name.endswith(".o.cmd")):
                    continue
                source = os.path.relpath(os.path.join(d, name[1:-6] + ".c"), tree)
                if os.path.exists(os.path.join(tree, source)) and \
                        header in recorded_deps(tree, source):
                    found.append(source)
    return sorted(set(found))


def build_sources(tree, files):
    """KVM .c files of the configured architecture to compile for FILES:
    the sources among them, and the includers of the headers."""
    dirs = tree_mod.built_kvm_dirs(tree)
    sources = set()
    for f in files:
        if not tree_mod.in_kvm(f, dirs):
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


def build_with_plugin(tree, files, jobs, tmp, pol, strict, progress=None):
    """(site records (engine gcc), sources) from kbuild recompiling the
    KVM objects that hold FILES' sites with the plugin in KCFLAGS."""
    sources = build_sources(tree, files)
    if not sources:
        return [], []
    if not os.path.exists(plugin_path()):
        raise KvmdcError("%s missing: run make first" % plugin_path())
    if not os.path.exists(os.path.join(tree, ".config")):
        raise KvmdcError("--build needs a configured tree (%s has no .config)" % tree)
    facts = os.path.join(tmp, "facts")
    os.mkdir(facts)
    kcflags = ["-fplugin=" + plugin_path(), "-fplugin-arg-kvmdc-policy=" + pol.path,
               "-fplugin-arg-kvmdc-facts=" + facts, "-fplugin-arg-kvmdc-level=note"]
    if strict:
        kcflags.append("-fplugin-arg-kvmdc-strict")
    kcflags += provdb.plugin_args(tree)[0]
    # Facts are written by the compile.  The KCFLAGS name a new facts
    # directory on every run, so kbuild's command check (if_changed)
    # recompiles each object; make -W would not reach kbuild's sub-makes.
    cmd = ["flock", tree_mod.BUILD_LOCK, "make", "-C", tree, "-s", "-j%d" % jobs,
           "KCFLAGS=" + " ".join(kcflags)]
    cmd += [src[:-2] + ".o" for src in sources]
    if progress:
        progress(" building %d object(s) with the plugin" % len(sources))
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode:
        raise KvmdcError("kbuild with the plugin failed: %s"
                         % (res.stderr.strip().splitlines() or ["?"])[-1])
    recs = records.read_facts(facts, tree)
    for r in recs:
        r.setdefault("engine", "gcc")
    return recs, sources
