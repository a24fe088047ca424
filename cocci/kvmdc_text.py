# SPDX-License-Identifier: GPL-2.0
"""The text reader behind rule bug-on-guest (kvmdc_bug.py): the verdict of
one site from the function's text.  The macro's own engine
(kvmdc_verdict.py) no longer uses it; moving bug_on_guest.cocci onto the
SmPL facts and deleting this file is issue 10's open part.

Called from the embedded Python of the .cocci scripts.  Coccinelle finds
the site (file, line, column, enclosing function); this module reads the
function's text and traces the condition back to its sources with the
policy file that the GCC plugin reads too (kvmdc_lib.policy: one parser,
one knowledge base).  It follows locals assigned in the same function,
buffers filled through guest-func arguments, same-file helpers (their
return expressions, parameters bound to the caller's arguments), fields by
the declared struct type of their base, and for a constant condition the
branch conditions that enclose the site.  Parameters are judged by their
declared type, then by the policy's parameter names.
"""
import json
import os
import re

from kvmdc_verdict import get_policy  # one parse of the policy per process

MACRO = "KVM_BUG_ON_DATA_CORRUPTION"
TOKEN = re.compile(r"\s*(->|&&|\|\||[!=<>]=|<<|>>|[A-Za-z_]\w*|0[xX][0-9a-fA-F]+\w*"
                   r"|\d\w*|'(?:\\.|[^'])'|\"(?:\\.|[^\"])*\"|\S)")
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "struct",
            "union", "unsigned", "signed", "const", "volatile", "int", "long",
            "char", "short", "bool", "void", "u8", "u16", "u32", "u64", "s8",
            "s16", "s32", "s64", "gfn_t", "gpa_t", "gva_t", "hpa_t", "typeof",
            "unlikely", "likely", "READ_ONCE", "WRITE_ONCE", "do", "else"}
CONSTANTS = {"true", "false", "NULL"}
MAX_DEPTH = 6

_files = {}


def tokens(text):
    return [m.group(1) for m in TOKEN.finditer(text)]


def source_lines(path):
    if path not in _files:
        with open(path, encoding="utf-8", errors="replace") as f:
            _files[path] = f.read().split("\n")
    return _files[path]


def unfname(text):
    """paging_tmpl.h names its functions FNAME(x); look them up as x."""
    return re.sub(r"\bFNAME\s*\(\s*(\w+)\s*\)", r"\1", text)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


COMMENT = r"/\*.*?\*/|//[^\n]*"
STRING = r"\"(?:\\.|[^\"\\\n])*\""


