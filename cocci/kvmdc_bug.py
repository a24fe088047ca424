# SPDX-License-Identifier: GPL-2.0
"""Verdicts of plain BUG_ON()/BUG() sites (rule bug-on-guest) for
bug_on_guest.cocci, on top of the text reader in kvmdc_text.py.

BUG_ON(cond) is judged like the macro's condition.  BUG() is judged by the
conditions of the blocks that enclose it (if/else, while, for, and the
switch whose case or default it sits in): a guest-controlled one lets the
guest reach it, and is named.  The policy's bug-scope lines say where the
rule applies, its bug-allow lines which reviewed sites it leaves alone.
"""
import bisect
import itertools
import json
import os
import re

import kvmdc_text as kv

SWITCH = re.compile(r"\bswitch(?=\s*\()")
# CALL without its leading \b: a pattern that starts with a literal is
# searched for that literal first, about 200 times faster over a whole file;
# the word boundary is then checked by hand.
WRITTEN = {"BUG_ON": re.compile(r"BUG_ON\s*\("), "BUG": re.compile(r"BUG\s*\(\s*\)")}
IDENT_CHAR = re.compile(r"\w")
CALL = {"BUG_ON": re.compile(r"\bBUG_ON\s*\("), "BUG": re.compile(r"\bBUG\s*\(\s*\)")}


def site_offset(fn, path, line, col, macro):
    """Offset of the site in FN's body: the same occurrence of the call as
    in the source (the body's blanked comments may have lost newlines, so
    counting lines would drift)."""
    lines = kv.source_lines(path)
    before = "\n".join(lines[fn.body_line - 1:line - 1] + [lines[line - 1][:col]])
    nth = len(CALL[macro].findall(kv.blank_comments(before)))
    found = list(CALL[macro].finditer(fn.body))
    if nth < len(found):
        return found[nth].start()
    return kv.site_offset(fn, line, col)


def in_scope(path):
    root = kv.tree_root(os.path.dirname(os.path.abspath(path)))
    rel = os.path.relpath(os.path.abspath(path), root) if root else path
    return kv.get_policy().in_bug_scope(rel), rel


MACRO_CALL = re.compile(r"\b[A-Z][A-Z0-9_]*\s*\(")


def trace_condition(tracer, cond, line):
    """Trace COND; the arguments of an all-caps call (a macro such as
    IS_ALIGNED(), which the text engine cannot see into) too."""
    tracer.trace(cond, line)
    for m in MACRO_CALL.finditer(cond):
        end = kv.balanced(cond, m.end() - 1)
        for arg in kv.split_args(cond[m.end():end - 1]):
            tracer.trace(arg, line)


def check_text(path, line, col, macro):
    """The call as written: BUG_ON(cond) or BUG()."""
    if macro == "BUG":
        return "BUG()"
    return "BUG_ON(%s)" % kv.condition_at(path, line, col)


def classify(path, line, col, macro):
    """(function, check, verdict, sources, guest branch line or None)."""
    check = check_text(path, line, col, macro)
    fn = kv.find_function(path, line)
    if not fn:
        return None, check, "unknown", [], None
    offset = site_offset(fn, path, line, col, macro)
    tracer = kv.Tracer(fn, offset)
    if macro == "BUG_ON":
        trace_condition(tracer, check[len("BUG_ON("):-1], line)
        return fn.name, check, kv.verdict_of(tracer.sources), tracer.sources, None
    # A switch block is an enclosing condition like an if block: same length,
    # so offsets into the body stay valid.
    body = SWITCH.sub("if    ", fn.body)
    branch = None
    for cond, at in kv.branch_conditions(body, offset):
        before = len(tracer.sources)
        trace_condition(tracer, cond, tracer.line_at(at))
        if branch is None and any(s["class"] == "guest" for s in tracer.sources[before:]):
            branch = tracer.line_at(at)
    if not tracer.sources:
        tracer.add("unknown", "no branch", "unknown",
                   "reached whenever its function runs: its callers decide")
    return fn.name, check, kv.verdict_of(tracer.sources), tracer.sources, branch


def record_line(p, macro):
    """One JSON line for kvmdc scan, or None out of the bug-scope."""
    rec = record(p.file, int(p.line), int(p.column), macro, p.current_element)
    return "kvmdc-record: " + json.dumps(rec) if rec else None


def written_sites(path):
    """(line, 0-based col, macro) of each BUG_ON(/BUG() written in PATH,
    outside comments, strings and #define bodies; KVM_BUG_ON and the like
    are other macros."""
    text = kv.blank_comments("\n".join(kv.source_lines(path)), strings=True)
    starts = [0] + list(itertools.accumulate(len(l) + 1 for l in text.split("\n")))
    out = []
    for macro, pat in WRITTEN.items():
        for m in pat.finditer(text):
            at = m.start()
            if at and IDENT_CHAR.match(text, at - 1):
                continue
            n = bisect.bisect_right(starts, at)
            if not kv.define_at(path, n):
                out.append((n, at - starts[n - 1], macro))
    return sorted(out)


def record(path, line, col, macro, element=None):
    """The record of one site (col 0-based), or None out of the bug-scope."""
    scoped, rel = in_scope(path)
    if not scoped:
        return None
    fn, check, verdict, sources, branch = classify(path, line, col, macro)
    fn = fn or kv.define_at(path, line) or element
    rec = {"file": path, "line": line, "col": col + 1, "function": fn,
           "macro": macro, "bug": macro, "verdict": verdict, "condition": check,
           "sources": [s for s in sources if s["class"] != "constant"] or sources,
           "engine": "cocci"}
    allowed = kv.get_policy().bug_allowed(rel, fn, check) if verdict == "guest" else None
    if allowed:
        rec["allowed"] = allowed.why
    elif verdict == "guest":
        rec["rule"] = "bug-on-guest"
    if branch:
        rec["branch"] = {"stmt": "if", "file": path, "line": branch}
    return rec


def message(p, macro):
    """A coccicheck report line, or None out of the bug-scope."""
    path, line, col = p.file, int(p.line), int(p.column)
    scoped, rel = in_scope(path)
    if not scoped:
        return None
    fn, check, verdict, sources, branch = classify(path, line, col, macro)
    allowed = verdict == "guest" and kv.get_policy().bug_allowed(rel, fn, check)
    if allowed:
        return "INFO: %s in %s(): guest-derived, allowed by the policy: %s" % (
            check, fn, allowed.why)
    if verdict != "guest":
        return "INFO: %s in %s(): %s" % (check, fn, verdict)
    via = " through the branch at line %d" % branch if branch else ""
    return ("WARNING: %s in %s() is guest-reachable%s (%s): a guest can panic the host, "
            "use KVM_BUG_ON() or WARN_ON_ONCE() and return an error"
            % (check, fn, via, kv.describe(sources, "guest")))
