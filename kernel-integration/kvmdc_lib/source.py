# SPDX-License-Identifier: GPL-2.0
"""What a C file's text says, read without a compiler: comments blanked,
whether it uses the macro or writes BUG_ON()/BUG(), the condition of the
use at a line and column, and whether a translation unit can hold a site
at all (the cheap test run before the plugin)."""
import glob
import os
import re

from . import MACRO

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
COMMENT_OR_STRING = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"", re.S)
DEFINE = re.compile(r"\s*#\s*define\b")
# The macro's own #define, continuation lines included.
OWN_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+" + MACRO + r"\b(?:[^\n]*\\\n)*[^\n]*", re.M)
USE = re.compile(r"\b" + MACRO + r"\b")
CALL = re.compile(r"\b" + MACRO + r"\s*\(")
BUG_USE = r"\bBUG(_ON)?\s*\("
BUG_CALL = re.compile(BUG_USE.encode())
QUOTE_INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)
# How far a condition may run past the line of its use.
CONDITION_LINES = 40


def blank_comments(text, strings=False):
    """TEXT with every comment (and with STRINGS every string literal)
    turned into spaces, newlines kept, so that lines and columns stay
    those of the file."""
    return (COMMENT_OR_STRING if strings else COMMENT).sub(blank, text)


def blank(m):
    """Spaces for the match, its newlines kept (built, not substituted
    character by character: a review blanks thousands of comments)."""
    return "\n".join(" " * len(part) for part in m.group(0).split("\n"))


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def mentions_macro(path):
    """True when PATH names the macro outside comments and its own
    #define (a use, or a wrapper macro around it)."""
    with open(path, "rb") as f:
        data = f.read()
    if MACRO.encode() not in data:
        return False
    text = blank_comments(data.decode("utf-8", "replace"))
    return bool(USE.search(OWN_DEFINE.sub(" ", text)))


def written_uses(text):
    """(line, 1-based column) of each call of the macro written in TEXT:
    not in a comment, a string or a #define body (continuation lines
    included)."""
    uses, in_define = [], False
    for n, line in enumerate(blank_comments(text, strings=True).split("\n"), 1):
        define = in_define or DEFINE.match(line)
        in_define = bool(define) and line.rstrip().endswith("\\")
        if not define:
            uses += [(n, m.start() + 1) for m in CALL.finditer(line)]
    return uses


def enclosing_function(text, line):
    """Name of the function whose body holds LINE of TEXT, read in kernel
    style (a function body's braces in column 0), or None.  Only for uses
    in code Coccinelle could not parse: every other function name is
    Coccinelle's."""
    lines = text.split("\n")[:line]
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("}") and i < line - 1:
            return None
        if lines[i].startswith("{"):
            head = []
            for h in reversed(lines[max(i - 6, 0):i]):
                if not h.strip() or h.rstrip().endswith((";", "}", "*/")):
                    break
                head.insert(0, h)
            names = re.findall(r"(\w+)\s*\(", " ".join(head))
            return names[0] if names else None
    return None


def mentions_macro_quietly(path):
    """mentions_macro(), False for a file that cannot be read."""
    try:
        return mentions_macro(path)
    except OSError:
        return False


def mentions_bug(path):
    """Whether PATH writes BUG_ON( or BUG( outside comments (rule
    bug-on-guest)."""
    return bool(bug_lines(path))


def bug_lines(path):
    """Lines of PATH where BUG_ON( or BUG( is written outside comments: a
    superset of the lines any engine reports a bug-on-guest site at (a
    string or a #define body only adds lines).  None when PATH cannot be
    read.  Comments are blanked only in a file whose bytes name a call."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if not BUG_CALL.search(data):
        return set()
    text = blank_comments(data.decode("utf-8", "replace"))
    return {text.count("\n", 0, m.start()) + 1 for m in re.finditer(BUG_USE, text)}


def call_at(line_text, col, call=CALL):
    """The use of the macro (CALL: its name and parenthesis) on LINE_TEXT
    at the 1-based byte column COL: the one starting there, else the last
    one before it, else the first."""
    uses = list(call.finditer(line_text))
    if not uses:
        return None
    at = [m for m in uses if m.start() == (col or 1) - 1]
    before = [m for m in uses if m.start() < (col or 1) - 1]
    return (at or before[-1:] or uses)[0]


def first_argument(text, start):
    """TEXT[START:] up to the first top-level ',' or the closing ')'."""
    depth = 0
    for j in range(start, len(text)):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return text[start:j]
            depth -= 1
        elif c == "," and depth == 0:
            return text[start:j]
    return None


# path -> (stat signature, lines): a scan asks for the conditions of many
# sites of one file.
_LINES = {}


def file_lines(path):
    """PATH's lines, split once while its inode, size and times stay the same."""
    st = os.stat(path)
    sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    seen = _LINES.get(path)
    if not seen or seen[0] != sig:
        if len(_LINES) > 256:
            _LINES.clear()
        seen = _LINES[path] = (sig, read_text(path).split("\n"))
    return seen[1]


