# SPDX-License-Identifier: GPL-2.0
"""The Coccinelle engine: spatch over a tree's files, its records, and
the uses it could not parse (reported, never dropped)."""
import hashlib
import json
import os
import re
import shutil
import sys
import time

from . import INTEGRATION, KvmdcError, PROJECT, bounded, policy, provdb, records, source
from . import tree as tree_mod
from .tree import CACHE

COCCI_DIR = os.path.join(PROJECT, "cocci")

SCRIPT = os.path.join(COCCI_DIR, "kvm_bug_on_data_corruption.cocci")
# Rule bug-on-guest: the same script, its sites the plain BUG_ON()/BUG()s.
BUG_RULE = "bug_on_guest"
MACROS = os.path.join(COCCI_DIR, "kvmdc-macros.h")
# Declarations of what Coccinelle cannot type from the files it reads
# (`current`), given to it as one more header for types.
TYPES = os.path.join(COCCI_DIR, "kvmdc-types.h")
STANDARD_H = ("/usr/lib/coccinelle/standard.h", "/usr/local/lib/coccinelle/standard.h")
RECORD = "kvmdc-record: "
# Records of a trusted run, per file, keyed by everything they depend on.
RESULTS = os.path.join(CACHE, "cocci-results")
# What the static inlines of a tree's KVM headers return (the header
# pass), keyed by the headers and the engine.
SUMMARIES = os.path.join(CACHE, "cocci-summaries")
SUMMARY = "kvmdc-summary: "
# What the source-level engine reads besides the file: the KVM headers
# (struct member types) and the file's quoted includes.
KVM_TYPE_HEADERS = ("include/linux/kvm_host.h", "arch/x86/include/asm/kvm_host.h")
# Per file: the hard bound of one file's analysis (a file that takes
# longer is reported by spatch and skipped, its uses not analysed).
SPATCH_TIMEOUT = int(os.environ.get("KVMDC_SPATCH_TIMEOUT") or 60)
# spatch finds the Python of the script's rules by running `python3` from
# PATH (then ldd and ldconfig on it).  Where PATH leads to a version
# manager's shims (pyenv's are bash scripts) that alone took 0.8 s of every
# spatch run, more than most files' analysis; Debian's coccinelle is built
# for, and depends on, Debian's python3.
SPATCH_PYTHON = "/usr/bin/python3"
# Starts with a literal, so re looks for '#' first (anchoring each line with
# ^\s* under re.M tries the pattern at every offset, 20 times slower); the
# start of the line is checked by hand.
QUOTED_INCLUDE = re.compile(rb'#[ \t]*include[ \t]*"([^"]+)"')
# Per process: path -> ((inode, size, mtime, ctime), sha256, quoted includes).
SEEN = {}
# The same for trusted runs, kept across them (as git's index keeps file
# stats): a warm scan stats its inputs instead of reading and hashing
# them.  A write always changes ctime, which no user can set back.
DIGESTS = os.path.join(CACHE, "file-digests.json")
DIGESTS_MAX = 20000
KNOWN = {"loaded": False, "dirty": False, "files": {}}


def progress(msg):
    if sys.stderr.isatty():
        sys.stderr.write("kvmdc scan:%s\n" % msg)


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


def run(tree, files, jobs, tmp, rule=None, timeout=None, confine=None, db=True, keep=None):
    """Records of the semantic patch over FILES: the macro's sites, or
    with RULE BUG_RULE the plain BUG_ON()/BUG()s under the policy's
    bug-scope.  A trusted run (no TIMEOUT) reuses the records of files
    whose inputs have not changed since an earlier run, and keeps its
    own; KEEP says so for a timed run (kvmdc review's base side: the base
    tree's own bytes, never a series').  DB: the provenance database the
    verdicts read (True: the tree's own when usable, None: none)."""
    if not files:
        return []
    start = time.monotonic()
    if db is True:
        # Rule bug-on-guest is judged per file for now: with 6.12's
        # database 8 more BUG_ON()/BUG() sites come out guest, not yet
        # reviewed against the plugin's nor the policy's bug-allow lines.
        db = None if rule else provdb.usable(tree)[0]
    trusted = timeout is None
    keep = trusted if keep is None else keep
    summaries, skey = header_summaries(tree, tmp, timeout, confine, db)
    if not trusted:
        timeout = max(1, timeout - (time.monotonic() - start))
    try:
        skey += read_file(provdb.export_path(db), trusted)[0].hex() if db else ""
    except OSError:
        db = None
    cached, keys = cache_lookup(tree, files, rule or SCRIPT, skey, trusted) if keep else ({}, {})
    todo = [f for f in files if f not in cached]
    recs, stopped = spatch_records(tree, todo, jobs, tmp, rule, timeout, confine,
                                   (summaries, db))
    if keep:
        # A file stopped at the time limit is not cached: the next run tries again.
        cache_store([f for f in todo if f not in stopped], keys, recs)
    recs += [r for f in files if f in cached for r in cached[f]]
    if rule:
        return recs
    for r in recs:
        # The one condition text (review and budget match by it).
        cond = source.condition_text(os.path.join(tree, r["file"]), r["line"], r["col"])
        if cond is not None:
            r["condition"] = cond
    return recs + unparsed_sites(tree, files, recs)


