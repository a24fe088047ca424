# SPDX-License-Identifier: GPL-2.0
"""The Coccinelle engine: spatch over a tree's files, its records, and
the uses it could not parse (reported, never dropped)."""
import hashlib
import json
import os
import re
import subprocess
import sys

from . import INTEGRATION, KvmdcError, PROJECT, bounded, policy, records, source
from .tree import CACHE

COCCI_DIR = os.path.join(PROJECT, "cocci")
sys.path.insert(0, COCCI_DIR)
import kvmdc_verdict  # noqa: E402  (its function finder, for uses spatch did not parse)
import kvmdc_bug  # noqa: E402  (its bug-on-guest verdicts, as bug_on_guest.cocci uses them)

SCRIPT = os.path.join(COCCI_DIR, "kvm_bug_on_data_corruption.cocci")
BUG_SCRIPT = os.path.join(COCCI_DIR, "bug_on_guest.cocci")
MACROS = os.path.join(COCCI_DIR, "kvmdc-macros.h")
STANDARD_H = ("/usr/lib/coccinelle/standard.h", "/usr/local/lib/coccinelle/standard.h")
RECORD = "kvmdc-record: "
# Records of a trusted run, per file, keyed by everything they depend on.
RESULTS = os.path.join(CACHE, "cocci-results")
# What the source-level engine reads besides the file: the KVM headers
# (struct member types) and the file's quoted includes.
KVM_TYPE_HEADERS = ("include/linux/kvm_host.h", "arch/x86/include/asm/kvm_host.h")
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


def run(tree, files, jobs, tmp, script=SCRIPT, timeout=None, confine=None):
    """Records of SCRIPT (the macro's, or BUG_SCRIPT) over FILES.  A
    trusted run (no TIMEOUT) reuses the records of files whose inputs
    have not changed since an earlier run."""
    if not files:
        return []
    cached, keys = {}, {}
    if timeout is None:
        cached, keys = cache_lookup(tree, files, script)
    todo = [f for f in files if f not in cached]
    recs = spatch_records(tree, todo, jobs, tmp, script, timeout, confine)
    if timeout is None:
        cache_store(todo, keys, recs)
    recs += [r for f in files if f in cached for r in cached[f]]
    if script != SCRIPT:
        return recs
    return recs + unparsed_sites(tree, files, recs)


def engine_inputs(tree):
    """The files every record depends on: the engine (cocci/ and the policy
    reader), the policy, the macro files and the KVM headers."""
    paths = [os.path.join(COCCI_DIR, n) for n in sorted(os.listdir(COCCI_DIR))
             if n.endswith((".cocci", ".py", ".h"))]
    paths += [os.path.join(INTEGRATION, "kvmdc_lib", "policy.py"),
              policy.resolve(os.environ.get("KVMDC_POLICY") or None)]
    paths += [p for p in STANDARD_H if os.path.exists(p)][:1]
    return paths + [os.path.join(tree, h) for h in KVM_TYPE_HEADERS]


def file_inputs(tree, f):
    """F and its quoted includes (next to it or one level up, where the
    engine looks for them)."""
    path = os.path.join(tree, f)
    d = os.path.dirname(os.path.realpath(path))
    paths = []
    for inc in read_file(path)[1]:
        paths += [os.path.join(b, os.fsdecode(inc)) for b in (d, os.path.dirname(d))]
    return paths + [path]


def read_file(path):
    """(sha256, quoted includes) of PATH, read once while its inode, size
    and times stay the same (a scan hashes the same headers for many
    files, and for both rules)."""
    st = os.stat(path)
    sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    seen = SEEN.get(path)
    if seen and seen[0] == sig:
        return seen[1:]
    known = KNOWN["files"].get(path)
    if known and tuple(known[:4]) == sig:
        SEEN[path] = (sig, bytes.fromhex(known[4]),
                      [os.fsencode(i) for i in known[5]])
        return SEEN[path][1:]
    with open(path, "rb") as fh:
        text = fh.read()
    incs = [m.group(1) for m in QUOTED_INCLUDE.finditer(text)
            if not text[text.rfind(b"\n", 0, m.start()) + 1:m.start()].strip()]
    SEEN[path] = (sig, hashlib.sha256(text).digest(), incs)
    if KNOWN["loaded"]:
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


