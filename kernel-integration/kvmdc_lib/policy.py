# SPDX-License-Identifier: GPL-2.0
"""The policy file, parsed exactly as plugin/policy.c parses it.

Grammar (documented at the top of kvmdc.policy): one entry per line,
`KEYWORD ARGUMENT... [-- reason]`, '#' starts a comment, names are
shell-style patterns; the file is UTF-8 text without control characters,
lines at most MAX_LINE bytes, LF or CRLF line ends, blanks are space and
tab (tests/unit/policy-odd-lines is the table both parsers are held to).  The first matching entry of a kind wins, as in the
plugin, so both engines give the same answer for the same name.
"""
import fnmatch
import os
import re
import stat
from collections import namedtuple

from . import DEFAULT_POLICY

Entry = namedtuple("Entry", "kind prov name field why line")
Budget = namedtuple("Budget", "dir limit why line")
# An allow entry names what its use guards (GUARDS: source names such as
# kvm_rmap_head.val) or, as the fallback, the condition text (squashed).
Allow = namedtuple("Allow", "file function guards condition why line")
BugScope = namedtuple("BugScope", "dir why line")
BugAllow = namedtuple("BugAllow", "file function check why line")

SOURCE_KEYWORDS = {
    "guest-func": ("func", "guest"), "host-func": ("func", "host"),
    "guest-type": ("type", "guest"), "host-type": ("type", "host"),
    "guest-field": ("field", "guest"), "host-field": ("field", "host"),
    "guest-param": ("param", "guest"), "host-param": ("param", "host"),
}
PATTERN = re.compile(r"^[A-Za-z0-9_*?]+$")
MAX_LINE = 4096
BLANKS = " \t"
# The reason follows the first "--" standing alone between blanks.
REASON = re.compile(r"[ \t]--(?=[ \t]|$)")
CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class PolicyError(Exception):
    """A bad policy file; str() is `FILE:LINE: reason`."""


def squash(text):
    """Condition text as allow entries compare it: whitespace removed."""
    return re.sub(r"\s+", "", text)


class Policy:
    def __init__(self, path):
        self.path = path
        self.entries = []
        self.budgets = []
        self.allows = []
        self.bug_scopes = []
        self.bug_allows = []

    def _lookup(self, kind, name, field=None):
        for e in self.entries:
            if e.kind != kind or not fnmatch.fnmatchcase(name, e.name):
                continue
            if kind == "field" and not fnmatch.fnmatchcase(field, e.field):
                continue
            return e
        return None

    def func(self, name):
        return self._lookup("func", name)

    def type(self, struct):
        return self._lookup("type", struct)

    def field(self, struct, field):
        return self._lookup("field", struct, field)

    def param(self, name):
        return self._lookup("param", name)

    def budget_for(self, path):
        """The budget whose directory holds PATH (tree-relative), or None."""
        for b in self.budgets:
            if path.startswith(b.dir.rstrip("/") + "/"):
                return b
        return None

    def in_bug_scope(self, path):
        """Whether a bug-scope directory holds PATH (tree-relative)."""
        path = "/" + os.path.normpath(path).lstrip("/")
        return any("/" + s.dir in path for s in self.bug_scopes)

    def bug_allowed(self, path, function, check):
        """The bug-allow entry for a BUG_ON()/BUG() site, or None; CHECK is
        the macro call as written ("BUG_ON(x < 0)", "BUG()")."""
        path = "/" + os.path.normpath(path).lstrip("/")
        want = squash(check)
        for a in self.bug_allows:
            if fnmatch.fnmatchcase(function or "", a.function) and a.check == want and \
                    path.endswith("/" + a.file):
                return a
        return None


