# SPDX-License-Identifier: GPL-2.0
"""kvmdc bot --inbox PATH --tree TREE [--once | --interval S]: the list-watching reviewer

Reads new mail from a public-inbox archive (v2, v1) or a Maildir, puts the
patches of each series together, reviews a series with `kvmdc review` once
it is complete (or after --complete-after minutes, naming what is missing),
and answers it once in its thread.  `kvmdc bot status` summarises the state.

Each review is a child process (`kvmdc review --format json`) in its own
scratch directory, bounded in time and memory and killed as a group; the
reply body is rendered from that output by the renderer `--format email`
uses.  Exactly once: the reply (its Message-ID derived from the series) is
written under the state directory, recorded as pending in the transaction
that records the review, published idempotently (the outbox file is named
after the Message-ID) and then marked sent; a pass first publishes whatever
a killed pass left pending.
"""
import argparse
import json
import os
import re
import shutil
import signal
import sys
import time
from email.utils import parseaddr

from . import botstate, bounded, inbox as inbox_mod, outbox, report_mail, threads
from .mail import SeriesError, read_series
from .botstate import now
from .output import render as render_records

KVMDC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kvmdc")
DEFAULT_FROM = "kvmdc review bot <kvmdc-bot@localhost>"
REVIEW_MEM = 4 << 30
MAX_OUTPUT = 64 << 20
READ_EVERY = 5


def log(text):
    sys.stderr.write("kvmdc bot: %s\n" % text)
    sys.stderr.flush()


def default_state():
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(base, "kvmdc", "bot.sqlite")


def git_tree(tree, *args):
    gitdir = os.path.join(tree, ".git")
    if not os.path.isdir(gitdir):
        return None
    try:
        return inbox_mod.git(gitdir, *args).decode().strip()
    except inbox_mod.InboxError:
        return None


def describe_base(tree):
    """As kvmdc review names a file series' base."""
    head = git_tree(tree, "rev-parse", "--short=12", "HEAD")
    return "working tree at %s" % head if head else "working tree"


def read_capped(path, limit=MAX_OUTPUT):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


class Job:
    """A running review: the series, the messages it was given, the child."""

    def __init__(self, sid, msgs, work, proc):
        self.sid, self.msgs, self.work, self.proc = sid, msgs, work, proc


