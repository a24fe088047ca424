# SPDX-License-Identifier: GPL-2.0
"""kvmdc review --format email: a reply shaped like the kernel test robot's.

Kernel developers already read those mails: a subject that answers the
patch, "New ... warnings:" one-liners in smatch's `file:LINE func() warn:`
form, then per location a `vim +LINE file` pointer with the offending
lines, and here the guest sources that make the condition guest-contained.
"""
from email.utils import parseaddr

from . import output
from .mail import touched_paths

SIGNATURE = "-- \nkvmdc review bot (KVM_BUG_ON_DATA_CORRUPTION() checker)\n"


def culprit(result, rec):
    """The last patch of the series that touches the finding's file."""
    hit = None
    for p in result["patches"]:
        if rec["file"] in touched_paths(p.diff):
            hit = p
    return hit or result["patches"][-1]


def headers(result):
    first = result["findings"][0] if result["findings"] else None
    patch = culprit(result, first) if first else result["patches"][-1]
    subject = patch.subject or "your patch"
    lines = ["Subject: Re: %s" % subject]
    if patch.msgid:
        lines += ["In-Reply-To: %s" % patch.msgid, "References: %s" % patch.msgid]
    if patch.author:
        lines.append("To: %s" % patch.author)
    name = parseaddr(patch.author)[0] or "there"
    return lines + ["", "Hi %s," % name, ""], subject


def one_liner(rec):
    return "%s:%d %s() warn: %s [kvmdc:%s]" % (
        rec["file"], rec["line"], rec.get("function") or "?", output.message(rec), rec["rule"])


def locations(findings):
    """Findings grouped by file and line (a header included three times
    gives three findings at one line)."""
    groups = {}
    for rec in findings:
        groups.setdefault((rec["file"], rec["line"]), []).append(rec)
    return groups


def location_block(recs):
    rec = recs[0]
    out = ["vim +%d %s" % (rec["line"], rec["file"]), ""]
    for n, text in rec.get("snippet") or []:
        out.append("%s%5d\t%s" % (" > " if n == rec["line"] else "   ", n, text))
    sources = []
    for r in recs:
        for s in r.get("sources") or []:
            if s.get("class") == "guest":
                line = "   %s:%s %s '%s' (%s)" % (s.get("file") or r["file"], s.get("line") or "?",
                                                  s.get("kind"), s.get("name"), s.get("why"))
                if line not in sources:
                    sources.append(line)
    if sources:
        out += ["", "guest sources:"] + sources
    return out + [""]


def render(result, summary):
    head, subject = headers(result)
    body = ["kvmdc reviewed this series against %s (%s)." % (result["tree"], result["base"]), ""]
    if not result["findings"]:
        body += ["No new kvmdc warnings.", ""]
    else:
        body += ["If you fix the issue in a separate patch, kindly add the tag",
                 "| Reported-by: kvmdc review bot", "",
                 "New kvmdc warnings:"]
        body += [one_liner(r) for r in result["findings"]] + [""]
    body += summary.split("\n") + [""]
    for recs in locations(result["findings"]).values():
        body += location_block(recs)
    return "\n".join(head + body) + SIGNATURE