def _parse_line(policy, text, lineno):
    """Adds the entry on one (comment-stripped) line; returns an error or None."""
    body, why = text, ""
    dash = REASON.search(text)
    if dash:
        body, why = text[:dash.start()], text[dash.end():].strip(BLANKS)
    w = words(body)
    if not w:
        return None
    if w[0] == "budget":
        if len(w) != 3 or not re.fullmatch(r"[0-9]+", w[2]):
            return "expected 'budget DIR N [-- reason]'"
        policy.budgets.append(Budget(w[1], int(w[2]), why, lineno))
        return None
    if w[0] == "bug-scope":
        if len(w) != 2 or w[1].startswith("/") or ".." in w[1]:
            return "expected 'bug-scope DIR [-- reason]' (DIR relative to the tree)"
        policy.bug_scopes.append(BugScope(w[1].rstrip("/") + "/", why, lineno))
        return None
    if w[0] == "bug-allow":
        check = "".join(w[3:])
        if len(w) < 4 or "(" not in check:
            return ("expected 'bug-allow FILE FUNCTION CHECK -- reason' "
                    "(CHECK as written, e.g. BUG_ON(x < 0) or BUG())")
        if not PATTERN.match(w[2]):
            return "bad function pattern"
        if not why:
            return "a bug-allow entry needs a reason after ' -- '"
        policy.bug_allows.append(BugAllow(w[1], w[2], check, why, lineno))
        return None
    if w[0] == "allow":
        return _parse_allow(policy, w, why, lineno)
    if w[0] not in SOURCE_KEYWORDS:
        return "unknown keyword '%s'" % w[0]
    kind, prov = SOURCE_KEYWORDS[w[0]]
    if len(w) != 2:
        return "expected '%s NAME [-- reason]'" % w[0]
    why = why or ("guest-controlled" if prov == "guest" else "host state")
    name, field = w[1], None
    if kind == "field":
        if "." not in name:
            return "expected STRUCT.FIELD"
        name, field = name.split(".", 1)
        if not PATTERN.match(name) or not PATTERN.match(field):
            return "bad STRUCT.FIELD pattern"
    elif not PATTERN.match(name):
        return "bad name pattern"
    policy.entries.append(Entry(kind, prov, name, field, why, lineno))
    return None


def _parse_allow(policy, w, why, lineno):
    """allow FILE FUNCTION guards NAME... -- why, or (fallback)
    allow FILE FUNCTION CONDITION -- why."""
    if len(w) < 4:
        return "expected 'allow FILE FUNCTION guards STRUCT.FIELD... -- justification'"
    if not why:
        return "an allow entry needs a justification after ' -- '"
    guards, condition = (), squash("".join(w[3:]))
    if w[3] == "guards":
        guards = tuple(w[4:])
        if not guards:
            return "expected 'guards STRUCT.FIELD...' (what the use guards)"
        for name in guards:
            if not all(PATTERN.match(part) for part in name.split(".")) or name.count(".") > 1:
                return "bad guarded name '%s': expected STRUCT.FIELD or NAME" % name
        condition = None
    policy.allows.append(Allow(w[1], w[2], guards, condition, why, lineno))
    return None


def words(text):
    """Blank-separated words (space and tab only, as the plugin splits)."""
    return [w for w in re.split(r"[ \t]+", text) if w]


def read_policy_bytes(path):
    """Bytes of the policy file: a regular file (O_NONBLOCK: a FIFO given
    by mistake is refused, not waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise PolicyError("%s: cannot open the policy file: %s" % (path, e.strerror)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise PolicyError("%s: not a regular file (%s)" % (path, file_kind(mode)))
    with os.fdopen(fd, "rb") as f:
        try:
            return f.read()
        except OSError as e:
            raise PolicyError("%s: cannot read the policy file: %s"
                              % (path, e.strerror)) from None


def file_kind(mode):
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a plain file"


def line_text(raw, lineno):
    """The text of one line (line end removed), or (None, reason)."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if len(raw) > MAX_LINE:
        return None, "line too long (more than %d bytes)" % MAX_LINE
    # The first bad byte decides, as the plugin reads the line byte by byte.
    control = CONTROL.search(raw)
    try:
        text, utf8_error = raw.decode("utf-8"), len(raw)
    except UnicodeDecodeError as e:
        text, utf8_error = None, e.start
    if control and control.start() < utf8_error:
        return None, "control character 0x%02x" % raw[control.start()]
    if text is None:
        return None, "not UTF-8"
    return text, None


def resolve(path=None):
    """The policy path to use, made absolute once: subcommands run children
    in other directories (spatch in the tree, gcc in kbuild's)."""
    path = path or os.environ.get("KVMDC_POLICY") or DEFAULT_POLICY
    # Joined, not normalised: "link/../p" must stay the file open() finds.
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def load(path=None):
    """Parses the policy file; raises PolicyError naming FILE:LINE."""
    path = resolve(path)
    policy = Policy(path)
    for lineno, raw in enumerate(read_policy_bytes(path).split(b"\n"), 1):
        line, bad = line_text(raw, lineno)
        if line is not None:
            # A comment runs from the first '#' to the end of the line.
            bad = _parse_line(policy, line.split("#", 1)[0].strip(BLANKS), lineno)
        if bad:
            raise PolicyError("%s:%d: %s" % (path, lineno, bad))
    return policy