def engine_files():
    """The engine (cocci/ and the policy reader), the policy and the macro
    files: what every record and summary depends on.  Folded into keys by
    base name and contents, so that two checkouts of the project share
    the cache."""
    paths = [os.path.join(COCCI_DIR, n) for n in sorted(os.listdir(COCCI_DIR))
             if n.endswith((".cocci", ".py", ".h"))]
    paths += [os.path.join(INTEGRATION, "kvmdc_lib", "policy.py"),
              policy.resolve(os.environ.get("KVMDC_POLICY") or None)]
    return paths + [p for p in STANDARD_H if os.path.exists(p)][:1]


def engine_inputs():
    """engine_files() labelled by base name, for fold()."""
    return [(os.path.basename(p), p) for p in engine_files()]


def engine_digest(script, tree, stats=True):
    """sha256 of what every record of SCRIPT over TREE depends on: the
    engine, by name and contents, and the tree's KVM headers, by
    tree-relative path and contents."""
    h = hashlib.sha256(os.path.basename(script).encode() + b"\0")
    fold(h, engine_inputs(), stats)
    return fold(h, [(rel, os.path.join(tree, rel)) for rel in KVM_TYPE_HEADERS], stats)


def kvm_headers(tree):
    """Tree-relative headers whose static inlines the header pass reads:
    those of the KVM directories the tree builds and include/linux/kvm*.h."""
    out = []
    for d in tree_mod.built_kvm_dirs(tree):
        for root, dirs, names in os.walk(os.path.join(tree, d)):
            dirs.sort()
            # A template (paging_tmpl.h) is part of the .c file that
            # includes it, with FNAME() set there: no helpers of its own.
            # kvm-asm-offsets.h is generated by a build (offsets for the
            # assembler, no helper): a built tree and a merely configured
            # copy of it must share their summaries.
            out += sorted(os.path.relpath(os.path.join(root, n), tree)
                          for n in names if n.endswith(".h") and not
                          n.endswith(("_tmpl.h", "-asm-offsets.h")))
    inc = os.path.join(tree, "include", "linux")
    if os.path.isdir(inc):
        out += sorted("include/linux/" + n for n in os.listdir(inc)
                      if n.startswith("kvm") and n.endswith(".h"))
    return out


def header_summaries(tree, tmp, timeout=None, confine=None, db=None):
    """(path of the JSON file of the header pass's summaries, its key), or
    (None, "") when the tree has no KVM header or the pass failed: what
    each static inline of the KVM headers returns (its own sources and the
    parameters that reach it; cocci/kvmdc_verdict.py applies them to a
    call of a helper the file does not define).  One spatch over all the
    headers (a helper's callees in other headers are read with it), once
    per tree: kept in SUMMARIES keyed by the headers' and the engine's
    contents (stat-cached digests, as the records) and the database DB
    they read (the key is the records' too).  Any run reads the cache;
    only a trusted one (no TIMEOUT) writes it."""
    headers = kvm_headers(tree)
    if not headers:
        return None, ""
    trusted = timeout is None
    if trusted:
        load_known()
    h = hashlib.sha256(b"kvmdc-summaries\0")
    try:
        fold(h, engine_inputs(), trusted)
        if db:
            fold(h, [("db", provdb.export_path(db))], trusted)
        fold(h, [(rel, os.path.join(tree, rel)) for rel in list(KVM_TYPE_HEADERS) + headers],
             trusted)
    except OSError:
        return None, ""
    if trusted:
        save_known()
    key = h.hexdigest()
    path = os.path.join(SUMMARIES, key[:2], key)
    if os.path.isfile(path):
        if trusted:
            return path, key
        # A confined spatch sees TMP, not the cache.
        try:
            shutil.copyfile(path, os.path.join(tmp, "summaries.json"))
            return os.path.join(tmp, "summaries.json"), key
        except OSError:
            pass
    summ = run_header_pass(tree, headers, tmp, timeout, confine, db)
    if summ is None:
        return None, ""
    out = path if timeout is None else os.path.join(tmp, "summaries.json")
    try:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        part = "%s.%d" % (out, os.getpid())
        with open(part, "w", encoding="utf-8") as fh:
            json.dump(summ, fh)
        os.replace(part, out)
    except OSError:
        return None, ""
    return out, key


