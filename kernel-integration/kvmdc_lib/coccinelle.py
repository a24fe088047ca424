# SPDX-License-Identifier: GPL-2.0
"""The Coccinelle engine: spatch over a tree's files, its records, and
the uses it could not parse (reported, never dropped)."""
import json
import os
import re
import subprocess
import sys

from . import KvmdcError, PROJECT, bounded, records, source

COCCI_DIR = os.path.join(PROJECT, "cocci")
sys.path.insert(0, COCCI_DIR)
import kvmdc_verdict  # noqa: E402  (its function finder, for uses spatch did not parse)
import kvmdc_bug  # noqa: E402  (its bug-on-guest verdicts, as bug_on_guest.cocci uses them)

SCRIPT = os.path.join(COCCI_DIR, "kvm_bug_on_data_corruption.cocci")
BUG_SCRIPT = os.path.join(COCCI_DIR, "bug_on_guest.cocci")
MACROS = os.path.join(COCCI_DIR, "kvmdc-macros.h")
STANDARD_H = ("/usr/lib/coccinelle/standard.h", "/usr/local/lib/coccinelle/standard.h")
RECORD = "kvmdc-record: "


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
    """Records of SCRIPT (the macro's, or BUG_SCRIPT) over FILES."""
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
