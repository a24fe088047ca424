# SPDX-License-Identifier: GPL-2.0
"""The plugin's records of a base tree's own units, kept for the next review.

Every series reviewed against one base tree compiles the base side of the
units it touches again, and most series touch the same few units.  A
base-side compile whose scratch files are the tree's own bytes is the
tree's recorded compile of that unit: what it gives depends only on the
recorded command, the compiler, the plugin, the policy, the database and
the files gcc read (its -MD list, as the C=1 hook's replay keeps them,
kvmdc_lib/checkcache.py).  The entry holds that list with the SHA-256 of
each file; it is given back only while every one of them still has those
bytes.  A header that would newly be included is included by a file that
changed, so the list cannot miss it.  Nothing a series wrote is ever kept:
review stores only the base side, and only when the scratch copy holds the
tree's bytes (review.base_is_tree).

Entries live in CACHE/plugin-results, written to a temporary name and
renamed; a cache that cannot be written only costs time.
"""
import hashlib
import json
import os
import shutil

from . import provdb
from .checkcache import dep_paths, write_entry
from .tree import CACHE

RESULTS = os.path.join(CACHE, "plugin-results")


def digest(path):
    """SHA-256 of PATH's bytes (hex), None when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def key(tree, source, argv, options, tools):
    """The entry's name: the recorded command ARGV of SOURCE, the plugin
    OPTIONS the review adds (strict, BUG sites), and the bytes of the
    compiler driver, of TOOLS (the plugin, the policy) and of the tree's
    database."""
    files = [shutil.which(argv[0]) or argv[0]] + list(tools)
    files += [a.split("=", 1)[1] for a in provdb.plugin_args(tree)[0]]
    parts = [source, argv, sorted(options), [digest(f) for f in files]]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def entry_path(name):
    return os.path.join(RESULTS, name[:2], name)


def lookup(tree, name):
    """The records kept under NAME while every file they were computed
    from has the same bytes, else None."""
    try:
        with open(entry_path(name), encoding="utf-8") as f:
            entry = json.load(f)
        for label, want in entry["deps"]:
            if digest(label if os.path.isabs(label) else os.path.join(tree, label)) != want:
                return None
        return entry["records"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def label(path, tree, mirror):
    """Tree-relative name of a file gcc read (from MIRROR, the scratch
    copy of the tree's bytes, or the tree), absolute for the system's."""
    if not os.path.isabs(path):
        return os.path.normpath(path)
    real = os.path.realpath(path)
    for root in (mirror, tree):
        root = os.path.realpath(root) + os.sep
        if real.startswith(root):
            return real[len(root):]
    return real


def store(tree, name, mirror, depfile, recs):
    """Keep RECS (JSON data) under NAME with the files DEPFILE names."""
    try:
        deps = []
        for path in dep_paths(depfile):
            rel = label(path, tree, mirror)
            want = digest(rel if os.path.isabs(rel) else os.path.join(tree, rel))
            # What gcc read from the scratch copy must be the tree's bytes.
            if want is None or (os.path.isabs(path) and digest(path) != want):
                return
            deps.append([rel, want])
        write_entry(entry_path(name), {"deps": deps, "records": recs})
    except (OSError, ValueError):
        pass
