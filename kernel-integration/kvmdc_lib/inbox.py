# SPDX-License-Identifier: GPL-2.0
"""Read new mail from a public-inbox archive (v2 or v1) or a Maildir.

A reader yields (source, raw bytes) in arrival order, starting after a
cursor it was given, and says which cursor to store once those messages are
recorded.  `source` names a message uniquely within the inbox (the blob of
a public-inbox commit, the unique part of a Maildir file name), so reading
the same message twice is harmless.

git runs only on the archive's bare repositories (--git-dir, never a work
tree), with the system and global configuration ignored: nothing in the
archive or the machine's git configuration decides what runs.
"""
import os
import re
import subprocess

MAX_MESSAGE = 16 << 20
V1_PATH = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{38}$")


class InboxError(Exception):
    """The inbox cannot be read; str() is the one-line reason."""


def git_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", LC_ALL="C")
    return env


def git(gitdir, *args, data=None):
    res = subprocess.run(["git", "--git-dir=" + gitdir] + list(args), input=data,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(), cwd="/")
    if res.returncode:
        raise InboxError("%s: git %s: %s" % (gitdir, args[0], (res.stderr.decode(
            "utf-8", "replace").strip().splitlines() or ["failed"])[0]))
    return res.stdout


def open_inbox(path):
    """The reader for PATH: v2 (git/N.git), v1 (a bare repository) or Maildir."""
    if os.path.isdir(os.path.join(path, "git")):
        epochs = sorted((int(m.group(1)), os.path.join(path, "git", name))
                        for name in os.listdir(os.path.join(path, "git"))
                        for m in [re.match(r"^(\d+)\.git$", name)] if m)
        if epochs:
            return GitInbox(path, [e for _, e in epochs], "v2")
    if os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects")):
        return GitInbox(path, [path], "v1")
    if all(os.path.isdir(os.path.join(path, d)) for d in ("cur", "new", "tmp")):
        return Maildir(path)
    raise InboxError("%s: not a public-inbox archive (v2 git/N.git, v1) or a Maildir" % path)


class GitInbox:
    """public-inbox: one commit per message.  v2 keeps it in blob `m` of
    each commit (`d` marks a deletion), v1 under a path named after the
    SHA-1 of its Message-ID.  The cursor is the last commit read per epoch."""

    def __init__(self, path, epochs, kind):
        self.path, self.epochs, self.kind = path, epochs, kind

    def describe(self):
        return "public-inbox %s, %d epoch%s" % (self.kind, len(self.epochs),
                                                 "" if len(self.epochs) == 1 else "s")

    def tip(self, gitdir):
        out = subprocess.run(["git", "--git-dir=" + gitdir, "rev-parse", "--verify", "--quiet",
                              "HEAD^{commit}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=git_env(), cwd="/").stdout.decode().strip()
        return out or None

    def new_blobs(self, gitdir, last, tip):
        """(commit, blob) of the messages added after LAST, oldest first.
        If LAST is no longer an ancestor (the archive was purged or
        rewritten), the whole epoch is read again; sources dedupe it."""
        revs = [tip]
        if last:
            known = subprocess.run(["git", "--git-dir=" + gitdir, "merge-base", "--is-ancestor",
                                    last, tip], env=git_env(), cwd="/",
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if known.returncode == 0:
                revs.append("^" + last)
        out = git(gitdir, "log", "--reverse", "--no-renames", "--raw", "--no-abbrev",
                  "--format=%x01%H", *revs, "--")
        found, commit = [], None
        for line in out.decode("utf-8", "replace").splitlines():
            if line.startswith("\x01"):
                commit = line[1:]
                continue
            m = re.match(r"^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) ([AM])\t(.+)$", line)
            if not m or not commit:
                continue
            if (self.kind == "v2" and m.group(3) == "m") or (
                    self.kind == "v1" and V1_PATH.match(m.group(3))):
                found.append((commit, m.group(1)))
        return found

    def read(self, cursor, seen=None, batch=500, skip=False):
        """Yield (messages, new cursor): messages is a list of
        (source, raw) in order, read in batches so a huge first pass
        records its progress as it goes.  Sources already recorded are
        dropped by the caller (a rewritten archive is read again).
        SKIP: move the cursor to the end without reading anything."""
        cursor = dict(cursor or {})
        for gitdir in self.epochs:
            name = os.path.basename(gitdir.rstrip("/"))
            tip = self.tip(gitdir)
            if not tip or tip == cursor.get(name):
                continue
            if skip:
                cursor[name] = tip
                yield [], dict(cursor)
                continue
            blobs = self.new_blobs(gitdir, cursor.get(name), tip)
            for i in range(0, len(blobs), batch):
                chunk = blobs[i:i + batch]
                msgs = self.cat_blobs(gitdir, [b for _, b in chunk])
                cursor[name] = chunk[-1][0]
                yield msgs, dict(cursor)
            if cursor.get(name) != tip:
                cursor[name] = tip
                yield [], dict(cursor)

    def cat_blobs(self, gitdir, blobs):
        out = git(gitdir, "cat-file", "--batch", data=("\n".join(blobs) + "\n").encode())
        msgs, pos = [], 0
        for blob in blobs:
            end = out.index(b"\n", pos)
            head = out[pos:end].split()
            if len(head) != 3 or head[1] != b"blob":
                raise InboxError("%s: blob %s is missing" % (gitdir, blob))
            size = int(head[2])
            raw = out[end + 1:end + 1 + size]
            pos = end + 1 + size + 1
            msgs.append(("git:" + blob, raw if size <= MAX_MESSAGE else None))
        return msgs


class Maildir:
    """A Maildir (what `lei q -o` writes): every file in new/ and cur/.
    The cursor is empty: the unique part of each file name (before ':')
    is the source, and sources already recorded are skipped by the caller
    through `seen`."""

    kind = "maildir"

    def __init__(self, path):
        self.path = path

    def describe(self):
        return "Maildir"

    def read(self, cursor, seen=None, batch=500, skip=False):
        """As GitInbox.read; SKIP yields sources without reading files."""
        names = []
        for sub in ("new", "cur"):
            d = os.path.join(self.path, sub)
            for name in os.listdir(d):
                if not name.startswith("."):
                    names.append((os.stat(os.path.join(d, name)).st_mtime, name, sub))
        names.sort()
        todo = [(n, sub) for _, n, sub in names
                if not (seen and seen("maildir:" + n.split(":")[0]))]
        for i in range(0, len(todo), batch):
            msgs = []
            for name, sub in todo[i:i + batch]:
                msgs.append(("maildir:" + name.split(":")[0],
                             None if skip else self.read_file(sub, name)))
            yield msgs, {}

    def read_file(self, sub, name):
        path = os.path.join(self.path, sub, name)
        try:
            if os.path.getsize(path) > MAX_MESSAGE:
                return None
            with open(path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            # Moved from new/ to cur/ while we read: it is in cur/ now.
            other = [n for n in os.listdir(os.path.join(self.path, "cur"))
                     if n.split(":")[0] == name.split(":")[0]]
            if not other:
                return None
            with open(os.path.join(self.path, "cur", other[0]), "rb") as f:
                return f.read()
