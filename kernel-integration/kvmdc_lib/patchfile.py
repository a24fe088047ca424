# SPDX-License-Identifier: GPL-2.0
"""Parse, vet and apply the file patches of a series, in memory.

The review does not hand a series to `git apply`: git reads configuration,
attributes and filters from wherever it thinks a repository is, and a
series can plant one.  Here a diff is only text: each file patch is parsed,
refused when no kernel patch needs what it asks for (a symlink, a
submodule, a name that only matters to git, a path leaving the tree, a
binary patch of a source the review reads), and its hunks are applied to
the file's text the way `git apply` does (exact context, nearest offset,
no fuzz).  Mode bits are never honoured; binary patches of other files are
skipped, their decoded size still counted against the cap.
"""
import base64
import re
import zlib

MAX_DECODED = 16 << 20
# No kernel file name needs more (one selftest file has a space and commas).
NAME_CHARS = re.compile(r"^[A-Za-z0-9._+,=@~ /-]+$")
# What makes git take a directory for a repository, or configures one.
GIT_TOP = {"HEAD", "config", "objects", "refs", "info", "hooks", "packed-refs",
           "index", "description", "logs", "branches", "worktrees", "modules",
           "commondir", "gitdir", "shallow", "FETCH_HEAD", "ORIG_HEAD"}
