# SPDX-License-Identifier: GPL-2.0
"""Vet the preprocessor directives of a series' files before any compile.

A compile reads every file an #include names and reports under every name
a #line gives: an attacker's series could make the bot read /etc/shadow,
block on /dev/stdin, swell on /dev/zero, or quote any file as "the
offending lines".  Before anything is compiled, each file the series
changed is read the way the preprocessor reads it (backslash-newlines
spliced, comments removed, `%:` as `#`) and refused when a directive names
a file that could resolve outside the tree: an absolute name, a `..` name
that leaves the tree or is not found next to its includer, a name built
by a macro, a #line/linemarker file outside the tree.  Object-like macro
chains that would expand past a million tokens and include cycles between
the series' files are refused too.  This is the first line; the compile
itself runs sandboxed and bounded (sandbox, bounded).
"""
import posixpath
import re

NAME = re.compile(r"^[A-Za-z0-9._+,=@~/-]+$")
COMMENT_OR_LITERAL = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                                re.S)
DIRECTIVE = re.compile(r"^\s*(?:#|%:)\s*([A-Za-z_]\w*|\d+)?(.*)$")
INCLUDES = ("include", "include_next", "import", "embed")
HEADER = re.compile(r'^\s*("([^"]*)"|<([^>]*)>)')
HAS_INCLUDE = re.compile(r"\b__has_(?:include|include_next|embed)\s*\(\s*([^)]*)\)?")
DEPENDENCY = re.compile(r"\bGCC\s+dependency\b\s*(.*)")
DEFINE = re.compile(r"^\s*(?:#|%:)\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?(.*)$")
SPLICE = re.compile(r"\\[ \t\f\v\r]*$")
TOKEN = re.compile(r"[A-Za-z_]\w*|\d\w*|\S")
MAX_EXPANSION = 1000000


class Refused(Exception):
    """A directive the review will not compile; str() is the reason."""


def logical_lines(text):
    """(first physical line, text) per logical line: backslash-newlines
    spliced, comments replaced by a space as the preprocessor does."""
    starts, joined, cur, start = [], [], [], None
    for n, line in enumerate(text.split("\n"), 1):
        start = start or n
        m = "\\" in line and SPLICE.search(line)
        if m:
            cur.append(line[:m.start()])
            continue
        cur.append(line)
        starts.append(start)
        joined.append("".join(cur))
        cur, start = [], None
    if cur:
        starts.append(start)
        joined.append("".join(cur))

    def blank(m):
        s = m.group(0)
        if s[0] in "\"'":
            return s
        return " " + "\n" * s.count("\n")
    stripped = COMMENT_OR_LITERAL.sub(blank, "\n".join(joined)).split("\n")
    return list(zip(starts, stripped))


class Vetter:
    """Checks the series' files; EXISTS(path) says whether a tree-relative
    file exists in the scratch copy or the base tree."""

    def __init__(self, exists):
        self.exists = exists
        self.defines = {}
        self.edges = {}

    def refuse(self, where, directive, why):
        raise Refused("%s: refusing %s: %s (the review reads nothing outside the tree)"
                      % (where, " ".join(directive.split())[:120], why))

    def check_file(self, path, text):
        self.edges.setdefault(path, set())
        for line, code in logical_lines(text):
            where = "%s:%d" % (path, line)
            self.check_expressions(path, where, code)
            m = ("#" in code or "%:" in code) and DIRECTIVE.match(code)
            if not m:
                continue
            word, rest = m.group(1) or "", m.group(2)
            shown = "#" + word + rest
            if word in INCLUDES:
                self.check_include(path, where, shown, rest)
            elif word == "line" or word.isdigit():
                self.check_line(where, shown, rest if word == "line" else word + rest)
            elif word == "pragma" and DEPENDENCY.search(rest):
                self.check_include(path, where, shown, DEPENDENCY.search(rest).group(1))
            elif word == "define":
                self.note_define(where, code)

    def check_expressions(self, path, where, code):
        if "__has_" not in code and "_Pragma" not in code:
            return  # the common line: no regex search (this runs per line)
        for m in HAS_INCLUDE.finditer(code):
            self.check_include(path, where, m.group(0), m.group(1), probe=True)
        if "_Pragma" in code and DEPENDENCY.search(code):
            self.refuse(where, code.strip(), "a _Pragma naming a dependency file")

    def check_include(self, path, where, shown, rest, probe=False):
        m = HEADER.match(rest)
        if not m:
            self.refuse(where, shown, "an include name built by a macro")
        quoted, name = m.group(2) is not None, m.group(2) if m.group(2) is not None else m.group(3)
        if not name or not NAME.match(name):
            self.refuse(where, shown, "an unusual file name")
        if name.startswith("/"):
            self.refuse(where, shown, "an absolute file name")
        norm = posixpath.normpath(name)
        if norm.startswith(".."):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
            if not quoted or target.startswith("..") or not self.exists(target):
                self.refuse(where, shown, "a name that leaves the tree")
        elif not probe:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
            self.edges[path].add((target, norm))

    def check_line(self, where, shown, rest):
        m = re.match(r'^\s*(\d+)\s*(?:"([^"]*)")?\s*(?:\d+\s*)*$', rest)
        if not m:
            self.refuse(where, shown, "a line directive built by a macro")
        name = m.group(2)
        if name is None or name == "":
            return
        if not NAME.match(name) or name.startswith("/") or \
                posixpath.normpath(name).startswith(".."):
            self.refuse(where, shown, "a file name outside the tree")

    def note_define(self, where, code):
        m = DEFINE.match(code)
        if m:
            self.defines[m.group(1)] = (TOKEN.findall(m.group(3)), where)

    def check_macros(self):
        """Refuse a macro the series defines that expands past the cap."""
        sizes = {}

        def size(name, active):
            if name in sizes:
                return sizes[name]
            total = 0
            for tok in self.defines[name][0]:
                total += size(tok, active | {name}) if tok in self.defines and \
                    tok not in active else 1
                if total > MAX_EXPANSION:
                    break
            sizes[name] = total
            return total
        for name, (_, where) in sorted(self.defines.items()):
            try:
                big = size(name, frozenset()) > MAX_EXPANSION
            except RecursionError:
                big = True
            if big:
                raise Refused("%s: refusing the macro %s: it expands to more than %d tokens"
                              % (where, name, MAX_EXPANSION))

    def check_cycles(self):
        """Refuse include cycles between the series' own files."""
        files = set(self.edges)

        def targets(path):
            for target, norm in self.edges[path]:
                if target in files:
                    yield target
                else:
                    yield from (f for f in files if f.endswith("/" + norm))
        state = {}
        for root in sorted(files):
            if root in state:
                continue
            stack = [(root, iter(targets(root)))]
            state[root] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    raise Refused("%s: refusing an include cycle through %s" % (node, nxt))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(targets(nxt))))


def vet(files, exists):
    """FILES: {tree-relative path: text} the series changed."""
    v = Vetter(exists)
    for path in sorted(files):
        v.check_file(path, files[path])
    v.check_macros()
    v.check_cycles()
