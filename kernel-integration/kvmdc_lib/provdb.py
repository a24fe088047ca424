# SPDX-License-Identifier: GPL-2.0
"""The provenance database file: TREE/.kvmdc.db (SQLite, schema in
kernel-integration/DATABASE.md) and the plugin's compact text export beside
it, TREE/.kvmdc.db.plugin.

The plugin reads the text export rather than SQLite: a line-oriented file
needs no libsqlite3 in cc1's address space, no extra package on a build
machine, and loading it is one read of a few hundred kilobytes per compile.
Both are written to temporary files and renamed, the export last; the export
names the database's size and the tree it was built from, so a stale,
foreign or damaged pair is detected by either reader.
"""
import hashlib
import json
import os
import sqlite3
import time
import zlib

from . import provenance as P

DB_NAME = ".kvmdc.db"
EXPORT_SUFFIX = ".plugin"
FACTS_DIR = ".kvmdc-facts"
SCHEMA_VERSION = "1"
EXPORT_VERSION = "2"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE units (tu TEXT PRIMARY KEY, records INTEGER);
CREATE TABLE functions (fkey TEXT PRIMARY KEY, name TEXT, tu TEXT, file TEXT, line INTEGER,
    local INTEGER, nparams INTEGER, ret_class TEXT, ret_params TEXT, witness TEXT);
CREATE TABLE fields (name TEXT PRIMARY KEY, class TEXT, stores INTEGER, witness TEXT);
CREATE TABLE params (fkey TEXT, idx INTEGER, class TEXT, witness TEXT, PRIMARY KEY (fkey, idx));
CREATE TABLE buffers (fkey TEXT, idx INTEGER, class TEXT, witness TEXT, PRIMARY KEY (fkey, idx));
CREATE TABLE outs (fkey TEXT, idx INTEGER, class TEXT, witness TEXT, PRIMARY KEY (fkey, idx));
CREATE TABLE bindings (field TEXT, target TEXT, file TEXT, line INTEGER);
CREATE TABLE calls (tu TEXT, id INTEGER, caller TEXT, callee TEXT, via TEXT, file TEXT,
    line INTEGER, PRIMARY KEY (tu, id));
CREATE TABLE stores (field TEXT, fn TEXT, file TEXT, line INTEGER);
CREATE TABLE sites (file TEXT, line INTEGER, col INTEGER, function TEXT, tu TEXT,
    verdict TEXT, witness TEXT);