def digest(h, paths):
    """Fold each path and its contents (or its absence) into H."""
    for p in paths:
        h.update(p.encode(errors="surrogateescape") + b"\0")
        try:
            h.update(read_file(p)[0])
        except FileNotFoundError:
            h.update(b"-")
    return h


def cache_lookup(tree, files, script):
    """({file: cached records}, {file: key}); unreadable entries are misses.
    The engine's inputs are read once per run, each file's own per file."""
    cached, keys = {}, {}
    load_known()
    try:
        engine = digest(hashlib.sha256(os.path.basename(script).encode()),
                        engine_inputs(tree))
    except OSError:
        return cached, keys
    for f in files:
        h = engine.copy()
        h.update(f.encode(errors="surrogateescape") + b"\0")
        try:
            keys[f] = digest(h, file_inputs(tree, f)).hexdigest()
        except OSError:
            continue
        try:
            with open(os.path.join(RESULTS, keys[f][:2], keys[f]), encoding="utf-8") as fh:
                cached[f] = json.load(fh)
        except (OSError, ValueError):
            pass
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


def spatch_records(tree, files, jobs, tmp, script, timeout, confine):
    """spatch with SCRIPT over FILES: the records it prints, tree-relative."""
    if not files:
        return []
    cmd = ["spatch", "-D", "report", "--very-quiet", "--no-show-diff",
           "--no-includes", "--include-headers",
           "--macro-file-builtins", macro_file(tmp), "--sp-file", script]
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
            raise KvmdcError("spatch stopped at the time limit (%d s)" % timeout)
        out, err = (res.stdout.decode("utf-8", "surrogateescape"),
                    res.stderr.decode("utf-8", "surrogateescape"))
    if res.returncode:
        raise KvmdcError("spatch failed: %s" % (err.strip().splitlines() or ["?"])[-1])
    recs = []
    for line in out.splitlines():
        if line.startswith(RECORD):
            rec = json.loads(line[len(RECORD):])
            rec["file"] = records.relative(real.get(rec["file"], rec["file"]), tree)
            for src in rec["sources"]:
                name = real.get(src["file"], src["file"])
                src["file"] = records.relative(name, tree) if name else None
            recs.append(rec)
    return recs


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
        for line, col in source.written_uses(source.read_text(path)):
            if (f, line) in seen:
                continue
            fn = kvmdc_verdict.find_function(path, line)
            src = records.make_source(
                "unknown", "unparsed code", "unknown",
                "Coccinelle could not parse the code around this use; "
                "compile it with the plugin (kvmdc scan --build)", f, line)
            rec = records.make_site(f, line, col, fn.name if fn else None,
                                    "unknown", [src], "cocci")
            rec["analysed"] = False
            out.append(source.with_condition(rec, tree))
    return out


def bug_sites(tree, files, trusted=False):
    """Records (engine cocci) of the BUG_ON()/BUG() written in FILES, judged
    by the verdict code bug_on_guest.cocci calls.  Found in the text rather
    than by spatch: parsing x86.c alone takes seconds.  A TRUSTED run (a
    scan, not a review) keeps each file's records in the cache like
    spatch's, so the rule then costs a scan a grep and a hash of the files
    it names."""
    cached, keys = cache_lookup(tree, files, "bug-sites-text") if trusted else ({}, {})
    todo = [f for f in files if f not in cached]
    recs = text_bug_sites(tree, todo)
    cache_store(todo, keys, recs)
    return recs + [r for f in files if f in cached for r in cached[f]]


def text_bug_sites(tree, files):
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
