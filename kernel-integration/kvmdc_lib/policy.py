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
# An allow entry names what its use guards (GUARDS: source names such as
# kvm_rmap_head.val) or, as the fallback, the condition text (squashed).
Allow = namedtuple("Allow", "file function guards condition why line")

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