class Bot:
    def __init__(self, args, state, reader):
        self.args, self.state, self.reader = args, state, reader
        self.results = os.path.join(state.dir, "results")
        self.workroot = os.path.join(state.dir, "work")
        os.makedirs(self.results, exist_ok=True)
        # Scratch left by a killed pass: nothing in it is needed.
        shutil.rmtree(self.workroot, ignore_errors=True)
        os.makedirs(self.workroot)
        self.running, self.queue = {}, []

    # ---- reading mail ---------------------------------------------------
    def ingest(self):
        key = "cursor:" + os.path.realpath(self.args.inbox)
        count = 0
        if self.args.skip_existing and self.state.meta("started:" + key) is None:
            self.skip_existing(key)
        for msgs, cursor in self.reader.read(self.state.meta(key, {}), self.state.seen):
            rows, batch = [], set()
            for src, raw in msgs:
                if not self.state.seen(src):
                    rows.append(self.message_row(src, raw, batch))
            with self.state.tx() as db:
                db.executemany("INSERT OR IGNORE INTO messages (source, msgid, kind, info, "
                               "arrival, raw) VALUES (?, ?, ?, ?, ?, ?)", rows)
                if cursor:
                    self.state.set_meta(key, cursor)
            count += len(rows)
        return count

    def skip_existing(self, key):
        """First start on an archive with history: only what arrives from
        now on is reviewed."""
        for msgs, cursor in self.reader.read(self.state.meta(key, {}), self.state.seen,
                                             skip=True):
            with self.state.tx() as db:
                db.executemany("INSERT OR IGNORE INTO messages (source, kind, arrival) "
                               "VALUES (?, 'other', ?)", [(src, now()) for src, _ in msgs])
                if cursor:
                    self.state.set_meta(key, cursor)
        with self.state.tx():
            self.state.set_meta("started:" + key, now())
        log("%s: the mail already there is skipped (--skip-existing)" % self.args.inbox)

    def message_row(self, source, raw, batch):
        t = now()
        if raw is None:
            log("%s: skipped, larger than %d bytes" % (source, inbox_mod.MAX_MESSAGE))
            return (source, None, "other", None, t, None)
        try:
            m = threads.parse(raw)
        except Exception as e:    # a mail the email package chokes on
            log("%s: unreadable mail skipped: %s" % (source, str(e).splitlines()[0]))
            m = None
        if m is None:
            return (source, None, "other", None, t, None)
        kind = m.kind
        if kind != "other" and (m.msgid in batch or self.state.one(
                "SELECT 1 FROM messages WHERE msgid = ? AND kind != 'other'", m.msgid)):
            kind = "other"     # the same Message-ID delivered again
        batch.add(m.msgid)
        return (source, m.msgid, kind, json.dumps(m._asdict()), t,
                raw if kind != "other" else None)

    # ---- series ----------------------------------------------------------
    def members(self, where, *args):
        rows = self.state.q("SELECT m.id, m.info, m.series, m.arrival FROM messages m "
                            "LEFT JOIN series s ON s.id = m.series WHERE m.kind != 'other' "
                            "AND (%s) ORDER BY m.id" % where, *args)
        return [(r["id"], threads.Message(**json.loads(r["info"])), r["series"], r["arrival"])
                for r in rows]

    def busy(self):
        """Series being reviewed or queued: what arrives for them now is
        a straggler, as for a series already reviewed."""
        return ",".join(str(i) for i in list(self.running) + self.queue) or "-1"

    def assemble(self):
        """Group new patches and cover letters into series."""
        busy = self.busy()
        open_ = self.members("m.series IS NULL OR (s.status = 'waiting' AND m.series NOT IN "
                             "(%s))" % busy)
        if not any(sid is None for _, _, sid, _ in open_):
            return
        done = {}
        for i, m, sid, _ in self.members("s.status IN ('reviewed', 'failed', 'superseded') "
                                         "OR m.series IN (%s)" % busy):
            done[m.msgid] = (sid, threads.series_key(m))
            if m.parent:
                done.setdefault(("child-of", m.parent), (sid, threads.series_key(m)))
        late, rest = {}, []
        for i, m, sid, arrival in open_:
            hit = (done.get(m.parent) if m.parent else None) or done.get(("child-of", m.msgid))
            if sid is None and hit and hit[1] == threads.series_key(m):
                late[i] = hit[0]      # a straggler of a series already handled
            else:
                rest.append((i, m, sid))
        groups = threads.group([(i, m) for i, m, _ in rest], self.state.known_msgid,
                               {i: sid for i, _, sid in rest if sid is not None})
        owner = {i: sid for i, _, sid in rest}
        with self.state.tx() as db:
            for i, sid in late.items():
                db.execute("UPDATE messages SET series = ? WHERE id = ?", (sid, i))
                self.refresh(db, sid)
            for g in groups:
                sids = sorted({owner[i] for i in g if owner[i] is not None})
                if sids and all(owner[i] is not None for i in g):
                    continue
                target = sids[0] if sids else db.execute(
                    "INSERT INTO series (status) VALUES ('waiting')").lastrowid
                for other in sids[1:]:
                    db.execute("UPDATE messages SET series = ? WHERE series = ?", (target, other))
                    db.execute("DELETE FROM series WHERE id = ?", (other,))
                db.execute("UPDATE messages SET series = ? WHERE id IN (%s)"
                           % ",".join("?" * len(g)), [target] + g)
                self.refresh(db, target)

    def series_msgs(self, sid):
        return [(m, arrival) for _, m, _, arrival in self.members("m.series = ?", sid)]

    def refresh(self, db, sid):
        msgs = [m for m, _ in self.series_msgs(sid)]
        arrivals = [a for _, a in self.series_msgs(sid)]
        head = threads.head_of(msgs)
        patches = {m.number for m in msgs if m.kind == "patch"}
        db.execute("UPDATE series SET head = ?, subject = ?, addr = ?, version = ?, total = ?, "
                   "have = ?, first_arrival = ?, last_arrival = ? WHERE id = ?",
                   (head.msgid, head.subject, head.addr, head.version,
                    max(m.total or 1 for m in msgs), len(patches), min(arrivals), max(arrivals),
                    sid))

    def supersede(self):
        """A newer version replaces an older one nobody has reviewed yet."""
        waiting = self.state.q("SELECT * FROM series WHERE status = 'waiting' AND id NOT IN "
                               "(%s)" % self.busy())
        info = {}
        for s in waiting:
            msgs = [m for m, _ in self.series_msgs(s["id"])]
            head = threads.head_of(msgs)
            info[s["id"]] = (head, {m.msgid for m in msgs}, norm_title(head.title))
        for new in waiting:
            head, _, title = info[new["id"]]
            for old in waiting:
                if old["id"] == new["id"] or old["addr"] != new["addr"] or \
                        old["version"] >= new["version"]:
                    continue
                ohead, oids, otitle = info[old["id"]]
                if title == otitle or oids & set(head.refs):
                    with self.state.tx() as db:
                        db.execute("UPDATE series SET status = 'superseded', superseded_by = ? "
                                   "WHERE id = ? AND status = 'waiting'", (new["id"], old["id"]))
                    log("series %d %s: superseded by series %d (v%d)" % (
                        old["id"], quote(old["subject"]), new["id"], new["version"]))

    def due(self):
        out = []
        for s in self.state.q("SELECT * FROM series WHERE status = 'waiting' AND id NOT IN "
                              "(%s) ORDER BY id" % self.busy()):
            msgs = [m for m, _ in self.series_msgs(s["id"])]
            patches = [m for m in msgs if m.kind == "patch"]
            late = now() - s["last_arrival"] >= self.args.complete_after * 60
            if not patches:
                if late:
                    self.record(s["id"], "failed", None, "a cover letter whose patches never "
                                "arrived", 0, 0.0, None, None)
                continue
            if late or not threads.missing(patches):
                out.append(s["id"])
        return out

    # ---- reviewing -------------------------------------------------------
    def start(self, sid):
        work = os.path.join(self.workroot, str(sid))
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(os.path.join(work, "tmp"))
        msgs = sorted((m for m, _ in self.series_msgs(sid)), key=lambda m: (m.number, m.msgid))
        with open(os.path.join(work, "series.mbox"), "wb") as f:
            for m in msgs:
                f.write(mbox_entry(self.raw(m.msgid)))
        env = dict(os.environ, TMPDIR=os.path.join(work, "tmp"))
        argv = [KVMDC, "review", "--tree", self.args.tree, os.path.join(work, "series.mbox"),
                "--format", "json"]
        proc = bounded.Background(argv, self.args.timeout, os.path.join(work, "out.json"),
                                  os.path.join(work, "err.txt"), REVIEW_MEM, work, env)
        self.running[sid] = Job(sid, msgs, work, proc)

    def raw(self, msgid):
        row = self.state.one("SELECT raw FROM messages WHERE msgid = ? AND kind != 'other' "
                             "ORDER BY id LIMIT 1", msgid)
        return row["raw"]

    def review_all(self):
        """Review what is due; mail that arrives meanwhile is read every
        few seconds, so a series completed during a long pass does not
        wait for the next one."""
        self.queue, reviewed, count, looked = self.due(), 0, 0, time.monotonic()
        try:
            while self.queue or self.running:
                while self.queue and len(self.running) < self.args.jobs:
                    self.start(self.queue.pop(0))
                for sid, job in list(self.running.items()):
                    rc = job.proc.poll()
                    if rc is not None:
                        del self.running[sid]
                        self.finish(job, rc)
                        reviewed += 1
                if time.monotonic() - looked >= READ_EVERY:
                    count += self.read_mail()
                    self.queue += self.due()
                    looked = time.monotonic()
                time.sleep(0.05)
        finally:
            for job in self.running.values():
                job.proc.kill()
        return count, reviewed

    def read_mail(self):
        count = self.ingest()
        self.assemble()
        self.supersede()
        return count

    def finish(self, job, rc):
        sid, elapsed = job.sid, job.proc.elapsed()
        out = read_capped(os.path.join(job.work, "out.json"))
        err = read_capped(os.path.join(job.work, "err.txt"), 1 << 20).strip().splitlines()
        review, reason = None, None
        if job.proc.timed_out:
            reason = "review timed out after %d s" % self.args.timeout
        elif rc in (0, 1):
            try:
                review = json.loads(out)
            except ValueError:
                reason = "review printed no JSON (exit %d): %s" % (rc, err[-1] if err else "")
        elif rc == 2:
            reason = re.sub(r"^kvmdc review: ", "", err[-1] if err else "no reason given")
            reason = reason.replace(job.work + "/", "")
        elif rc < 0:
            reason = "review killed by signal %d" % -rc
        else:
            reason = "review exited %d: %s" % (rc, err[-1] if err else "")
        findings = [r for r in review["records"] if r.get("rule")] if review else []
        s = self.state.one("SELECT * FROM series WHERE id = ?", sid)
        msgs = job.msgs
        head = threads.head_of(msgs)
        digest = outbox.series_digest(head.msgid, [m.msgid for m in msgs])
        notes = self.notes(msgs)
        body = self.reply_body(review, reason, findings, head, notes, job.work)
        msgid = outbox.reply_msgid(digest, self.args.sender) if body else None
        self.write_results(digest, s, msgs, review, reason, notes, msgid, rc)
        if body:
            cc = head.list_addr or self.args.list_address
            data = outbox.compose(self.args.sender, head.author, cc, head.subject, head.msgid,
                                  head.refs, msgid, body, now(), "%d v%d" % (sid, head.version))
            outbox.write_atomic(os.path.join(self.results, digest + ".eml"), data)
        status = "reviewed" if review is not None else "failed"
        fault("reviewed")
        self.record(sid, status, rc, reason, len(findings), elapsed, msgid, "\n".join(notes))
        shutil.rmtree(job.work, ignore_errors=True)
        fault("recorded")
        self.publish_pending()

    def notes(self, msgs):
        out = []
        patches = [m for m in msgs if m.kind == "patch"]
        gone = threads.missing(patches)
        if gone:
            total = max(m.total or 1 for m in patches)
            out.append("This series is incomplete: patch%s %s of %d did not arrive within %g "
                       "minutes; this review covers the %d patch%s that did." % (
                           "es" if len(gone) > 1 else "", ", ".join(map(str, gone)), total,
                           self.args.complete_after, len(patches),
                           "es" if len(patches) > 1 else ""))
        bases = sorted({m.base_commit for m in msgs if m.base_commit})
        for base in bases:
            head = git_tree(self.args.tree, "rev-parse", "--verify", "--quiet", "HEAD")
            found = git_tree(self.args.tree, "rev-parse", "--verify", "--quiet",
                             base + "^{commit}")
            if head is None:
                out.append("base-commit: %s: %s is not a git checkout; reviewed against its "
                           "working tree." % (base, self.args.tree))
            elif not found:
                out.append("base-commit: %s is not in %s; reviewed against its working tree "
                           "(HEAD %s)." % (base, self.args.tree, head[:12]))
            elif found != head:
                out.append("base-commit: %s is not the HEAD of %s (%s); reviewed against the "
                           "working tree." % (base, self.args.tree, head[:12]))
        return out

    def reply_body(self, review, reason, findings, head, notes, work):
        """The reply's body, or None when the series gets no reply."""
        name = parseaddr(head.author)[0] or "there"
        if review is None:
            if not reason or "does not apply" not in reason:
                return None       # refused (hostile, malformed): recorded, not answered
            text = ["Hi %s," % name, ""] + notes_block(notes) + [
                "kvmdc could not review this series: it does not apply to %s (%s)."
                % (self.args.tree, describe_base(self.args.tree)), "",
                "    " + reason, "",
                "If it is based on another tree, kindly name its base with",
                "`git format-patch --base=...` (a base-commit: line).", ""]
            return "\n".join(text) + report_mail.SIGNATURE
        if not findings and not self.args.reply_clean:
            return None
        try:
            patches = read_series(os.path.join(work, "series.mbox"))
        except SeriesError:
            patches = []
        result = {"tree": self.args.tree, "base": describe_base(self.args.tree),
                  "patches": patches, "findings": findings}
        mail = report_mail.render(result, review.get("summary") or "")
        greeting, _, rest = mail.partition("\n\n")[2].partition("\n\n")
        return "\n".join([greeting, ""] + notes_block(notes) + [rest])

    def write_results(self, digest, s, msgs, review, reason, notes, msgid, rc):
        record = {"series": s["id"], "subject": s["subject"], "author": s["addr"],
                  "version": s["version"], "messages": [m.msgid for m in msgs],
                  "exit": rc, "reason": reason, "notes": notes, "reply": msgid,
                  "review": review}
        outbox.write_atomic(os.path.join(self.results, digest + ".json"),
                            (json.dumps(record, indent=1) + "\n").encode())
        if review is not None:
            sarif = render_records(review["records"], "sarif", review.get("summary") or "")
            outbox.write_atomic(os.path.join(self.results, digest + ".sarif"), sarif.encode())

    def record(self, sid, status, rc, reason, findings, elapsed, msgid, note):
        with self.state.tx() as db:
            db.execute("UPDATE series SET status = ?, exit = ?, reason = ?, findings = ?, "
                       "review_seconds = ?, reviewed_at = ?, note = ?, reply_msgid = ?, "
                       "reply_state = ? WHERE id = ?",
                       (status, rc, reason, findings, elapsed, now(), note, msgid,
                        "pending" if msgid else None, sid))
        s = self.state.one("SELECT * FROM series WHERE id = ?", sid)
        what = ("%d finding%s" % (findings, "" if findings == 1 else "s") if status == "reviewed"
                else reason)
        log("series %d %s (v%d, %d/%d patches) from %s: %s, %s, %s [%.1f s]" % (
            sid, quote(s["subject"]), s["version"], s["have"], s["total"], s["addr"], status,
            what, "reply " + msgid if msgid else "no reply", elapsed))

    # ---- publishing ------------------------------------------------------
    def publish_pending(self):
        for s in self.state.q("SELECT id, reply_msgid FROM series WHERE reply_state = 'pending' "
                              "ORDER BY id"):
            path = self.reply_path(s["reply_msgid"])
            err = self.publish(path, s["reply_msgid"]) if path else "reply file lost"
            if err:
                log("series %d: reply %s not published: %s" % (s["id"], s["reply_msgid"], err))
                with self.state.tx() as db:
                    db.execute("INSERT INTO errors (time, series, text) VALUES (?, ?, ?)",
                               (now(), s["id"], err))
                continue
            fault("published")
            with self.state.tx() as db:
                db.execute("UPDATE series SET reply_state = 'sent' WHERE id = ?", (s["id"],))

    def reply_path(self, msgid):
        digest = re.match(r"^<kvmdc-bot\.([0-9a-f]+)@", msgid)
        path = os.path.join(self.results, digest.group(1) + ".eml") if digest else None
        return path if path and os.path.isfile(path) else None

    def publish(self, path, msgid):
        """None, or why the reply could not be published (retried next pass)."""
        with open(path, "rb") as f:
            data = f.read()
        try:
            if self.args.outbox:
                outbox.to_maildir(self.args.outbox, msgid, data)
        except OSError as e:
            return "%s: %s" % (self.args.outbox, e.strerror)
        if self.args.sendmail:
            return outbox.to_sendmail(self.args.sendmail, path, self.workroot)
        return None

    # ---- passes ----------------------------------------------------------
    def one_pass(self):
        started = time.time()
        self.publish_pending()
        count = self.read_mail()
        more, reviewed = self.review_all()
        count += more
        with self.state.tx() as db:
            db.execute("INSERT INTO passes (started, finished, messages, reviewed) "
                       "VALUES (?, ?, ?, ?)", (started, time.time(), count, reviewed))
        return count, reviewed


