# SPDX-License-Identifier: GPL-2.0
"""The policy's budgets: uses of the macro per budgeted directory, and the
sprawl-budget and unlisted-use findings (scan, budget and review all ask
here, so they agree)."""
from . import MACRO, allowlist


def one_per_location(recs):
    """One use per written location: a header compiled in several modes
    gives the plugin one record per mode."""
    return list({(r["file"], r["line"], r["col"]): r for r in recs}.values())


def budget_findings(recs, pol):
    """(sprawl-budget and unlisted-use findings, {dir: (uses, budget)})."""
    extra, counts = [], {}
    unique = one_per_location(recs)
    for b in pol.budgets:
        inside = [r for r in unique if pol.budget_for(r["file"]) == b]
        counts[b.dir] = (len(inside), b.limit)
        for r in allowlist.match(pol, inside)[0]:
            extra.append(dict(r, rule="unlisted-use", sources=[], message=(
                "%s(%s) in %s() is not listed in the policy's allowlist (no "
                "justification; it %s)" % (MACRO, r.get("condition"), r.get("function"),
                                           allowlist.describe(r)))))
        if len(inside) > b.limit:
            first = inside[0]
            extra.append(dict(first, rule="sprawl-budget", sources=[], message=(
                "%d uses of %s() under %s exceed the budget of %d"
                % (len(inside), MACRO, b.dir, b.limit))))
    return extra, counts


def stale_allows(pol, recs):
    """Allow entries that no use matches any more."""
    return allowlist.match(pol, one_per_location(recs))[1]
