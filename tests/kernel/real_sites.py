#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The 4 real uses of KVM_BUG_ON_DATA_CORRUPTION() in 6.12 (mmu/mmu.c) and
what the plugin's facts must say of them: exactly these sites, all host,
each naming the sources a reviewer expects, with their locations.

A helper of the plugin suites (test-plugin-sites imports it,
test-plugin-identical runs it on the facts of its kbuild build):

    tests/kernel/real_sites.py FACTS_DIR TREE LABEL

prints one "ok - plugin-sites: ..." line per check, the suites' format.
"""
import os
import sys

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "kernel-integration"))
from kvmdc_lib import records  # noqa: E402

MMU = "arch/x86/kvm/mmu/mmu.c"
# line -> sources a reviewer expects to see named (kernel-integration/CONTRACTS.md: records)
REAL = {
	970: {"pte_list_desc.spte_count"},
	1001: {"kvm_rmap_head.val"},
	1005: {"kvm_rmap_head.val", "spte"},
	1022: {"kvm_rmap_head.val", "pte_list_desc.spte_count", "pte_list_desc.sptes"},
}


def report(name, good, why=""):
	print("ok - plugin-sites: %s" % name if good else
	      "not ok - plugin-sites: %s: %s" % (name, why))


def check(recs, label):
	"""The checks on RECS, the site records of one build (LABEL)."""
	files = sorted({r["file"] for r in recs})
	report("%s: facts only for the TU with sites" % label, files == [MMU], files)
	sites = sorted((r["file"], r["line"]) for r in recs)
	want = sorted((MMU, n) for n in REAL)
	report("%s: exactly the 4 real sites (mmu.c %s)" % (label, ", ".join(map(str, REAL))),
	       sites == want, "got %s" % sites)
	report("%s: all 4 judged host" % label, all(r["verdict"] == "host" for r in recs),
	       [(r["line"], r["verdict"]) for r in recs])
	for r in sorted(recs, key=lambda r: r["line"]):
		names = {s["name"] for s in r["sources"]}
		need = REAL.get(r["line"], set())
		located = all(s.get("file") and s.get("line") for s in r["sources"])
		report("%s: mmu.c:%d names %s" % (label, r["line"], ", ".join(sorted(need))),
		       need <= names and located and r.get("function"),
		       "sources %s (every one needs file:line)" % sorted(names))


def main(argv):
	if len(argv) != 4:
		sys.stderr.write("usage: real_sites.py FACTS_DIR TREE LABEL\n")
		return 2
	try:
		recs = records.read_facts(argv[1], argv[2])
	except (OSError, ValueError) as e:
		report("%s: facts readable" % argv[3], False, e)
		return 0
	check(recs, argv[3])
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
