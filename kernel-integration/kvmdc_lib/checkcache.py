# SPDX-License-Identifier: GPL-2.0
"""Replay of the C=1 hook's plugin results for unchanged inputs.

kbuild rechecks every file it recompiles, and the hook's plugin run on a
file that can hold a site costs gcc's front end on it.  What that run
prints depends only on its command line and on the files it read: the
file's include closure as gcc itself reported it (-MD on the run that
produced the result), the compiler, the plugin, the policy and the tree's
database.  When none of them changed (same size and modification time, as
make judges), the stored lines are replayed.  A header that would newly be
included is included by a file that changed, so the closure cannot miss
it.

KVMDC_CHECK_CACHE=DIR puts the results elsewhere; KVMDC_CHECK_CACHE=off
turns the replay off.  Runs that write facts (KVMDC_FACTS) never replay.
"""
import hashlib
import json
import os
import shutil

from . import tree as tree_mod

OPTION_FILES = ("-fplugin=", "-fplugin-arg-kvmdc-policy=", "-fplugin-arg-kvmdc-db=")


def cache_dir():
    d = os.environ.get("KVMDC_CHECK_CACHE")
    if d == "off" or os.environ.get("KVMDC_FACTS"):
        return None
    return d or os.path.join(tree_mod.CACHE, "check-results")


def entry_path(cmd):
    d = cache_dir()
    if d is None:
        return None
    key = hashlib.sha256(json.dumps([os.getcwd(), cmd]).encode()).hexdigest()
    return os.path.join(d, key[:2], key)


def command_files(cmd):
    """The compiler, plugin, policy and database the command names."""
    files = [shutil.which(cmd[0]) or cmd[0]]
    for arg in cmd:
        for opt in OPTION_FILES:
            if arg.startswith(opt):
                files.append(arg[len(opt):])
    return files


def signature(paths):
    sig = []
    for p in paths:
        try:
            st = os.stat(p)
            sig.append([p, st.st_size, st.st_mtime_ns])
        except OSError:
            sig.append([p, None, None])
    return sig


def dep_paths(depfile):
    """The prerequisites of gcc's -MD output (backslash continuations;
    kernel paths hold no spaces)."""
    with open(depfile, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read().replace("\\\n", " ")
    _, _, deps = text.partition(":")
    return deps.split()


def lookup(cmd):
    """The stored result of CMD when nothing it read has changed, else None."""
    path = entry_path(cmd)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            entry = json.load(f)
        if entry["sig"] != signature([s[0] for s in entry["sig"]]):
            return None
        return entry["result"]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def store(cmd, depfile, result):
    """Remember RESULT (JSON data) for CMD, which read the files DEPFILE
    names.  Best effort: a cache that cannot be written only costs time."""
    path = entry_path(cmd)
    if path is None:
        return
    try:
        sig = signature(command_files(cmd) + dep_paths(depfile))
        write_entry(path, {"sig": sig, "result": result})
    except (OSError, ValueError):
        pass


def write_entry(path, data):
    """DATA as JSON at PATH, written to a temporary name and renamed: a
    reader never sees half an entry."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)
