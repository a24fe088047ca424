# SPDX-License-Identifier: GPL-2.0
"""Reply mails: compose them, publish them idempotently.

The reply's Message-ID is derived from the series, and its Maildir file
name from the Message-ID, so publishing the same reply again (after a
crash between publishing and recording it) finds it already there instead
of writing a second one.  A Maildir write is tmp/ then a rename into new/,
fsync'd, so a reader never sees half a mail.
"""
import hashlib
import os
import shlex
from email.utils import formataddr, formatdate, parseaddr

from . import bounded

SENDMAIL_TIMEOUT = 120


def series_digest(head, members):
    key = "\0".join([head] + sorted(members))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def reply_msgid(digest, sender):
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return "<kvmdc-bot.%s@%s>" % (digest, domain)


def compose(sender, to, cc, subject, head, head_refs, msgid, body, now, series_tag):
    """The reply as bytes (UTF-8, 8bit, LF line ends)."""
    subject = subject if subject.lower().startswith("re:") else "Re: " + subject
    refs = [r for r in head_refs if r != head] + [head]
    name, addr = parseaddr(to)
    lines = ["From: %s" % sender, "To: %s" % (formataddr((name, addr)) if addr else cc)]
    if cc:
        lines.append("Cc: %s" % cc)
    lines += ["Subject: %s" % subject,
              "Date: %s" % formatdate(now),
              "Message-ID: %s" % msgid,
              "In-Reply-To: %s" % head,
              "References: %s" % " ".join(refs),
              "X-Kvmdc-Series: %s" % series_tag,
              "MIME-Version: 1.0",
              "Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: 8bit",
              "", body.rstrip("\n"), ""]
    return "\n".join(lines).encode("utf-8")


def write_atomic(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def maildir_name(msgid):
    return "kvmdc-bot." + hashlib.sha256(msgid.encode()).hexdigest()[:24]


def in_maildir(maildir, name):
    if os.path.exists(os.path.join(maildir, "new", name)):
        return True
    cur = os.path.join(maildir, "cur")
    return os.path.isdir(cur) and any(n.split(":")[0] == name for n in os.listdir(cur))


def to_maildir(maildir, msgid, data):
    """Deliver DATA once: False if a reply with this Message-ID is there."""
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    name = maildir_name(msgid)
    if in_maildir(maildir, name):
        return False
    tmp = os.path.join(maildir, "tmp", "%s.%d" % (name, os.getpid()))
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(maildir, "new", name))
    fd = os.open(os.path.join(maildir, "new"), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def to_sendmail(cmd, path, workdir):
    """Pipe the reply at PATH to CMD (e.g. "/usr/sbin/sendmail -oi -t");
    None on success, else the one-line reason."""
    argv = shlex.split(cmd)
    out, err = os.path.join(workdir, "sendmail.out"), os.path.join(workdir, "sendmail.err")
    with open(path, "rb") as mail:
        try:
            sent = bounded.Background(argv, SENDMAIL_TIMEOUT, out, err, 1 << 30, workdir,
                                      stdin=mail)
            rc, timed_out = sent.wait(), sent.timed_out
        except OSError as e:
            return "%s: %s" % (argv[0], e.strerror)
    if rc == 0:
        return None
    with open(err, "rb") as f:
        first = (f.read(4096).decode("utf-8", "replace").strip().splitlines() or [""])[0]
    return "%s %s%s" % (argv[0], "timed out" if timed_out else "exited %d" % rc,
                        ": " + first if first else "")
