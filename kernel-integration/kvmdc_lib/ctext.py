# SPDX-License-Identifier: GPL-2.0
"""The few facts kvmdc takes from C text without parsing it.

Each has one definition here, used by every engine and command:
- blank_comments(): comments (and string literals) replaced by spaces, so
  that lines and columns stay valid;
- mentions_macro(): is the macro name written outside comments and its own
  #define (a file that can hold a use, a wrapper's body included);
- written_uses(): where uses are written (outside comments, strings and
  #define bodies);
- condition_text(): the macro's first argument at a given line and column.
Everything else about the code (functions, types, data flow) comes from a
real parser: GCC for the plugin, Coccinelle for the build-free engine.
"""
import re

from . import MACRO

COMMENT = r"/\*.*?\*/|//[^\n]*"
STRING = r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"
_COMMENT_ONLY = re.compile(COMMENT, re.S)
_COMMENT_OR_STRING = re.compile(STRING + "|" + COMMENT, re.S)
_OWN_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+" + MACRO + r"\b.*$", re.M)
_USE = re.compile(r"\b%s\s*\(" % MACRO)
_DEFINE = re.compile(r"\s*#\s*define\b")


def blank_comments(text, strings=False):
    """TEXT with comments (and, with STRINGS, string and character
    literals) replaced by spaces; newlines are kept."""
    pattern = _COMMENT_OR_STRING if strings else _COMMENT_ONLY

    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def mentions_macro(text):
    """True when TEXT writes the macro name outside comments and strings,
    not counting the macro's own #define."""
    if MACRO not in text:
        return False
    return MACRO in _OWN_DEFINE.sub(" ", blank_comments(text, strings=True))


def written_uses(text):
    """(line, 1-based column) of each use written in TEXT: not in a
    comment, a string or a #define body (continuation lines included)."""
    uses, in_define = [], False
    for n, line in enumerate(blank_comments(text, strings=True).split("\n"), 1):
        define = in_define or _DEFINE.match(line)
        in_define = bool(define) and line.rstrip().endswith("\\")
        if not define:
            uses += [(n, m.start() + 1) for m in _USE.finditer(line)]
    return uses


def condition_text(text, line, col):
    """The first argument of the macro written at LINE, 1-based byte COL,
    of TEXT, comments removed and white space collapsed; "" when no use
    of the macro starts there."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return ""
    start = sum(len(x) + 1 for x in lines[:line - 1]) + col - 1
    body = blank_comments(text[start:start + 4096], strings=False)
    m = _USE.match(body)
    if not m:
        return ""
    depth, i = 0, m.end()
    for j in range(i, len(body)):
        c = body[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return " ".join(body[i:j].split())
            depth -= 1
        elif c == "," and depth == 0:
            return " ".join(body[i:j].split())
    return ""


def read(path):
    """The text of PATH (bytes that are not UTF-8 replaced), or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None