"""


class DbError(Exception):
    """A database that cannot be used; str() is one line naming it."""


def fingerprint(tree):
    """What the tree is: its version (the top Makefile's VERSION lines) and
    .config.  Not kernel.release, which gains -dirty with every edit."""
    h = hashlib.sha256()
    try:
        with open(os.path.join(tree, "Makefile"), "rb") as f:
            h.update(b"".join(l for l in f.read().splitlines()[:8]
                              if l.split(b"=")[0].strip() in (b"VERSION", b"PATCHLEVEL", b"SUBLEVEL")))
    except OSError:
        h.update(b"-")
    try:
        with open(os.path.join(tree, ".config"), "rb") as f:
            h.update(f.read())
    except OSError:
        h.update(b"-")
    return h.hexdigest()[:16]


def tree_db(tree):
    """TREE/.kvmdc.db when it exists, else None."""
    path = os.path.join(tree, DB_NAME)
    return path if os.path.isfile(path) else None


def check_db(path, tree):
    """None when PATH is a usable database of TREE, else a one-line reason."""
    try:
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.Error as e:
        return "%s: not a kvmdc database (%s)" % (path, e)
    if meta.get("version") != SCHEMA_VERSION:
        return "%s: database version %s, expected %s (run kvmdc db)" % (
            path, meta.get("version"), SCHEMA_VERSION)
    if meta.get("tree") != os.path.realpath(tree):
        return "%s: built from %s, not %s (run kvmdc db there)" % (
            path, meta.get("tree"), os.path.realpath(tree))
    if meta.get("fingerprint") != fingerprint(tree):
        return "%s: the tree's configuration changed since the database was built (run kvmdc db)" % path
    return None


def plugin_args(tree):
    """(plugin arguments, summary note) for a plugin run in TREE: the
    database when TREE has a usable one, else no argument and, when one
    exists but cannot be used, the reason."""
    path, why = usable(tree)
    if why:
        return [], "database not used: %s" % why
    if not path:
        return [], None
    return ["-fplugin-arg-kvmdc-db=" + path], "database %s" % path


def export_path(db):
    return db + EXPORT_SUFFIX


def export_body(db, tree=None):
    """The body of DB's export after plugin/db.c's checks: version, the
    database's size, the body's Adler-32 and, given TREE, the tree; a
    failed one raises DbError (one line)."""
    path = export_path(db)
    try:
        with open(path, "rb") as f:
            head = f.readline()
            body = f.read()
        size = os.path.getsize(db)
    except OSError as e:
        raise DbError("%s: %s" % (path, e.strerror))
    words = head.decode("utf-8", "replace").rstrip("\n").split(" ", 4)
    if len(words) != 5 or words[0] != "kvmdc-db" or words[1] != EXPORT_VERSION:
        raise DbError("%s: not a kvmdc export of version %s (run kvmdc db)" % (path, EXPORT_VERSION))
    if words[2] != str(size):
        raise DbError("%s: written for another %s (run kvmdc db)" % (path, db))
    if words[3] != "%x" % zlib.adler32(body):
        raise DbError("%s: damaged (checksum) (run kvmdc db)" % path)
    if tree is not None and words[4] != os.path.realpath(tree):
        raise DbError("%s: built from %s, not %s" % (path, words[4], os.path.realpath(tree)))
    return body


def read_export(db, tree=None):
    """{(KIND, KEY): (class, [parameter indexes])} of the decided nodes of
    DB's export, as plugin/db.c reads it (R fkey, F S.F, P/M/O fkey#I,
    I S.F / NAME[] / __SCT__name): what the plugin's db= option decides,
    for the Coccinelle engine.  Checked as export_body() does."""
    out = {}
    for line in export_body(db, tree).decode("utf-8", "replace").splitlines():
        head = line.split("\t", 1)[0].split(" ")
        if len(head) == 4 and head[2] in ("guest", "host"):
            out[(head[0], head[1])] = (head[2], [int(i) for i in head[3].split(",")
                                                  if i.isdigit()])
    return out


def usable(tree):
    """(database path, None) when TREE has a database both engines can use,
    (None, why) when it has one that cannot be used, (None, None) if none."""
    path = tree_db(tree)
    if not path:
        return None, None
    why = check_db(path, tree)
    if not why:
        try:
            export_body(path, tree)
        except DbError as e:
            why = str(e)
    return (None, why) if why else (path, None)


def class_name(c):
    return P.NAMES[max(c, P.HOST)]


def witness(r, node, cls):
    """The path that made NODE guest or left it unknown; a host node has
    none (every path into it is host: no one path explains that)."""
    if cls == "host":
        return None
    return json.dumps(r.chain(("", (), None, None, node)))


def write(tree, build, r, stats, path=None):
    """Write TREE/.kvmdc.db (or PATH) and its export atomically; returns
    (db path, size)."""
    path = path or os.path.join(tree, DB_NAME)
    tmp = "%s.tmp%d" % (path, os.getpid())
    try:
        if os.path.exists(tmp):
            os.unlink(tmp)
        con = sqlite3.connect(tmp)
        con.executescript(SCHEMA)
        fill(con, tree, build, r, stats)
        con.commit()
        con.close()
        size = os.path.getsize(tmp)
        export_tmp = tmp + EXPORT_SUFFIX
        write_export(export_tmp, tree, build, r, size)
        os.rename(tmp, path)
        os.rename(export_tmp, path + EXPORT_SUFFIX)
    except (OSError, sqlite3.Error) as e:
        for f in (tmp, tmp + EXPORT_SUFFIX):
            if os.path.exists(f):
                os.unlink(f)
        raise DbError("cannot write %s: %s" % (path, e))
    return path, size


def fill(con, tree, b, r, stats):
    meta = {"version": SCHEMA_VERSION, "tree": os.path.realpath(tree),
            "fingerprint": fingerprint(tree), "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            "evaluations": str(stats.get("evaluations"))}
    con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    con.executemany("INSERT INTO units VALUES (?, ?)", stats.get("units", {}).items())
    rows = []
    for k, s in b.summaries.items():
        cls = class_name(r.rb.get(k, P.NONE))
        rows.append((k, s["fn"], s["tu"], s.get("file"), s.get("line"), int(bool(s.get("local"))),
                     s.get("nparams", 0), cls, ",".join(str(i) for i in sorted(r.rp.get(k, ()))),
                     witness(r, ("ret", k), cls)))
    con.executemany("INSERT INTO functions VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    rows = []
    for f in sorted(r.fields):
        cls = class_name(r.get(("field", f)))
        rows.append((f, cls, len(b.stores.get(f, [])), witness(r, ("field", f), cls)))
    con.executemany("INSERT INTO fields VALUES (?,?,?,?)", rows)
    nodes = {"param": [], "pmem": [], "out": []}
    for n in sorted(r.value):
        if n[0] in nodes:
            cls = class_name(r.get(n))
            nodes[n[0]].append((n[1], n[2], cls, witness(r, n, cls)))
    for table, kind in (("params", "param"), ("buffers", "pmem"), ("outs", "out")):
        con.executemany("INSERT INTO %s VALUES (?,?,?,?)" % table, nodes[kind])
    rows = [(f, t, None, None) for f, ts in b.binds.items() for t in sorted(ts)]
    for name, (fns, fields) in b.static_binds.items():
        rows += [("static_call:" + name, t, None, None) for t in sorted(fns)]
        rows += [("static_call:" + name, "field:" + f, None, None) for f in sorted(fields)]
    con.executemany("INSERT INTO bindings VALUES (?,?,?,?)", rows)
    con.executemany("INSERT INTO calls VALUES (?,?,?,?,?,?,?)", [
        (tu, i, c.get("fn"), c.get("callee"), c.get("via"), c.get("file"), c.get("line"))
        for (tu, i), c in b.calls.items()])
    con.executemany("INSERT INTO stores VALUES (?,?,?,?)", [
        (f, st.get("fn"), st.get("file"), st.get("line"))
        for f, sts in b.stores.items() for st in sts])
    rows = []
    for s in b.sites:
        verdict, chain = r.site_verdict(s)
        rows.append((s.get("file"), s.get("line"), s.get("col"), s.get("fn"), s["tu"],
                     verdict, json.dumps(chain)))
    con.executemany("INSERT INTO sites VALUES (?,?,?,?,?,?,?)", rows)
    con.execute("CREATE INDEX stores_field ON stores (field)")
    con.execute("CREATE INDEX calls_callee ON calls (callee)")


NODE_KIND = {"ret": "R", "field": "F", "param": "P", "pmem": "M", "out": "O"}


def node_key(node):
    """A node as the export names it: R fkey, F S.F, P fkey#I, ..."""
    if node[0] in ("param", "pmem", "out"):
        return "%s %s#%d" % (NODE_KIND[node[0]], node[1], node[2])
    return "%s %s" % (NODE_KIND[node[0]], node[1])