def run_header_pass(tree, headers, tmp, timeout, confine, db):
    """{helper: summary} from spatch -D summary over HEADERS, or None
    (reported) when it fails or runs out of time."""
    progress(" summarising %d KVM headers" % len(headers))
    cmd = spatch_program() + ["-D", "summary", "--very-quiet", "--no-show-diff", "--no-includes",
           "--include-headers", "--timeout", str(SPATCH_TIMEOUT),
           "--macro-file-builtins", macro_file(tmp), "--sp-file", SCRIPT] + \
        type_headers(tree) + headers
    env = spatch_env(tmp, (None, db))
    if confine:
        cmd, env = confine(cmd, tree, env)
    limit = 4 * SPATCH_TIMEOUT if timeout is None else min(4 * SPATCH_TIMEOUT, timeout)
    res = bounded.run_many([dict(cmd=cmd, timeout=limit, cwd=tree, env=env,
                                 mem=4 * bounded.GiB)], width=1, cap=64 << 20)[0]
    if res.timed_out or res.returncode:
        progress(" header pass failed: helpers of the KVM headers are not summarised")
        return None
    out = {}
    for line in res.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith(SUMMARY):
            summ = json.loads(line[len(SUMMARY):])
            out[summ.pop("fn")] = summ
    return out


def file_inputs(tree, f):
    """F and what spatch reads with it: its quoted includes (next to it or
    one level up, where the engine looks for them) and the headers given
    to it for types (local_type_headers)."""
    path = os.path.join(tree, f)
    d = os.path.dirname(os.path.realpath(path))
    paths = []
    for inc in read_file(path)[1]:
        paths += [os.path.join(b, os.fsdecode(inc)) for b in (d, os.path.dirname(d))]
    paths += [os.path.join(tree, rel) for rel in local_type_headers(tree, f)[1::2]]
    return paths + [path]


def read_file(path, trusted=True):
    """(sha256, quoted includes) of PATH, read once while its inode, size
    and times stay the same (a scan hashes the same headers for many
    files, and for both rules).  Only a trusted run believes the stats
    earlier trusted runs stored, or stores its own."""
    st = os.stat(path)
    sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    seen = SEEN.get(path)
    if seen and seen[0] == sig:
        return seen[1:]
    known = KNOWN["files"].get(path) if trusted else None
    if known and tuple(known[:4]) == sig:
        SEEN[path] = (sig, bytes.fromhex(known[4]),
                      [os.fsencode(i) for i in known[5]])
        return SEEN[path][1:]
    with open(path, "rb") as fh:
        text = fh.read()
    incs = [m.group(1) for m in QUOTED_INCLUDE.finditer(text)
            if not text[text.rfind(b"\n", 0, m.start()) + 1:m.start()].strip()]
    SEEN[path] = (sig, hashlib.sha256(text).digest(), incs)
    if KNOWN["loaded"] and trusted:
        KNOWN["files"][path] = list(sig) + [SEEN[path][1].hex(), [os.fsdecode(i) for i in incs]]
        KNOWN["dirty"] = True
    return SEEN[path][1:]


def load_known():
    """The digests earlier trusted runs stored; a damaged file is none."""
    if KNOWN["loaded"]:
        return
    KNOWN["loaded"] = True
    try:
        with open(DIGESTS, encoding="utf-8") as fh:
            files = json.load(fh)
        if isinstance(files, dict) and all(
                isinstance(v, list) and len(v) == 6 for v in files.values()):
            KNOWN["files"] = files
    except (OSError, ValueError):
        pass


def save_known():
    """Written to a temporary name and renamed; a cache that cannot be
    written only costs time.  Too many entries (trees come and go): start
    again."""
    if not KNOWN["dirty"]:
        return
    KNOWN["dirty"] = False
    files = KNOWN["files"]
    if len(files) > DIGESTS_MAX:
        files = {p: v for p, v in files.items() if p in SEEN}
    try:
        os.makedirs(CACHE, exist_ok=True)
        tmp = "%s.%d" % (DIGESTS, os.getpid())
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(files, fh)
        os.replace(tmp, DIGESTS)
    except OSError:
        pass


