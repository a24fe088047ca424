# SPDX-License-Identifier: GPL-2.0
"""Mail threads into patch series.

parse() reads what the bot needs from one message: its place in the thread
(Message-ID, parent, References), and from a subject like
`[RFC PATCH kvm-x86 v3 2/5] KVM: x86: ...` the version, the position and
the series length.  group() puts the patches and cover letters of one
series together the way git send-email threads them: every patch answers
the cover letter (or patch 1), or the previous patch (--thread=deep).
Replies, reviews and mails without a [PATCH] tag are never series members.
"""
import email
import email.policy
import re
from collections import namedtuple
from email.utils import parseaddr

from .mail import header_text

Message = namedtuple("Message", "msgid parent refs subject title author addr kind version "
                                "number total rfc resend prefixes list_addr base_commit")

REPLY = re.compile(r"^\s*((re|aw|sv|fwd?)\s*:\s*)+", re.I)
TAGS = re.compile(r"^\s*((?:\[[^\]]*\]\s*)+)(.*)$", re.S)
MSGID = re.compile(r"<([^<>\s]+)>")
BASE_COMMIT = re.compile(r"^base-commit:\s*([0-9a-f]{7,40})\s*$", re.M)


def msgids(text):
    return ["<%s>" % m for m in MSGID.findall(text or "")]


def parse_tags(subject):
    """(is a patch, version, number, total, rfc, resend, prefixes, title)."""
    m = TAGS.match(subject)
    if not m or REPLY.match(subject):
        return False, 1, None, None, False, False, (), subject
    words = re.split(r"[\s,]+", " ".join(re.findall(r"\[([^\]]*)\]", m.group(1))))
    patch, version, number, total, rfc, resend, prefixes = False, 1, None, None, False, False, []
    for w in filter(None, words):
        low = w.lower()
        pv = re.match(r"^patch(?:v(\d+))?$", low)
        if pv:
            patch = True
            version = int(pv.group(1)) if pv.group(1) else version
        elif re.match(r"^v\d+$", low):
            version = int(low[1:])
        elif re.match(r"^\d+/\d+$", w):
            number, total = (int(x) for x in w.split("/"))
        elif low == "rfc":
            rfc = True
        elif low == "resend":
            resend = True
        else:
            prefixes.append(w)
    return patch, version, number, total, rfc, resend, tuple(prefixes), m.group(2).strip()


def list_address(msg):
    """The list's posting address: List-Post, else List-Id in the
    `<kvm.vger.kernel.org>` form that vger and public-inbox write."""
    post = re.search(r"<mailto:([^>?]+)", header_text(msg, "list-post"))
    if post:
        return post.group(1)
    lid = re.search(r"<([^.<>\s]+)\.([^<>\s]+\.[^<>\s]+)>", header_text(msg, "list-id"))
    return "%s@%s" % lid.groups() if lid else ""


def body_text(msg):
    out = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_type() not in ("text/plain", "text/x-patch",
                                                                  "text/x-diff"):
            continue
        try:
            raw = part.get_payload(decode=True) or b""
        except Exception:
            continue
        out.append(raw.decode("utf-8", "replace"))
    return "\n".join(out)


def parse(raw):
    """Message from RAW bytes, or None when it has no Message-ID."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    ids = msgids(header_text(msg, "message-id"))
    if not ids:
        return None
    refs = msgids(header_text(msg, "references"))
    irt = msgids(header_text(msg, "in-reply-to"))
    parent = irt[-1] if irt else (refs[-1] if refs else None)
    if parent and parent not in refs:
        refs.append(parent)
    subject = header_text(msg, "subject")
    patch, version, number, total, rfc, resend, prefixes, title = parse_tags(subject)
    if not patch:
        kind = "other"
    elif number == 0:
        kind = "cover"
    else:
        kind = "patch"
        if number is None:
            number, total = 1, 1
    author = header_text(msg, "from")
    base = BASE_COMMIT.search(body_text(msg)) if kind != "other" else None
    return Message(ids[0], parent, refs, subject, title, author, parseaddr(author)[1].lower(),
                   kind, version, number, total, rfc, resend, prefixes, list_address(msg),
                   base.group(1) if base else None)


def series_key(m):
    """Messages of one series share the sender, the version and the length."""
    return (m.addr, m.version, m.total)


def group(members, known, sticky=None):
    """Series of MEMBERS (list of (id, Message), arrival order): a list of
    lists of ids.  KNOWN(msgid) says whether a message arrived at all:
    patches answering the same cover letter group before it arrives.
    STICKY maps ids to the series they already belong to: those stay
    together whatever arrives later."""
    boss = {i: i for i, _ in members}
    numbers = {i: {m.number} for i, m in members}

    def find(i):
        while boss[i] != i:
            boss[i] = boss[boss[i]]
            i = boss[i]
        return i

    def union(a, b):
        a, b = find(a), find(b)
        # Two patches at one position are two series (or a resend).
        if a != b and not numbers[a] & numbers[b]:
            boss[max(a, b)] = min(a, b)
            numbers[min(a, b)] |= numbers[max(a, b)]

    first_of = {}
    for i, sid in sorted((sticky or {}).items()):
        if sid in first_of:
            a, b = find(first_of[sid]), find(i)
            boss[max(a, b)] = min(a, b)
            numbers[min(a, b)] |= numbers[max(a, b)]
        else:
            first_of[sid] = i
    by_msgid = {m.msgid: (i, m) for i, m in members}
    waiting_for = {}
    for i, m in members:
        if not m.parent:
            continue
        parent = by_msgid.get(m.parent)
        if parent and series_key(parent[1]) == series_key(m):
            union(parent[0], i)
        elif not parent and not known(m.parent):
            key = (m.parent,) + series_key(m)
            if key in waiting_for:
                union(waiting_for[key], i)
            else:
                waiting_for[key] = i
    groups = {}
    for i, _ in members:
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def head_of(msgs):
    """The message a reply answers: the cover letter, else the first patch."""
    return min(msgs, key=lambda m: (m.number, m.msgid))


def missing(msgs):
    """Positions 1..M that did not arrive."""
    total = max(m.total or 1 for m in msgs)
    have = {m.number for m in msgs}
    return [n for n in range(1, total + 1) if n not in have]