def condition_text(path, line, col, macro=MACRO):
    """The first argument of MACRO (default: the macro), whitespace folded,
    at PATH:LINE:COL (the record's 1-based byte column: two uses on one
    line each get their own); None when no use is written there."""
    call = CALL if macro == MACRO else re.compile(r"\b" + macro + r"\s*\(")
    try:
        lines = file_lines(path)
    except OSError:
        return None
    if not 0 < line <= len(lines):
        return None
    text = blank_comments("\n".join(lines[line - 1:line + CONDITION_LINES]))
    first = text.split("\n", 1)[0]
    m = call_at(first, col, call)
    if not m:
        # Written on a later line than the record says (a wrapper): the
        # first use from there on.
        m = call.search(text)
    cond = first_argument(text, m.end()) if m else None
    return " ".join(cond.split()) if cond is not None else None


def with_condition(rec, root):
    """REC with its condition text, read from the source under ROOT when
    the engine did not carry it (the plugin's facts do not)."""
    if rec.get("condition") is None:
        cond = condition_text(os.path.join(root, rec["file"]), rec["line"], rec.get("col"))
        rec = dict(rec, condition=cond if cond is not None else "")
    return rec


def include_dirs(cflags, option):
    """Directories given to OPTION (-I or -iquote), joined or separate."""
    dirs = []
    for i, arg in enumerate(cflags):
        if arg == option and i + 1 < len(cflags):
            dirs.append(cflags[i + 1])
        elif arg.startswith(option) and len(arg) > len(option):
            dirs.append(arg[len(option):])
    return dirs


def quoted_closure(path, cflags):
    """PATH and every file reachable through #include "..." lines,
    resolved as gcc does: the includer's directory, -iquote, then -I."""
    search = include_dirs(cflags, "-iquote") + include_dirs(cflags, "-I")
    seen, todo = set(), [path]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            with open(path, "rb") as f:
                text = f.read()
        except OSError:
            continue
        for name in QUOTE_INCLUDE.findall(text):
            name = name.decode("utf-8", "replace")
            for d in [os.path.dirname(path)] + search:
                cand = os.path.normpath(os.path.join(d, name))
                if os.path.isfile(cand):
                    todo.append(cand)
                    break
    return seen


def kvm_headers(cflags):
    """KVM's own angle-included headers, where a static inline or a
    wrapper macro around the macro would most plausibly live."""
    arches = {m.group(1) for d in include_dirs(cflags, "-I")
              for m in [re.search(r"arch/([^/]+)/include", d)] if m}
    paths = glob.glob("include/linux/kvm*.h") + glob.glob("include/kvm/*.h")
    for arch in sorted(arches):
        paths += glob.glob("arch/%s/include/asm/kvm*.h" % arch)
    return paths


def may_contain_site(path, cflags):
    """Cheap, conservative test run before the plugin.

    A site needs the macro name in the translation unit.  We look in the
    source, everything it reaches by quoted includes (paging_tmpl.h from
    mmu.c, mmu_internal.h...) and KVM's own headers.  Not seen: a wrapper
    macro or static inline in some other angle-included header, or a
    -include'd file; KVMDC_CHECK_ALL=1 turns the test off.
    """
    if os.environ.get("KVMDC_CHECK_ALL") == "1":
        return True
    files = quoted_closure(path, cflags) | set(kvm_headers(cflags))
    return any(mentions_macro_quietly(p) for p in files)