def blank_comments(text, strings=False):
    """TEXT with comments (and string literals) blanked to spaces, so that
    lines and columns stay valid."""
    pattern = COMMENT + "|" + STRING if strings else COMMENT
    return re.sub(pattern, lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def written_uses(text):
    """(line, 1-based col) of each use of the macro written in TEXT: not in
    a comment, a string or a #define body (continuation lines included)."""
    uses, in_define = [], False
    for n, line in enumerate(blank_comments(text, strings=True).split("\n"), 1):
        define = in_define or re.match(r"\s*#\s*define\b", line)
        in_define = bool(define) and line.rstrip().endswith("\\")
        if not define:
            uses += [(n, m.start() + 1) for m in re.finditer(r"\b%s\s*\(" % MACRO, line)]
    return uses


def balanced(text, start):
    """Index just past the parenthesis group opening at text[start]."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def split_args(text):
    """Top-level comma-separated arguments of an argument list text."""
    args, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        args.append(cur.strip())
    return args


class Function:
    """The text of one function: header parameters and body."""

    def __init__(self, path, name, params, body, body_line):
        self.path, self.name = path, name
        self.params = params          # name -> declaration text
        self.body = body
        self.body_line = body_line    # 1-based line of the opening brace


def find_function(path, line):
    """The function whose body holds LINE (kernel style: braces at column 0)."""
    lines = source_lines(path)
    start = None
    for i in range(min(line, len(lines)) - 1, -1, -1):
        if lines[i].startswith("{"):
            start = i
            break
        if lines[i].startswith("}") and i < line - 1:
            return None
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and not lines[end].startswith("}"):
        end += 1
    return parse_function(path, lines, start, end)


def parse_function(path, lines, start, end):
    head = []
    for i in range(start - 1, max(start - 12, -1), -1):
        text = lines[i]
        if text.rstrip().endswith((";", "}", "*/")) or not text.strip():
            break
        head.insert(0, text)
    header = unfname(strip_comments(" ".join(head)))
    m = re.search(r"(\w+)\s*\(", header)
    if not m:
        return None
    open_at = header.index("(", m.end() - 1)
    params = {}
    for decl in split_args(header[open_at + 1:balanced(header, open_at) - 1]):
        pm = re.search(r"(\w+)\s*(\[[^\]]*\])?$", decl)
        if pm:
            params[pm.group(1)] = decl
    body = strip_comments("\n".join(lines[start:end + 1]))
    return Function(path, m.group(1), params, body, start + 1)


def find_function_named(path, name):
    lines = source_lines(path)
    pat = re.compile(r"^(?!\s)(?!#).*\b(?:FNAME\s*\(\s*)?%s\b\s*\)?\s*\(" % re.escape(name))
    for i, text in enumerate(lines):
        if not pat.match(text) or text.rstrip().endswith(";"):
            continue
        for j in range(i, min(i + 12, len(lines))):
            if lines[j].startswith("{"):
                end = j + 1
                while end < len(lines) and not lines[end].startswith("}"):
                    end += 1
                return parse_function(path, lines, j, end)
            if lines[j].rstrip().endswith(";"):
                break
    return None


def struct_of(decl):
    m = re.search(r"\bstruct\s+(\w+)", decl)
    return m.group(1) if m else None


class Tracer:
    """Traces one condition to its sources inside one function."""

    def __init__(self, fn, site_offset, bindings=None, depth=0):
        self.fn, self.offset = fn, site_offset
        self.bindings = bindings or {}
        self.depth = depth
        self.line = None              # where the text being traced is written
        self.sources = []
        self.seen = set()
        self.pol = get_policy()

    def add(self, kind, name, cls, why):
        src = {"kind": kind, "name": name, "class": cls, "why": why,
               "file": self.fn.path, "line": self.line}
        if src not in self.sources:
            self.sources.append(src)

    def add_entry(self, kind, name, entry):
        self.add(kind, name, entry.prov, entry.why)

    def before(self):
        return self.fn.body[:self.offset]

    def decl_of(self, name):
        """Declaration text of a local (or parameter) NAME, or None."""
        if name in self.fn.params:
            return self.fn.params[name]
        m = re.search(r"(?:^|[;{}])\s*((?:const\s+)?(?:struct\s+)?\w+[\s*]+(?:\w+\s*"
                      r"(?:=[^;,]*)?,\s*\**\s*)*\b%s\b)" % re.escape(name), self.before())
        if m:
            return m.group(1)
        # A local of an anonymous struct type: struct { ... } NAME;
        m = re.search(r"\}\s*(%s)\s*(?:\[[^\]]*\])?\s*;" % re.escape(name), self.before())
        return m.group(1) if m else None

    def line_at(self, offset):
        return self.fn.body_line + self.fn.body.count("\n", 0, offset)

    def trace(self, text, line=None):
        saved = self.line
        self.line = line or self.line
        self.expr(tokens(unfname(text)))
        self.line = saved

    def expr(self, toks):
        i = 0
        while i < len(toks):
            i = self.term(toks, i)

    def term(self, toks, i):
        tok = toks[i]
        if not re.match(r"[A-Za-z_]", tok):
            if re.match(r"\d|'", tok):
                self.add("constant", tok, "constant", "constant")
            return i + 1
        if i > 0 and toks[i - 1] in ("->", "."):
            return i + 1
        if tok in CONSTANTS or tok.isupper() and len(tok) > 1 and not self.is_call(toks, i):
            self.add("constant", tok, "constant", "constant")
            return i + 1
        if tok in ("struct", "union", "enum"):
            return i + 2              # a tag in a cast or sizeof, not a variable
        if tok in KEYWORDS or tok == "FNAME":
            return i + 1
        if self.is_call(toks, i):
            return self.call(toks, i)
        return self.chain(toks, i)

    @staticmethod
    def is_call(toks, i):
        return i + 1 < len(toks) and toks[i + 1] == "("

    def call_args(self, toks, i):
        depth, j, start = 0, i + 1, i + 2
        while j < len(toks):
            depth += toks[j] == "("
            depth -= toks[j] == ")"
            if depth == 0:
                break
            j += 1
        return split_args(" ".join(toks[start:j])), j + 1

    def call(self, toks, i):
        name = toks[i]
        args, nxt = self.call_args(toks, i)
        entry = self.pol.func(name)
        if entry and entry.prov == "host" and self.host_helper(name, args):
            return nxt
        if entry:
            self.add_entry("function", name, entry)
            return nxt
        if not self.helper(name, args):
            self.add("function", name, "unknown", "helper not in this file or the policy")
        return nxt

    def host_helper(self, name, args):
        """A same-file helper the policy also calls host (kvm_rmap_lock()):
        its body names what it returns (kvm_rmap_head.val), which is what
        allow entries match.  Used only when the body is all host, else the
        policy's word stands (a guest-func entry is a root, never looked
        through)."""
        saved = self.sources
        self.sources = []
        followed = self.helper(name, args)
        found, self.sources = self.sources, saved
        if not followed or verdict_of(found) != "host" or \
           all(s["class"] == "constant" for s in found):
            self.seen.discard(("call", name))
            return False
        self.sources.extend(s for s in found if s not in self.sources)
        return True

    def helper(self, name, args):
        """A same-file helper: trace its return expressions with bound args."""
        if self.depth >= MAX_DEPTH or ("call", name) in self.seen:
            return False
        self.seen.add(("call", name))
        fn = find_function_named(self.fn.path, name)
        if not fn:
            return False
        returns = list(re.finditer(r"\breturn\b([^;]*);", fn.body))
        if not returns:
            return False
        names = list(fn.params)
        bind = {p: (a, self) for p, a in zip(names, args)}
        sub = Tracer(fn, len(fn.body), bind, self.depth + 1)
        for r in returns:
            sub.trace(r.group(1), sub.line_at(r.start()))
        self.sources.extend(s for s in sub.sources if s not in self.sources)
        return True

    def chain(self, toks, i):
        """NAME followed by ->field / .field / [index] accesses."""
        base, j, fields = toks[i], i + 1, []
        while j + 1 < len(toks) and toks[j] in ("->", "."):
            fields.append(toks[j + 1])
            j += 2
            while j < len(toks) and toks[j] == "[":
                k = j
                while k < len(toks) and toks[k] != "]":
                    k += 1
                self.expr(toks[j + 1:k])
                j = k + 1
        if fields:
            self.fields(base, fields)
        else:
            self.variable(base)
        return j

    def fields(self, base, fields):
        types = [self.base_type(base)]
        for f in fields[:-1]:
            types.append(member_type(self.fn.path, types[-1], f))
        for struct, field in reversed(list(zip(types, fields))):
            if not struct:
                continue
            entry = self.pol.field(struct, field) or self.pol.type(struct)
            if entry:
                self.add_entry("field", "%s.%s" % (struct, field), entry)
                return
        if base in self.bindings:
            self.bound(base)
            return
        # No policy entry for the types: the value is what the base holds
        # (a struct filled by a guest read, a pointer from a guest helper).
        if base in self.fn.params or not self.decl_of(base):
            self.add("field", "%s.%s" % (types[-1] or "?", fields[-1]), "unknown",
                     "struct type not in the policy")
            return
        self.variable(base)

    def base_type(self, name):
        if name in self.bindings:
            expr, caller = self.bindings[name]
            if re.fullmatch(r"\w+", expr):
                return caller.base_type(expr)
        decl = self.decl_of(name)
        return struct_of(decl) if decl else None

    def bound(self, name):
        expr, caller = self.bindings[name]
        caller.trace(expr)
        self.sources.extend(s for s in caller.sources if s not in self.sources)

    def variable(self, name):
        if ("var", name) in self.seen:
            return
        self.seen.add(("var", name))
        if name in self.bindings:
            self.bound(name)
            return
        if self.filled_by_guest(name):
            return
        assigned = self.assignments(name)
        for rhs, offset in assigned:
            self.trace(rhs, self.line_at(offset))
        if name in self.fn.params:
            self.parameter(name)
        elif not assigned:
            kind = "local" if self.decl_of(name) else "global"
            self.add(kind, name, "unknown", "value not traced")

    def parameter(self, name):
        saved, self.line = self.line, self.fn.body_line - 1
        struct = struct_of(self.fn.params[name])
        entry = (self.pol.type(struct) if struct else None) or self.pol.param(name)
        if entry:
            self.add_entry("parameter", name, entry)
        else:
            self.add("parameter", name, "unknown", "callers not seen")
        self.line = saved

    def assignments(self, name):
        text = self.before()
        pat = r"\b%s\s*(?:\[[^\]]*\])?\s*[-+|&^]?=(?!=)([^;]*);" % re.escape(name)
        return [(m.group(1), m.start(1)) for m in re.finditer(pat, text)]

    def filled_by_guest(self, name):
        """NAME filled by a guest-func: passed as &NAME, or as the first
        argument of a call whose value is not assigned (get_user() style
        macros take the lvalue itself); the last such call wins."""
        text, hit = self.before(), None
        for m in re.finditer(r"\b(\w+)\s*\(", text):
            entry = self.pol.func(m.group(1))
            if not entry or entry.prov != "guest":
                continue
            args = split_args(text[m.end():balanced(text, m.end() - 1) - 1])
            assigned = text[:m.start()].rstrip().endswith("=")
            if any(re.fullmatch(r"&\s*\(?\s*%s\s*\)?" % re.escape(name), a) for a in args) or \
               (args and args[0] == name and not assigned):
                hit = (m.group(1), entry, m.start())
        if hit:
            saved, self.line = self.line, self.line_at(hit[2])
            self.add_entry("function", hit[0], hit[1])
            self.line = saved
        return bool(hit)


def member_type(path, struct, field):
    """Struct type of STRUCT.FIELD, from the definitions kvmdc can see."""
    if not struct:
        return None
    for text in definition_texts(path):
        m = re.search(r"\bstruct\s+%s\s*\{" % re.escape(struct), text)
        if not m:
            continue
        body = text[m.end():balanced(text.replace("{", "(").replace("}", ")"), m.end() - 1)]
        fm = re.search(r"\bstruct\s+(\w+)\s*\**\s*\b%s\b\s*(?:\[[^\]]*\])?\s*;" % re.escape(field), body)
        return fm.group(1) if fm else None
    return None


_defs = {}


def definition_texts(path):
    """The file, its quoted includes and the KVM headers of its tree."""
    if path in _defs:
        return _defs[path]
    paths = [path]
    d = os.path.dirname(os.path.abspath(path))
    # kvmdc scan passes a file whose name is not ASCII through a symlink:
    # its includes and its tree are where the link points.
    real = os.path.dirname(os.path.realpath(path))
    # A quoted include is looked for next to the file, then one level up
    # (test fixtures and arch code use -I on the parent directory).
    for inc in re.findall(r'^\s*#\s*include\s*"([^"]+)"', "\n".join(source_lines(path)), re.M):
        for base in (d, os.path.dirname(d), real, os.path.dirname(real)):
            if os.path.exists(os.path.join(base, inc)):
                paths.append(os.path.join(base, inc))
                break
    tree = tree_root(d) or tree_root(real)
    if tree:
        paths += [os.path.join(tree, "include/linux/kvm_host.h"),
                  os.path.join(tree, "arch/x86/include/asm/kvm_host.h")]
    texts = []
    for p in paths:
        try:
            texts.append(strip_comments("\n".join(source_lines(p))))
        except OSError:
            pass
    _defs[path] = texts
    return texts


def tree_root(d):
    while d != "/":
        if all(os.path.exists(os.path.join(d, x)) for x in ("Makefile", "Kconfig", "include/linux")):
            return d
        d = os.path.dirname(d)
    return None


def branch_conditions(body, offset):
    """(condition, offset) of the if/else/while/for blocks enclosing OFFSET.

    A stack entry is (condition, is_if); closing an if block (or ending a
    braceless if statement) remembers its condition for a following else.
    """
    toks = [(m.group(1), m.start(1)) for m in TOKEN.finditer(body[:offset])]
    stack, pending, last_if = [], None, None
    i = 0
    while i < len(toks):
        tok, pos = toks[i]
        if tok in ("if", "while", "for") and i + 1 < len(toks) and toks[i + 1][0] == "(":
            end = balanced(body, toks[i + 1][1])
            cond = body[toks[i + 1][1] + 1:end - 1]
            if tok == "for":
                cond = cond.split(";")[1] if cond.count(";") == 2 else ""
            pending = (cond.strip(), tok == "if", toks[i + 1][1])
            while i < len(toks) and toks[i][1] < end:
                i += 1
            continue
        if tok == "else":
            pending = ("!(%s)" % last_if[0], False, last_if[1]) if last_if else None
        elif tok == "{":
            stack.append(pending)
            pending = None
        elif tok == "}":
            top = stack.pop() if stack else None
            last_if = (top[0], top[2]) if top and top[1] else None
            pending = None
        elif tok == ";":
            last_if = (pending[0], pending[2]) if pending and pending[1] else None
            pending = None
        i += 1
    conds = [(c[0], c[2]) for c in stack if c and c[0]]
    if pending and pending[0]:
        conds.append((pending[0], pending[2]))
    return conds


def condition_at(path, line, col):
    """Raw text of the macro's first argument at LINE:COL (0-based col)."""
    lines = source_lines(path)[line - 1:line + 20]
    text = blank_comments("\n".join(lines))
    open_at = text.index("(", col)
    args = split_args(text[open_at + 1:balanced(text, open_at) - 1])
    return " ".join(args[0].split()) if args else ""