def fold(h, inputs, trusted=True):
    """Fold each (label, path) of INPUTS into H: the label and the path's
    contents (or its absence).  Labels are names relative to the tree or
    the project, never where they are: scratch copies of one tree, and
    checkouts of the project, share the cache."""
    for label, p in inputs:
        h.update(label.encode(errors="surrogateescape") + b"\0")
        try:
            h.update(read_file(p, trusted)[0])
        except FileNotFoundError:
            h.update(b"-")
    return h


def cache_lookup(tree, files, script, extra="", stats=True):
    """({file: cached records}, {file: key}) for a trusted run; unreadable
    entries are misses.  The engine's inputs (and EXTRA: the header
    summaries' key) are read once per run, each file's own per file.
    STATS: believe and keep the file-digests cache's stats (a tree that
    stays, not a review's scratch copy, made and removed per series)."""
    cached, keys = {}, {}
    if stats:
        load_known()
    try:
        engine = engine_digest(script, tree, stats)
    except OSError:
        return cached, keys
    engine.update(extra.encode() + b"\0")
    real = os.path.realpath(tree)
    for f in files:
        h = engine.copy()
        h.update(f.encode(errors="surrogateescape") + b"\0")
        try:
            inputs = [(os.path.relpath(os.path.realpath(p), real), p)
                      for p in file_inputs(tree, f)]
            keys[f] = fold(h, inputs, stats).hexdigest()
        except OSError:
            continue
        try:
            with open(os.path.join(RESULTS, keys[f][:2], keys[f]), encoding="utf-8") as fh:
                cached[f] = json.load(fh)
        except (OSError, ValueError):
            pass
    if stats:
        save_known()
    return cached, keys


def cache_store(files, keys, recs):
    """Each file's records, written to a temporary name and renamed; a
    cache that cannot be written only costs time."""
    for f in files:
        if f not in keys:
            continue
        d = os.path.join(RESULTS, keys[f][:2])
        try:
            os.makedirs(d, exist_ok=True)
            tmp = os.path.join(d, ".%s.%d" % (keys[f], os.getpid()))
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump([r for r in recs if r["file"] == f], fh)
            os.replace(tmp, os.path.join(d, keys[f]))
        except OSError:
            pass


def spatch_program():
    """spatch and the Python it is to use (SPATCH_PYTHON), when there is one."""
    return ["spatch"] + (["--python", SPATCH_PYTHON] if os.path.exists(SPATCH_PYTHON) else [])


def spatch_command(tree, tmp, rule=None):
    """spatch's arguments for the script (-D RULE) over files of TREE: the file's quoted
    includes from its own directory are parsed with it (static inlines such
    as to_svm(), struct vcpu_svm); the KVM headers are read for the field
    types of nested members (vcpu->arch.regs is kvm_vcpu_arch.regs).
    Following includes recursively costs 5-20x and decides nothing more
    on the kernel mutations."""
    cmd = spatch_program() + ["-D", "report"] + (["-D", rule] if rule else []) + [
        "--very-quiet", "--no-show-diff",
        "--local-includes", "--include-headers", "--timeout", str(SPATCH_TIMEOUT),
        "--macro-file-builtins", macro_file(tmp), "--sp-file", SCRIPT]
    return cmd + type_headers(tree)


def type_headers(tree):
    """spatch's arguments for the headers it reads for types only: the
    KVM headers the tree has and kvmdc-types.h."""
    cmd = ["--include-headers-for-types", "--include", TYPES]
    for h in KVM_TYPE_HEADERS:
        if os.path.isfile(os.path.join(tree, h)):
            cmd += ["--include", h]
    return cmd


def local_type_headers(tree, f, levels=2):
    """--include of F's quoted includes beside it, and theirs (LEVELS deep):
    --local-includes parses the first level, but only a header named with
    --include types the members of its structs, and KVM's structs are often
    two includes down (lapic.c reaches lapic.h's struct kvm_lapic through
    irq.h: apic->lapic_timer.hv_timer_in_use)."""
    out, todo = [], [(f, 0)]
    while todo:
        g, level = todo.pop(0)
        try:
            incs = read_file(os.path.join(tree, g))[1]
        except OSError:
            continue
        for inc in incs:
            rel = os.path.normpath(os.path.join(os.path.dirname(g), os.fsdecode(inc)))
            if rel in out or rel.startswith("..") or not os.path.isfile(os.path.join(tree, rel)):
                continue
            out.append(rel)
            if level + 1 < levels:
                todo.append((rel, level + 1))
    return [a for rel in out for a in ("--include", rel)]


