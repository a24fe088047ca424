# SPDX-License-Identifier: GPL-2.0
"""The policy file, parsed exactly as plugin/policy.c parses it.

Grammar (documented at the top of kvmdc.policy): one entry per line,
`KEYWORD ARGUMENT... [-- reason]`, '#' starts a comment, names are
shell-style patterns.  The first matching entry of a kind wins, as in the
plugin, so both engines give the same answer for the same name.
"""
import fnmatch
import os
import re
from collections import namedtuple

from . import DEFAULT_POLICY

Entry = namedtuple("Entry", "kind prov name field why line")
Budget = namedtuple("Budget", "dir limit why line")
Allow = namedtuple("Allow", "file function condition why line")
BugScope = namedtuple("BugScope", "dir why line")
BugAllow = namedtuple("BugAllow", "file function check why line")

SOURCE_KEYWORDS = {
    "guest-func": ("func", "guest"), "host-func": ("func", "host"),
    "guest-type": ("type", "guest"), "host-type": ("type", "host"),
    "guest-field": ("field", "guest"), "host-field": ("field", "host"),
    "guest-param": ("param", "guest"), "host-param": ("param", "host"),
}
PATTERN = re.compile(r"^[A-Za-z0-9_*?]+$")


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

    def allow_for(self, path, function, condition):
        want = squash(condition)
        for a in self.allows:
            if a.file == path and a.function == function and a.condition == want:
                return a
        return None


def _parse_line(policy, text, lineno):
    """Adds the entry on one (comment-stripped) line; returns an error or None."""
    body, why = text, ""
    dash = text.find(" -- ")
    if dash >= 0:
        body, why = text[:dash], text[dash + 4:].strip()
    w = body.split()
    if not w:
        return None
    if w[0] == "budget":
        if len(w) != 3 or not w[2].isdigit():
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
        if len(w) < 4:
            return "expected 'allow FILE FUNCTION CONDITION -- justification'"
        if not why:
            return "an allow entry needs a justification after ' -- '"
        policy.allows.append(Allow(w[1], w[2], squash("".join(w[3:])), why, lineno))
        return None
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


def load(path=None):
    """Parses the policy file; raises PolicyError naming FILE:LINE."""
    path = path or os.environ.get("KVMDC_POLICY") or DEFAULT_POLICY
    policy = Policy(path)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyError("cannot read policy file %s: %s" % (path, e)) from None
    for lineno, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        bad = _parse_line(policy, line, lineno)
        if bad:
            raise PolicyError("%s:%d: %s" % (path, lineno, bad))
    return policy
