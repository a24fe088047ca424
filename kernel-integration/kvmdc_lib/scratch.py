# SPDX-License-Identifier: GPL-2.0
"""The review's scratch space: base/ and new/ copies of the touched files.

The base tree is only read (its working tree, or a commit with git
cat-file); the series' patches are applied in memory (patchfile) and the
results written under the scratch directory.  Every write walks the path
one directory at a time with O_NOFOLLOW, so nothing can lead a write out
of the scratch directory, and every file is a plain 0644 file whatever
mode the series asked for.
"""
import os

from . import bounded
from .patchfile import PatchError, apply_hunks, decoded_size, MAX_DECODED

GIT_TIMEOUT = 30


def git_env():
    """Git reading the base tree: none of the caller's or the machine's
    configuration, and no pager or prompt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", GIT_TERMINAL_PROMPT="0",
               GIT_PAGER="cat", GIT_OPTIONAL_LOCKS="0", LC_ALL="C", HOME="/nonexistent",
               XDG_CONFIG_HOME="/nonexistent")
    return env


def git(tree, *args, timeout=GIT_TIMEOUT):
    """git on the (trusted) base tree, bounded."""
    return bounded.run(["git", "-c", "safe.bareRepository=explicit", "-C", tree] + list(args),
                       timeout=timeout, env=git_env())


def safe_write(root, rel, data):
    """Write DATA to ROOT/REL, creating directories, never through a link."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    fd = os.open(root, flags)
    try:
        parts = rel.split("/")
        for part in parts[:-1]:
            try:
                os.mkdir(part, 0o755, dir_fd=fd)
            except FileExistsError:
                pass
            sub = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = sub
        out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644,
                      dir_fd=fd)
        try:
            os.fchmod(out, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(out, view):]
        finally:
            os.close(out)
    finally:
        os.close(fd)


def inside(root, path):
    """True when PATH's real path lies under ROOT's."""
    real_root = os.path.realpath(root)
    return os.path.realpath(path).startswith(real_root + os.sep)


class Base:
    """The tree a series is reviewed against: TREE's files, or REV's."""

    def __init__(self, tree, rev=None):
        self.tree, self.rev = tree, rev

    def read(self, path):
        """Bytes of PATH (a vetted tree-relative name), None if absent."""
        if self.rev:
            res = git(self.tree, "cat-file", "blob", "%s:%s" % (self.rev, path))
            return res.stdout if res.returncode == 0 and not res.timed_out else None
        full = os.path.join(self.tree, path)
        if not inside(self.tree, full) or not os.path.isfile(full):
            return None
        with open(os.path.realpath(full), "rb") as f:
            return f.read()


class Scratch:
    """base/ and new/ copies of the files a series touches."""

    def __init__(self, base, tmp):
        self.src = base
        self.tmp = os.path.realpath(tmp)
        self.base, self.new = os.path.join(self.tmp, "base"), os.path.join(self.tmp, "new")
        os.mkdir(self.base)
        os.mkdir(self.new)
        self.before, self.after = {}, {}
        self.decoded = 0
        self.skipped, self.modes = [], []
        self.written = set()

    def text(self, path):
        """The series' current version of PATH (str), None when absent."""
        if path not in self.after:
            data = self.src.read(path)
            text = data.decode("utf-8", "surrogateescape") if data is not None else None
            self.before[path] = self.after[path] = text
        return self.after[path]

    def add(self, path):
        """Bring PATH from the base into both sides (a file the review reads)."""
        self.text(path)
        if self.written:
            self.write()

    def apply(self, fps, what):
        for fp in fps:
            self.decoded += decoded_size(fp)
            if self.decoded > MAX_DECODED:
                raise PatchError("%s: series too large once decoded (more than %d bytes)"
                                 % (what, MAX_DECODED))
            if any(m != "100644" for m in fp.modes) and fp.path not in self.modes:
                self.modes.append(fp.path)
            if fp.binary:
                self.skipped.append(fp.path)
                self.text(fp.path)
                self.after[fp.path] = None
                continue
            self.apply_one(fp, what)

    def apply_one(self, fp, what):
        old = self.text(fp.old) if fp.old else None
        if fp.created and (self.text(fp.new) is not None):
            raise PatchError("error: %s: already exists in working directory" % fp.new)
        if not fp.created and old is None:
            raise PatchError("error: %s: No such file or directory" % (fp.old or fp.new))
        new = apply_hunks(fp, "" if fp.created else old, what)
        if fp.deleted:
            if new:
                raise PatchError("error: removal patch leaves file contents: %s" % fp.old)
            self.after[fp.old] = None
            return
        if fp.rename and fp.old != fp.new:
            self.after[fp.old] = None
        if fp.new != fp.old:
            self.text(fp.new)
        self.after[fp.new] = new

    def write(self):
        """Both sides on disk, as plain files."""
        for path in sorted(set(self.after) - self.written):
            for side, texts in ((self.base, self.before), (self.new, self.after)):
                if texts[path] is not None:
                    safe_write(side, path, texts[path].encode("utf-8", "surrogateescape"))
            self.written.add(path)

    def changed(self, path):
        return self.before.get(path) != self.after.get(path)

    def exists(self, side, path):
        full = os.path.join(side, path)
        return os.path.isfile(full) and not os.path.islink(full)
