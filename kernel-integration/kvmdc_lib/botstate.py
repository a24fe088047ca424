# SPDX-License-Identifier: GPL-2.0
"""The bot's state: one SQLite database in WAL mode.

messages   every message read (source unique), series members with their
           raw mail; the inbox cursor lives in `meta` and is written in
           the transaction that records the messages it covers.
series     status waiting | reviewed | failed | superseded; the reply's
           Message-ID and reply_state pending | sent (NULL: no reply).
errors     publishing failures (retried each pass), for `kvmdc bot status`.
passes     one row per pass, for `kvmdc bot status`.

Every change is one short transaction; a kill -9 at any instant leaves
the previous state or the next one, never half of one.
"""
import fcntl
import json
import os
import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS messages (
	id INTEGER PRIMARY KEY,
	source TEXT UNIQUE NOT NULL,
	msgid TEXT,
	kind TEXT NOT NULL,
	info TEXT,
	arrival REAL NOT NULL,
	raw BLOB,
	series INTEGER
);
CREATE INDEX IF NOT EXISTS messages_msgid ON messages (msgid);
CREATE INDEX IF NOT EXISTS messages_series ON messages (series);
CREATE TABLE IF NOT EXISTS series (
	id INTEGER PRIMARY KEY,
	status TEXT NOT NULL DEFAULT 'waiting',
	head TEXT,
	subject TEXT,
	addr TEXT,
	version INTEGER,
	total INTEGER,
	have INTEGER,
	first_arrival REAL,
	last_arrival REAL,
	superseded_by INTEGER,
	reviewed_at REAL,
	review_seconds REAL,
	exit INTEGER,
	reason TEXT,
	findings INTEGER,
	note TEXT,
	reply_msgid TEXT,
	reply_state TEXT
);
CREATE INDEX IF NOT EXISTS series_status ON series (status);
CREATE TABLE IF NOT EXISTS errors (
	id INTEGER PRIMARY KEY,
	time REAL,
	series INTEGER,
	text TEXT
);
CREATE TABLE IF NOT EXISTS passes (
	id INTEGER PRIMARY KEY,
	started REAL,
	finished REAL,
	messages INTEGER,
	reviewed INTEGER
);
"""


def now():
    """Wall-clock time; KVMDC_BOT_NOW (epoch seconds) fixes it for tests."""
    return float(os.environ.get("KVMDC_BOT_NOW") or time.time())


class StateError(Exception):
    """The state cannot be used; str() is the one-line reason."""


class State:
    def __init__(self, path, lock=True):
        self.path = os.path.abspath(path)
        self.dir = os.path.dirname(self.path)
        try:
            os.makedirs(self.dir, exist_ok=True)
            if lock:
                self.lockf = open(self.path + ".lock", "w")
                try:
                    fcntl.flock(self.lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise StateError("%s: another kvmdc bot is running on this state"
                                     % self.path)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except OSError as e:
            raise StateError("%s: %s" % (e.filename or self.path, e.strerror))
        except sqlite3.DatabaseError as e:
            raise StateError("%s: %s" % (self.path, e))
        self.db.row_factory = sqlite3.Row

    def tx(self):
        """with state.tx(): ...  one immediate transaction."""
        return Transaction(self.db)

    def q(self, sql, *args):
        return self.db.execute(sql, args).fetchall()

    def one(self, sql, *args):
        rows = self.q(sql, *args)
        return rows[0] if rows else None

    def meta(self, key, default=None):
        row = self.one("SELECT value FROM meta WHERE key = ?", key)
        return json.loads(row["value"]) if row else default

    def set_meta(self, key, value):
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        (key, json.dumps(value)))

    def seen(self, source):
        return self.one("SELECT 1 FROM messages WHERE source = ?", source) is not None

    def known_msgid(self, msgid):
        return self.one("SELECT 1 FROM messages WHERE msgid = ?", msgid) is not None


class Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