def fault(point):
    """KVMDC_BOT_FAULT=POINT: die here as kill -9 would (crash tests):
    reviewed (results written, not recorded), recorded (reply pending,
    not published), published (in the outbox, not marked sent)."""
    if os.environ.get("KVMDC_BOT_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def norm_title(title):
    return " ".join((title or "").lower().split())


def quote(subject):
    subject = subject or ""
    return '"%s"' % (subject if len(subject) <= 72 else subject[:69] + "...")


def notes_block(notes):
    out = []
    for n in notes:
        out += ["Note: " + n, ""]
    return out


def mbox_entry(raw):
    """One mboxrd entry: a From_ line, the mail with ">From " quoting."""
    text = raw.replace(b"\r\n", b"\n")
    text = re.sub(rb"(?m)^(>*From )", rb">\1", text)
    return b"From kvmdc-bot Thu Jan  1 00:00:00 1970\n" + text.rstrip(b"\n") + b"\n\n"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="kvmdc bot", description=__doc__.split("\n")[0])
    p.add_argument("--inbox", required=True, help="public-inbox archive (v2 or v1) or Maildir")
    p.add_argument("--tree", required=True, help="base kernel tree handed to kvmdc review")
    p.add_argument("--state", default=default_state(), help="state database (SQLite)")
    p.add_argument("--outbox", help="Maildir the replies are written to")
    p.add_argument("--sendmail", help='command the replies are piped to ("sendmail -oi -t")')
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one pass, then exit (default)")
    mode.add_argument("--interval", type=float, help="a pass every SECONDS")
    p.add_argument("-j", "--jobs", type=int, default=1, help="series reviewed in parallel")
    p.add_argument("--complete-after", type=float, default=30.0, metavar="MIN",
                   help="review an incomplete series MIN minutes after its last patch")
    p.add_argument("--reply-clean", action="store_true", help="also answer clean series")
    p.add_argument("--skip-existing", action="store_true",
                   help="on the first pass, skip the mail already in the inbox")
    p.add_argument("--timeout", type=int, default=900, help="seconds per review")
    p.add_argument("--from", dest="sender", default=DEFAULT_FROM, help="From of the replies")
    p.add_argument("--list-address", default="",
                   help="Cc of the replies when the mail names no list (List-Post, List-Id)")
    args = p.parse_args(argv)
    if args.jobs < 1 or args.timeout < 1 or args.complete_after < 0:
        p.error("-j, --timeout and --complete-after must be positive")
    args.tree = os.path.abspath(args.tree)
    args.outbox = os.path.abspath(args.outbox) if args.outbox else None
    return args


def run(args):
    if not all(os.path.exists(os.path.join(args.tree, p)) for p in ("Makefile", "Kconfig",
                                                                    "include/linux")):
        raise inbox_mod.InboxError("%s: not a kernel tree (Makefile, Kconfig, include/linux)"
                                   % args.tree)
    reader = inbox_mod.open_inbox(args.inbox)
    bot = Bot(args, botstate.State(args.state), reader)
    # SIGTERM ends the pass like ^C: running reviews are killed, what is
    # recorded stays, the next start carries on from there.
    signal.signal(signal.SIGTERM, interrupted)
    while True:
        bot.one_pass()
        if not args.interval:
            return 0
        time.sleep(args.interval)


def interrupted(signum, frame):
    raise KeyboardInterrupt()


def main(argv):
    if argv and argv[0] == "status":
        from .botstatus import main as status_main
        return status_main(argv[1:], default_state())
    args = parse_args(argv)
    try:
        return run(args)
    except (inbox_mod.InboxError, botstate.StateError) as e:
        sys.stderr.write("kvmdc bot: %s\n" % e)
        return 2
