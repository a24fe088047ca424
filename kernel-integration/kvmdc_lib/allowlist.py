# SPDX-License-Identifier: GPL-2.0
"""Matching uses of the macro to the policy's allow entries.

An entry sanctions one use in one function of one file by what it guards:
the names of its host sources (`kvm_rmap_head.val`), as both engines put
them in a record's `sources`.  Reading a field once into a local, renaming
locals, moving a use or wrapping the read in a same-file helper keeps those
names, so such refactors keep matching.  An entry may instead give the
condition text (whitespace ignored): the fallback for a use whose
provenance is a constant or cannot be named.

Within one (file, function) uses and entries are matched as a multiset
(two entries guarding the same field allow two uses, not three): a
maximum bipartite matching, uses taken in source order, so that when more
uses guard a field than entries allow, the later ones are the unlisted
ones.  An entry whose condition text is the use's is tried first.
"""
import fnmatch
from collections import defaultdict

from .policy import squash


def guarded_names(rec):
    """What a use guards: the names of its sources that are not constants."""
    return {s.get("name") for s in rec.get("sources") or []
            if s.get("class") != "constant" and s.get("kind") != "constant" and s.get("name")}


def fits(entry, rec):
    if entry.condition is not None:
        return entry.condition == squash(rec.get("condition") or "")
    names = guarded_names(rec)
    return all(any(fnmatch.fnmatchcase(n, g) for n in names) for g in entry.guards)


def _candidates(entries, rec):
    """The entries REC fits, condition-text entries first."""
    hits = [e for e in entries if fits(e, rec)]
    return sorted(hits, key=lambda e: e.condition is None)


def _augment(u, cands, owner, seen):
    """Kuhn's augmenting path from use U; OWNER maps entry -> use."""
    for e in cands[u]:
        if e in seen:
            continue
        seen.add(e)
        if e not in owner or _augment(owner[e], cands, owner, seen):
            owner[e] = u
            return True
    return False


def match(policy, recs):
    """(unlisted, stale): the records in RECS that no allow entry covers,
    and the allow entries that cover none of them.  RECS are uses, one
    record per written location."""
    uses = defaultdict(list)
    for r in recs:
        uses[(r["file"], r.get("function") or "")].append(r)
    entries = defaultdict(list)
    for a in policy.allows:
        entries[(a.file, a.function)].append(a)
    unlisted, used = [], set()
    for key, group in uses.items():
        group = sorted(group, key=lambda r: (r["line"], r.get("col") or 0))
        cands = [_candidates(entries.get(key, []), r) for r in group]
        owner = {}
        for u in range(len(group)):
            if not _augment(u, cands, owner, set()):
                unlisted.append(group[u])
        used.update(owner)
    return unlisted, [a for a in policy.allows if a not in used]


def describe(rec):
    """What an unlisted use guards, for the entry a maintainer would add."""
    names = sorted(guarded_names(rec))
    return "guards " + " ".join(names) if names else "guards no named source"