def own_steps(r, node):
    """NODE's own witness steps, then '>KEY' of the node it leads on to:
    shared suffixes are written once, the plugin follows the references."""
    out = []
    for st in r.why.get(node) or []:
        if st[0]:
            out.append("%s|%s|%s" % (clean(st[0] % st[1]), st[2] or "", st[3] or 0))
    nxt = (r.why.get(node) or [None])[-1]
    if nxt and nxt[4] is not None and nxt[4][0] in NODE_KIND:
        out.append(">" + node_key(nxt[4]))
    return out


def export_line(r, node, cls, extra):
    """Undecided nodes are left out (the plugin treats a missing node as
    undecided); the witness goes along for guest nodes only."""
    steps = own_steps(r, node) if cls == "guest" else []
    return "%s %s %s\t%s\n" % (node_key(node), cls, extra or "-", "\t".join(steps))


def clean(text):
    return str(text).replace("\t", " ").replace("|", "/").replace("\n", " ")


class Lines:
    """The export's lines, kept to be sorted by KIND KEY."""

    def __init__(self):
        self.lines = []

    def write(self, line):
        self.lines.append(line)


def sort_key(line):
    return " ".join(line.split("\t", 1)[0].split(" ")[:2]).encode("utf-8")


def write_export(path, tree, b, r, size):
    """One line per decided node, KIND KEY CLASS PARAMS<TAB>witness steps,
    sorted by KIND KEY: the plugin searches the file instead of parsing it.
    The header names the database's size, the body's Adler-32 and the tree."""
    out = Lines()
    fill_export(out, b, r)
    body = "".join(sorted(out.lines, key=sort_key)).encode("utf-8")
    with open(path, "wb") as f:
        f.write(("kvmdc-db %s %d %x %s\n" % (EXPORT_VERSION, size, zlib.adler32(body),
                                            os.path.realpath(tree))).encode("utf-8"))
        f.write(body)


def fill_export(out, b, r):
    # The units: a source compiled from a copy of the tree (kvmdc check,
    # review) is named by the longest suffix of its path that is one.
    for tu in sorted({s["tu"] for s in b.summaries.values()}):
        out.write("U %s host -\t\n" % tu)
    for k in sorted(b.summaries):
        params = ",".join(str(i) for i in sorted(r.rp.get(k, ())))
        cls = class_name(r.rb.get(k, P.NONE))
        if cls != "unknown":
            out.write(export_line(r, ("ret", k), cls, params))
    for f in sorted(r.fields):
        cls = class_name(r.get(("field", f)))
        if cls != "unknown":
            out.write(export_line(r, ("field", f), cls, None))
    for n in sorted(r.value):
        if n[0] in ("param", "pmem", "out") and class_name(r.get(n)) != "unknown":
            out.write(export_line(r, n, class_name(r.get(n)), None))
    for key, targets in sorted(indirect_targets(b).items()):
        cls, params = P.NONE, set()
        for t in targets:
            cls = max(cls, r.rb.get(t, P.UNKNOWN))
            params |= r.rp.get(t, set())
        if class_name(cls) == "unknown":
            continue
        step = ""
        if class_name(cls) == "guest":
            g = sorted(t for t in targets if r.rb.get(t) == P.GUEST)
            step = "bound to %s||0" % ", ".join(P.short(t) for t in sorted(targets)[:4])
            if g:
                step += "\t>" + node_key(("ret", g[0]))
        out.write("I %s %s %s\t%s\n" % (key, class_name(cls),
                                         ",".join(str(i) for i in sorted(params)) or "-", step))


def indirect_targets(b):
    """Calls through STRUCT.FIELD and static calls, by key, to their bound functions."""
    out = {f: set(ts) for f, ts in b.binds.items()}
    for name, (fns, fields) in b.static_binds.items():
        ts = set(fns)
        for f in fields:
            ts |= b.binds.get(f, set())
        if ts:
            out[P.STATIC_TRAMP + name] = ts
    return out