def spatch_env(tmp, reads=(None, None)):
    """The environment of spatch: its embedded Python finds the scripts'
    helpers (cocci/) and the policy reader (kvmdc_lib) on PYTHONPATH;
    READS is (header summaries file, provenance database), given to it as
    KVMDC_SUMMARIES and KVMDC_DB."""
    path = [COCCI_DIR, INTEGRATION] + [p for p in os.environ.get("PYTHONPATH", "").split(":") if p]
    env = dict(os.environ, KVMDC_RECORDS="1", PYTHONPATH=":".join(path), TMPDIR=tmp)
    for name, value in zip(("KVMDC_SUMMARIES", "KVMDC_DB"), reads):
        env.pop(name, None)
        if value:
            env[name] = value
    return env


def spatch_records(tree, files, jobs, tmp, rule, timeout, confine, reads=(None, None)):
    """spatch (with -D RULE) over FILES: (the records it prints, tree-relative,
    the files stopped at the time limit).
    One spatch per file (spatch given several files parses them as one
    group, so facts of one file's functions would meet another's), JOBS at
    a time, each bounded by SPATCH_TIMEOUT (spatch's --timeout, and a kill
    just after it): a file that takes longer gives no records, so its uses
    are reported as not analysed.  TIMEOUT (kvmdc review: files an attacker
    wrote) bounds the whole run; CONFINE(argv, cwd, env) -> (argv, env)
    may sandbox each child."""
    if not files:
        return [], set()
    cmd = spatch_command(tree, tmp, rule)
    env = spatch_env(tmp, reads)
    progress(" spatch on %d file(s)" % len(files))
    names, real = spatch_names(tree, files, tmp)
    start = time.monotonic()
    limit = SPATCH_TIMEOUT + 30 if timeout is None else min(SPATCH_TIMEOUT + 30, timeout)
    jobs_ = []
    for f, name in zip(files, names):
        argv, child_env = cmd + local_type_headers(tree, f) + [name], env
        if confine:
            argv, child_env = confine(argv, tree, env)
        jobs_.append(dict(cmd=argv, timeout=limit, cwd=tree, env=child_env,
                          mem=4 * bounded.GiB))
    results = bounded.run_many(jobs_, width=max(1, jobs), cap=64 << 20)
    if timeout is not None and time.monotonic() - start > timeout:
        raise KvmdcError("spatch stopped at the time limit (%d s)" % timeout)
    recs, stopped = [], set()
    for f, name, res in zip(files, names, results):
        err = res.stderr.decode("utf-8", "surrogateescape")
        if res.timed_out or "Timeout" in err:
            progress(" %s: spatch stopped at its per-file limit (%d s)" % (name, SPATCH_TIMEOUT))
            stopped.add(f)
            continue
        if res.returncode:
            raise KvmdcError("spatch failed on %s: %s" % (
                name, (err.strip().splitlines() or ["?"])[-1]))
        for line in res.stdout.decode("utf-8", "surrogateescape").splitlines():
            if line.startswith(RECORD):
                rec = json.loads(line[len(RECORD):])
                rec["file"] = records.relative(real.get(rec["file"], rec["file"]), tree)
                if rec["file"] != f:
                    # A site of a quoted include parsed with F: the
                    # include's own run reports it, once.
                    continue
                for src in rec["sources"] + ([rec["branch"]] if rec.get("branch") else []):
                    sname = real.get(src["file"], src["file"])
                    src["file"] = records.relative(sname, tree) if sname else None
                recs.append(rec)
    return recs, stopped


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
        path = os.path.join(tree, f)
        text = source.read_text(path)
        for line, col in source.written_uses(text):
            if (f, line) in seen:
                continue
            src = records.make_source(
                "unknown", "unparsed code", "unknown",
                "Coccinelle could not parse the code around this use (or stopped "
                "at its per-file time limit); "
                "compile it with the plugin (kvmdc scan --build)", f, line)
            rec = records.make_site(f, line, col, source.enclosing_function(text, line),
                                    "unknown", [src], "cocci")
            rec["analysed"] = False
            out.append(source.with_condition(rec, tree))
    return out


def bug_sites(tree, files, jobs, tmp, timeout=None, confine=None, keep=None):
    """Records of rule bug-on-guest (engine cocci) for the BUG_ON()/BUG()
    sites in FILES, with the condition as written; run and cached as the
    macro's (TIMEOUT, CONFINE and KEEP as for run())."""
    recs = run(tree, files, jobs, tmp, BUG_RULE, timeout, confine, keep=keep)
    for r in recs:
        if r["bug"] == "BUG_ON":
            cond = source.condition_text(os.path.join(tree, r["file"]), r["line"], r["col"],
                                         "BUG_ON")
            if cond is not None:
                r["condition"] = "BUG_ON(%s)" % cond
    return recs
