# SPDX-License-Identifier: GPL-2.0
"""kvmdc bot status [--state FILE]: what the list-watching reviewer did.

Counts by status, replies pending and sent, the oldest waiting series and
what it lacks, the last errors (refused series, failed publishing) and the
throughput of the last hour.  Reads the database; never locks it.
"""
import argparse
import os
import sys
import time

from . import botstate


def ago(seconds):
    if seconds < 120:
        return "%d s" % seconds
    if seconds < 7200:
        return "%d min" % (seconds / 60)
    return "%.1f h" % (seconds / 3600)


def report(state, now):
    out = ["kvmdc bot status: %s" % state.path]
    counts = {r["status"]: r["n"] for r in state.q(
        "SELECT status, count(*) AS n FROM series GROUP BY status")}
    out.append("series: " + ", ".join("%d %s" % (counts.get(s, 0), s) for s in
                                      ("waiting", "reviewed", "failed", "superseded")))
    replies = {r["reply_state"]: r["n"] for r in state.q(
        "SELECT reply_state, count(*) AS n FROM series WHERE reply_state IS NOT NULL "
        "GROUP BY reply_state")}
    out.append("replies: %d sent, %d pending" % (replies.get("sent", 0),
                                                 replies.get("pending", 0)))
    kinds = {r["kind"]: r["n"] for r in state.q(
        "SELECT kind, count(*) AS n FROM messages GROUP BY kind")}
    out.append("messages: %d read (%d patches, %d cover letters, %d other)" % (
        sum(kinds.values()), kinds.get("patch", 0), kinds.get("cover", 0), kinds.get("other", 0)))
    old = state.one("SELECT * FROM series WHERE status = 'waiting' ORDER BY first_arrival "
                    "LIMIT 1")
    if old:
        out.append("oldest waiting: series %d \"%s\" from %s, %d/%d patches, first seen %s ago"
                   % (old["id"], old["subject"], old["addr"], old["have"], old["total"],
                      ago(now - old["first_arrival"])))
    else:
        out.append("oldest waiting: none")
    hour = state.one("SELECT count(*) AS n, avg(review_seconds) AS t FROM series "
                     "WHERE reviewed_at >= ? AND status IN ('reviewed', 'failed')", now - 3600)
    total = state.one("SELECT count(*) AS n, sum(review_seconds) AS t FROM series "
                      "WHERE status IN ('reviewed', 'failed')")
    out.append("throughput: %d series in the last hour; %d in all, %.1f s of review each, "
               "%.1f series per review-minute" % (
                   hour["n"], total["n"], (total["t"] or 0) / max(total["n"], 1),
                   60.0 * total["n"] / total["t"] if total["t"] else 0.0))
    last = state.one("SELECT * FROM passes ORDER BY id DESC LIMIT 1")
    if last:
        out.append("last pass: %s ago, %d messages, %d series in %.1f s" % (
            ago(time.time() - last["finished"]), last["messages"], last["reviewed"],
            last["finished"] - last["started"]))
    errors = state.q("SELECT id, subject, reason AS text, reviewed_at AS time FROM series "
                     "WHERE status = 'failed' UNION ALL SELECT series, '(publishing)', text, "
                     "time FROM errors ORDER BY time DESC LIMIT 5")
    out.append("last errors:" if errors else "last errors: none")
    for e in errors:
        out.append("  series %s \"%s\": %s" % (e["id"], e["subject"], e["text"]))
    return "\n".join(out) + "\n"


def main(argv, default_state):
    p = argparse.ArgumentParser(prog="kvmdc bot status", description=__doc__.split("\n")[0])
    p.add_argument("--state", default=default_state, help="state database (SQLite)")
    args = p.parse_args(argv)
    if not os.path.isfile(args.state):
        sys.stderr.write("kvmdc bot status: %s: no such state database\n" % args.state)
        return 2
    try:
        state = botstate.State(args.state, lock=False)
    except botstate.StateError as e:
        sys.stderr.write("kvmdc bot status: %s\n" % e)
        return 2
    sys.stdout.write(report(state, botstate.now()))
    return 0
