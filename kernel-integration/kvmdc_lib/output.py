# SPDX-License-Identifier: GPL-2.0
"""Render records as text (GCC form), JSON or SARIF 2.1.0.

render(records, fmt, summary) is the entry point the subcommands share;
`records` are findings and sites alike, text shows only findings (rule
set), json and sarif carry every record (sarif: findings as results).
"""
import hashlib
import json

from . import records as rec_mod

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/kvmdc/kvmdc"
LEVELS = {"guest-condition": "warning", "bug-on-guest": "warning",
          "unknown-condition": "note", "sprawl-budget": "warning",
          "unlisted-use": "warning"}


def message(rec):
    fn = rec.get("function") or "?"
    rule = rec.get("rule")
    macro = rec.get("macro") or "KVM_BUG_ON_DATA_CORRUPTION"
    if rule == "guest-condition":
        return ("%s() in %s() guards a guest-controlled condition: with "
                "CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; "
                "use KVM_BUG_ON() or return an error" % (macro, fn))
    if rule == "bug-on-guest":
        return bug_message(rec, fn)
    if rule == "unknown-condition":
        return "%s() in %s(): provenance of the condition undecided" % (macro, fn)
    if rule in ("sprawl-budget", "unlisted-use"):
        return rec.get("message") or rec_mod.RULES[rule][0]
    return "%s() in %s(): %s condition" % (macro, fn, rec.get("verdict"))


def bug_message(rec, fn):
    """Rule bug-on-guest: the check, and for BUG() the branch that reaches it."""
    hint = ("a guest can panic the host; use KVM_BUG_ON() (kills only the VM) "
            "or WARN_ON_ONCE() and return an error")
    via = "" if rec.get("macro") == rec.get("bug") else " (through %s())" % rec.get("macro")
    if rec.get("bug") == "BUG":
        branch = rec.get("branch") or {}
        at = " (line %s)" % branch["line"] if branch.get("line") else ""
        return "BUG()%s in %s() is reached through a guest-controlled branch%s: %s" % (
            via, fn, at, hint)
    return "BUG_ON()%s in %s() on a guest-controlled condition: %s" % (via, fn, hint)


def note(src, rec):
    """A note naming one source, at its own location when the engine knows it."""
    if src.get("line") is None:
        where = "%s:%s:%s:" % (rec["file"], rec["line"], rec["col"])
    else:
        where = "%s:%s:" % (src.get("file") or rec["file"], src["line"])
    return "%s note: %s source: %s '%s' (%s)" % (
        where, src.get("class"), src.get("kind"), src.get("name"), src.get("why"))


def not_analysed(rec):
    """Said even without --strict: a use no engine looked at is never silent."""
    srcs = rec.get("sources") or []
    why = srcs[0]["why"] if srcs else ("its function was never emitted "
                                       "(unused static inline or unreachable code)")
    return "%s:%s:%s: note: %s() in %s() not analysed: %s [kvmdc]" % (
        rec["file"], rec["line"], rec["col"], rec.get("macro") or "KVM_BUG_ON_DATA_CORRUPTION",
        rec.get("function") or "?", why)


def render_text(records, summary):
    lines = []
    for rec in records:
        if not rec.get("rule"):
            if rec.get("analysed") is False:
                lines.append(not_analysed(rec))
            continue
        lines.append("%s:%s:%s: warning: %s [kvmdc:%s]" % (
            rec["file"], rec["line"], rec["col"], message(rec), rec["rule"]))
        # A mixed condition names its host sources too (DESIGN: mixed).
        for src in rec.get("sources") or []:
            if src.get("class") != "constant":
                lines.append(note(src, rec))
    if summary:
        lines.append(summary)
    return "\n".join(lines) + "\n" if lines else ""


def render_json(records, summary):
    return json.dumps({"records": records, "summary": summary}, indent=1) + "\n"


def fingerprint(rec, ordinal=0):
    """Stable across line shifts: file, function, rule and condition text,
    and for the second and later finding with all four the same, its
    ordinal among them in source order (the first keeps the plain key)."""
    key = "\0".join(str(rec.get(k) or "") for k in
                    ("file", "function", "rule", "condition"))
    if ordinal:
        key += "\0%d" % ordinal
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def fingerprints(findings):
    """fingerprint() of each of FINDINGS, distinct where the keys repeat."""
    seen, out = {}, []
    for rec in sorted(findings, key=lambda r: (r["line"], r.get("col") or 0)):
        fp = fingerprint(rec)
        seen[fp] = seen.get(fp, -1) + 1
        out.append((id(rec), fingerprint(rec, seen[fp])))
    by_id = dict(out)
    return [by_id[id(r)] for r in findings]


def sarif_rules():
    return [{"id": rid,
             "name": rid,
             "shortDescription": {"text": short},
             "fullDescription": {"text": full},
             "help": {"text": help_text},
             "defaultConfiguration": {"level": LEVELS[rid]}}
            for rid, (short, full, help_text) in rec_mod.RULES.items()]


def sarif_result(rec, rule_index, fp):
    region = {"startLine": rec["line"], "startColumn": rec["col"] or 1}
    result = {
        "ruleId": rec["rule"],
        "ruleIndex": rule_index[rec["rule"]],
        "level": LEVELS.get(rec["rule"], "warning"),
        "message": {"text": message(rec)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": rec["file"], "uriBaseId": "SRCROOT"},
            "region": region}}],
        "partialFingerprints": {"kvmdcSite/v1": fp},
        "properties": {"verdict": rec.get("verdict"), "engine": rec.get("engine"),
                       "sources": rec.get("sources") or []},
    }
    return result


def render_sarif(records, summary):
    rules = sarif_rules()
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    findings = [r for r in records if r.get("rule")]
    run = {
        "tool": {"driver": {"name": "kvmdc", "informationUri": INFO_URI,
                            "rules": rules}},
        "results": [sarif_result(r, rule_index, fp)
                    for r, fp in zip(findings, fingerprints(findings))],
        "properties": {"summary": summary,
                       "sites": [r for r in records if not r.get("rule")]},
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=1) + "\n"


def render(records, fmt, summary_line=""):
    """The text of RECORDS in FMT (text, json or sarif)."""
    return {"text": render_text, "json": render_json,
            "sarif": render_sarif}[fmt](records, summary_line)