GIT_ANYWHERE = {".git", ".gitmodules"}
SYMLINK, SUBMODULE = "120000", "160000"
REGULAR = ("100644", "100755", "100664")
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
MODE_LINE = re.compile(r"^(old mode|new mode|new file mode|deleted file mode) (\d+)$")
INDEX_MODE = re.compile(r"^index [0-9a-f]+\.\.[0-9a-f]+ (\d+)$")
B85_LEN = {c: i + 1 for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
B85_LEN.update({c: i + 27 for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")})


class PatchError(Exception):
    """The series is refused or does not apply; str() is the reason."""


class Hunk:
    def __init__(self, old_start, new_start, lines, at):
        self.old_start, self.new_start, self.at = old_start, new_start, at
        self.old = [l[1:] for l in lines if l[0] in " -"]
        self.new = [l[1:] for l in lines if l[0] in " +"]
        self.leading = next((i for i, l in enumerate(lines) if l[0] != " "), len(lines))
        self.trailing = next((i for i, l in enumerate(reversed(lines)) if l[0] != " "),
                             len(lines))
        self.old_eof_nl, self.new_eof_nl = True, True


class FilePatch:
    def __init__(self):
        self.old = self.new = None
        self.created = self.deleted = False
        self.rename = self.copy = False
        self.modes = []
        self.hunks = []
        self.binary = False
        self.binary_size = 0

    @property
    def path(self):
        return self.new or self.old


def check_name(path, what):
    """PATH as a clean tree-relative name, or PatchError."""
    parts = path.split("/")
    bad = (not path or path.startswith("/") or not NAME_CHARS.match(path)
           or any(p in ("", ".", "..") for p in parts))
    if bad:
        raise PatchError("%s: refusing the unsafe path %r" % (what, path))
    low = [p.lower() for p in parts]
    if parts[0] in GIT_TOP or any(p in GIT_ANYWHERE or p.rstrip(". ") == ".git" for p in low
                                  ) or "HEAD" in parts:
        raise PatchError("%s: refusing %r: a name only git metadata uses (no kernel "
                         "patch needs it)" % (what, path))
    return path


def strip_prefix(name):
    """git apply -p1 on a ---/+++ or rename name; None for /dev/null."""
    name = name.split("\t")[0].rstrip("\r")
    if name == "/dev/null":
        return None
    if name.startswith('"'):
        raise PatchError("refusing the quoted path %s (no kernel file needs quoting)" % name)
    return name.split("/", 1)[1] if "/" in name else name


def git_names(rest):
    """(a, b) from `diff --git a/A b/B`, for names that hold spaces too."""
    m = re.match(r"^a/(\S+) b/(\S+)$", rest)
    if m:
        return m.group(1), m.group(2)
    n = (len(rest) - 5) // 2
    if len(rest) == 2 * n + 5 and rest[:2] == "a/" and rest[n + 2:n + 5] == " b/" \
            and rest[2:n + 2] == rest[n + 5:]:
        return rest[2:n + 2], rest[2:n + 2]
    raise PatchError("cannot read the file names of 'diff --git %s'" % rest[:80])


def parse(diff, what):
    """FilePatches of one patch's diff text."""
    lines = diff.split("\n")
    out, fp, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            fp = FilePatch()
            out.append(fp)
            fp.old, fp.new = git_names(line[len("diff --git "):])
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            if fp is None or fp.hunks or fp.binary:
                fp = FilePatch()
                out.append(fp)
            old, new = strip_prefix(line[4:]), strip_prefix(lines[i + 1][4:])
            fp.old, fp.new = old, new
            fp.created, fp.deleted = fp.created or old is None, fp.deleted or new is None
            i += 1
        elif fp is not None and header_line(fp, line):
            pass
        elif fp is not None and line.startswith("@@ "):
            i = read_hunk(fp, lines, i, what)
            continue
        elif fp is not None and line == "GIT binary patch":
            i = read_binary(fp, lines, i + 1, what)
            continue
        elif fp is not None and re.match(r"^Binary files .* differ$", line):
            fp.binary = True
        i += 1
    if not out:
        raise PatchError("%s: no file patch found" % what)
    for fp in out:
        vet(fp, what)
    return out


def header_line(fp, line):
    """Extended git header lines: modes, renames, copies."""
    m = MODE_LINE.match(line) or INDEX_MODE.match(line)
    if m:
        kind = m.group(1) if m.re is MODE_LINE else "index"
        fp.modes.append(m.group(m.lastindex))
        fp.created = fp.created or kind == "new file mode"
        fp.deleted = fp.deleted or kind == "deleted file mode"
        return True
    m = re.match(r"^(rename|copy) (from|to) (.+)$", line)
    if m:
        setattr(fp, m.group(1), True)
        setattr(fp, "old" if m.group(2) == "from" else "new", m.group(3))
        return True
    return False


def read_hunk(fp, lines, i, what):
    m = HUNK.match(lines[i])
    if not m:
        raise PatchError("%s: corrupt patch at line %d" % (what, i + 1))
    old_n = int(m.group(2)) if m.group(2) is not None else 1
    new_n = int(m.group(4)) if m.group(4) is not None else 1
    body, at, i = [], i + 1, i + 1
    last = None
    while old_n > 0 or new_n > 0 or (i < len(lines) and lines[i].startswith("\\")):
        if i >= len(lines):
            raise PatchError("%s: corrupt patch: hunk at line %d ends early" % (what, at))
        line = lines[i]
        if line.startswith("\\"):
            if last is None:
                raise PatchError("%s: corrupt patch at line %d" % (what, i + 1))
            body.append(("\\", last))
            i += 1
            continue
        kind = line[:1] or " "
        if kind not in " +-":
            raise PatchError("%s: corrupt patch at line %d" % (what, i + 1))
        old_n -= kind in " -"
        new_n -= kind in " +"
        if old_n < 0 or new_n < 0:
            raise PatchError("%s: corrupt patch at line %d" % (what, i + 1))
        body.append((kind, line[1:]))
        last = kind
        i += 1
    hunk = Hunk(int(m.group(1)), int(m.group(3)),
                [k + t for k, t in body if k != "\\"], at)
    for k, t in body:
        if k == "\\":
            if t in " -":
                hunk.old_eof_nl = False
            if t in " +":
                hunk.new_eof_nl = False
    fp.hunks.append(hunk)
    return i


def read_binary(fp, lines, i, what):
    """Skip a `GIT binary patch`, adding its decoded size to the file's."""
    fp.binary = True
    while i < len(lines):
        m = re.match(r"^(literal|delta) (\d+)$", lines[i])
        if not m:
            break
        size, data, i = int(m.group(2)), [], i + 1
        while i < len(lines) and lines[i]:
            data.append(decode_b85_line(lines[i], what))
            i += 1
        fp.binary_size += max(size, inflated_size(b"".join(data), what))
        i += 1
    return i


def decode_b85_line(line, what):
    n = B85_LEN.get(line[:1])
    body = line[1:]
    if n is None or len(body) % 5:
        raise PatchError("%s: corrupt binary patch" % what)
    try:
        return base64.b85decode(body)[:n]
    except ValueError:
        raise PatchError("%s: corrupt binary patch" % what)


def inflated_size(data, what):
    """Bytes DATA inflates to, stopping at the cap (a zip bomb is refused
    for its real size, whatever size its header claims)."""
    z = zlib.decompressobj()
    try:
        out = len(z.decompress(data, MAX_DECODED + 1))
    except zlib.error:
        raise PatchError("%s: corrupt binary patch" % what)
    return out


def vet(fp, what):
    for name in {fp.old, fp.new} - {None}:
        check_name(name, what)
    if fp.path is None:
        raise PatchError("%s: a file patch without a file name" % what)
    for mode in fp.modes:
        if mode == SYMLINK:
            raise PatchError("%s: refusing the symbolic link %s (no kernel patch needs one)"
                             % (what, fp.path))
        if mode == SUBMODULE:
            raise PatchError("%s: refusing the submodule %s" % (what, fp.path))
        if mode not in REGULAR:
            raise PatchError("%s: refusing %s: file mode %s" % (what, fp.path, mode))
    if fp.binary and any(n and n.endswith((".c", ".h")) for n in (fp.old, fp.new)):
        raise PatchError("%s: refusing a binary patch of the source %s" % (what, fp.path))


def decoded_size(fp):
    return fp.binary_size + sum(len(l) + 1 for h in fp.hunks for l in h.new)


def apply_hunks(fp, text, what):
    """TEXT (str, or None when absent) with FP's hunks applied."""
    lines, eof_nl = split(text or "")
    drift = 0
    for h in fp.hunks:
        pos = find(lines, h, h.new_start - 1 + drift)
        if pos is None:
            raise PatchError("error: patch failed: %s:%d" % (fp.old or fp.new, h.old_start))
        drift = pos - (h.new_start - 1)
        at_end = pos + len(h.old) == len(lines)
        lines[pos:pos + len(h.old)] = h.new
        if at_end:
            eof_nl = h.new_eof_nl
    if not lines:
        return ""
    return "\n".join(lines) + ("\n" if eof_nl else "")


def split(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
        return lines, True
    return lines, not text


def find(lines, h, expected):
    """Where H's old lines stand in LINES, nearest to EXPECTED first."""
    n = len(h.old)
    if not n:
        return min(max(expected, 0), len(lines))
    begin = h.leading == 0 and h.old_start <= 1
    end = h.trailing == 0
    last = len(lines) - n
    if last < 0:
        return None
    candidates = [0] if begin else [last] if end else None
    if candidates is None:
        expected = min(max(expected, 0), last)
        candidates = [expected]
        for d in range(1, last + 1):
            for c in (expected - d, expected + d):
                if 0 <= c <= last:
                    candidates.append(c)
    first = h.old[0]
    for c in candidates:
        if lines[c] == first and lines[c:c + n] == h.old:
            return c
    return None
