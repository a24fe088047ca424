# SPDX-License-Identifier: GPL-2.0
"""Read a patch series: a plain diff, one mail, or an mbox.

git format-patch output, a `b4 am` mbox and a mailing-list archive are all
mboxes; mails may be MIME multipart, quoted-printable or base64.  Parsing is
left to the standard email/mailbox modules; this file only decides which
messages carry a patch, in which order, and refuses what a bot must not
guess about (no patch at all, text that is not UTF-8, absurd sizes).
"""
import email
import email.header
import email.policy
import mailbox
import os
import re
from collections import namedtuple

MAX_BYTES = 16 << 20
MAX_PATCHES = 200

Patch = namedtuple("Patch", "subject author msgid number total diff")

SUBJECT_TAG = re.compile(r"\[[^\]]*PATCH[^\]]*?(?:\s(\d+)/(\d+))?\s*\]", re.I)
DIFF_START = re.compile(r"^(diff --git |--- (?:a/)?\S|Index: )", re.M)
HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*: ")
# C0 and C1 controls, DEL and the Unicode line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
PATCH_TYPES = ("text/plain", "text/x-patch", "text/x-diff", "application/x-patch",
               "application/x-diff", "text/x-csrc")


class SeriesError(Exception):
    """The input cannot be reviewed; str() is the one-line reason."""


def read_series(path):
    """List of Patch from PATH, in series order."""
    data = read_limited(path)
    if data.startswith(b"From "):
        patches, count = patches_from_mbox(path)
        what = "mbox (%d message%s)" % (count, "" if count == 1 else "s")
    elif HEADER_LINE.match(data) and b"\n\n" in data.replace(b"\r\n", b"\n"):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        patches = [p for p in [patch_from_message(msg, 1)] if p]
        what = "mail"
    elif DIFF_START.search(decode_text(data, "input")):
        name = os.path.basename(path)
        patches = [Patch(name, "", "", 1, 1, decode_text(data, name))]
        what = "diff"
    else:
        raise SeriesError("%s: not a patch, a mail or an mbox" % path)
    if not patches:
        raise SeriesError("%s: no patch found in this %s" % (path, what))
    if len(patches) > MAX_PATCHES:
        raise SeriesError("%s: series too large (%d patches, limit %d)"
                          % (path, len(patches), MAX_PATCHES))
    return in_series_order(patches)


def read_limited(path):
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise SeriesError("%s: series too large (%d bytes, limit %d)" % (path, size, MAX_BYTES))
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise SeriesError("%s: %s" % (path, e.strerror))
    if not data.strip():
        raise SeriesError("%s: empty input" % path)
    return data


def patches_from_mbox(path):
    """Patches of an mbox and the number of messages it held.

    Cover letters ([PATCH 0/N]) and replies carry no diff and are skipped.
    """
    box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(
        f, policy=email.policy.default), create=False)
    patches, count = [], 0
    try:
        for count, msg in enumerate(box, 1):
            if count > MAX_PATCHES * 4:
                raise SeriesError("%s: series too large (more than %d messages)"
                                  % (path, MAX_PATCHES * 4))
            patch = patch_from_message(msg, len(patches) + 1)
            if patch:
                patches.append(patch)
    finally:
        box.close()
    return patches, count


def patch_from_message(msg, position):
    """The Patch a message carries, or None (cover letter, reply, junk)."""
    subject = header_text(msg, "subject")
    if subject.lower().startswith("re:"):
        return None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_type() not in PATCH_TYPES:
            continue
        raw = part.get_payload(decode=True) or b""
        # Mail travels with CRLF line ends; kernel sources have none.
        text = decode_text(raw, subject or "message %d" % position).replace("\r\n", "\n")
        start = DIFF_START.search(text)
        if start:
            number, total = series_position(subject, position)
            return Patch(subject, header_text(msg, "from"), header_text(msg, "message-id"),
                         number, total, text[start.start():])
    return None


def header_text(msg, name):
    """One header's decoded text on one line, "" when absent.

    Hostile headers make the email package raise on access (an encoded
    CR/LF in an address, a bad charset, ...): then the raw value is
    decoded here.  Control characters, which would end a header line of
    the email report or reach a terminal, become spaces."""
    try:
        value = str(msg.get(name, ""))
    except Exception:  # any of the email package's many kinds: hostile input
        value = decoded_words(next((v for k, v in msg.raw_items() if k.lower() == name), ""))
    return " ".join(CONTROL.sub(" ", value).split())


def decoded_words(raw):
    """RFC 2047 encoded words of RAW decoded, as far as they can be."""
    try:
        return str(email.header.make_header(email.header.decode_header(raw)))
    except Exception:  # unknown charset, broken encoding: keep the raw text
        return str(raw)


def decode_text(raw, what):
    """Patches are applied to UTF-8 kernel sources: anything else would
    be silently mangled, so it is refused."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SeriesError("%s: text is not UTF-8 (byte 0x%02x at offset %d)"
                          % (what, raw[e.start], e.start))


def series_position(subject, position):
    m = SUBJECT_TAG.search(subject)
    if m and m.group(1):
        return int(m.group(1)), int(m.group(2))
    return position, 0


def in_series_order(patches):
    """By [PATCH n/N] when every patch is numbered, else as found."""
    if all(p.total for p in patches):
        patches = sorted(patches, key=lambda p: p.number)
    return patches


def touched_paths(diff):
    """Every path a diff names, old and new (renames, copies, deletions)."""
    paths = []
    for line in diff.splitlines():
        m = re.match(r"^diff --git a/(\S+) b/(\S+)$", line)
        if m:
            paths += [m.group(1), m.group(2)]
            continue
        m = re.match(r"^(?:---|\+\+\+) (?:[ab]/)?([^\t\n]+?)(?:\t.*)?$", line)
        if m and m.group(1) != "/dev/null":
            paths.append(m.group(1))
            continue
        m = re.match(r"^(?:rename|copy) (?:from|to) (.+)$", line)
        if m:
            paths.append(m.group(1))
    return sorted(set(p.strip('"') for p in paths))