def classify(path, line, col):
    """(function, condition, verdict, sources) of the site at LINE:COL."""
    cond = condition_at(path, line, col)
    fn = find_function(path, line)
    if not fn:
        return None, cond, "unknown", []
    offset = site_offset(fn, line, col)
    tracer = Tracer(fn, offset)
    tracer.trace(cond, line)
    if all(s["class"] == "constant" for s in tracer.sources):
        for c, at in branch_conditions(fn.body, offset):
            tracer.trace(c, tracer.line_at(at))
    return fn.name, cond, verdict_of(tracer.sources), tracer.sources


def site_offset(fn, line, col):
    lines = fn.body.split("\n")
    k = line - fn.body_line
    return sum(len(x) + 1 for x in lines[:k]) + col


def verdict_of(sources):
    classes = {s["class"] for s in sources}
    if "guest" in classes:
        return "guest"
    if "unknown" in classes:
        return "unknown"
    return "host"


def describe(sources, cls):
    return ", ".join("%s %s (%s)" % (s["kind"], s["name"], s["why"])
                     for s in sources if s["class"] == cls)


def define_at(path, line):
    """Name of the macro whose #define body holds LINE, or None."""
    lines = source_lines(path)
    i = line - 1
    while i > 0 and lines[i - 1].rstrip().endswith("\\"):
        i -= 1
    m = re.match(r"\s*#\s*define\s+(\w+)", lines[i]) if i < len(lines) else None
    return m.group(1) if m else None


def site_function(p, fn):
    """The function of a site; for a use in a wrapper macro's body (a
    top-level Coccinelle calls "something_else"), the wrapper's name."""
    if fn:
        return fn
    return define_at(p.file, int(p.line)) or p.current_element


def record_line(p, site):
    """One JSON line for kvmdc scan (engine cocci; col is 1-based bytes)."""
    fn, cond, verdict, sources = site
    rec = {"file": p.file, "line": int(p.line), "col": int(p.column) + 1,
           "function": site_function(p, fn), "macro": MACRO,
           "verdict": verdict, "condition": cond,
           "sources": [s for s in sources if s["class"] != "constant"] or sources,
           "engine": "cocci"}
    if verdict == "guest":
        rec["rule"] = "guest-condition"
    return "kvmdc-record: " + json.dumps(rec)
