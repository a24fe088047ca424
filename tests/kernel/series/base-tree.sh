#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the path of a git checkout of the configured Debian 6.12 tree with
# arch/x86/kvm/ built, creating it once under the cache.
#
# The review tests need a git base tree (rev ranges, recorded .o.cmd lines
# for the plugin) and the check tests need built objects so that C=1 only
# rebuilds what a mutation touches.  The cached linux-source tree is never
# modified, so this is a copy (on a fresh machine its sources are hard
# links, below).  It is built in a temporary directory and renamed into
# place, so a half-built tree is never published.
set -e
cache=${KVMDC_CACHE:-$HOME/.cache/kvmdc}
dest=$cache/linux-git-6.12
# Hard links to the base (cp -al, test-budget and test-allowlist), and
# their removal, change every file's ctime: with ctime trusted, git in the
# base and in every overlay over it would then rehash all 80,000 files on
# each status (kbuild's setlocalversion runs one per make) and rewrite all
# of them on a checkout (a full rebuild after it).  Content changes still
# show in mtime and size.
trust_mtime_only() {
	[ "$(git -C "$1" config core.trustctime)" = false ] ||
		git -C "$1" config core.trustctime false
}
if [ -f "$dest/.kvmdc-built" ]; then
	trust_mtime_only "$dest"
	echo "$dest"
	exit 0
fi
top=$(cd "$(dirname "$0")/../../.." && pwd)
src=$("$top/kernel-integration/tree.sh" 6.12)

# The sources, committed with zlib's fastest level for the 80,000 new
# objects (half the time of the default, 10% more disk).  Debian's
# .gitignore ignores every top-level entry ("/*"): the sources are added
# without that block, then the file is committed as shipped.  Every write
# replaces a file (rename), never writes into one: the sources may be hard
# links to the unpacked tree's.
commit_sources() (
	cd "$1"
	git init -q -b master
	git config user.name "kvmdc tests"
	git config user.email "kvmdc@localhost"
	git config gc.auto 0
	trust_mtime_only .
	cp .gitignore ../.gitignore.$$
	sed '/^# Debian packaging/,$d' ../.gitignore.$$ >../.gitignore.$$.add
	mv ../.gitignore.$$.add .gitignore
	git -c core.looseCompression=1 add -A . >/dev/null
	mv ../.gitignore.$$ .gitignore
	git add -f .gitignore
	git commit -q -m "Linux 6.12 (Debian linux-source-6.12)"
)

exec 9>"$cache/.lock-linux-git-6.12"
flock 9
if [ ! -f "$dest/.kvmdc-built" ]; then
	echo "kvmdc: creating $dest (copy, git commit, build arch/x86/kvm/)" >&2
	tmp=$(mktemp -d "$cache/.linux-git.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if [ -f "$src/.kvmdc-prepared" ]; then
		cp -a "$src/." "$tmp/"
		commit_sources "$tmp"
	else
		# A fresh machine: the tree is only unpacked.  Its sources are
		# hard-linked here (no data copied) before configuring and
		# preparing it adds files, and committed meanwhile (one core,
		# mostly disk, beside make -j); then what preparing added is
		# copied over (cp -n: never over a source).  kbuild writes only
		# files of its own, never into a source, so the links stay
		# read-only in use, as the base tree is (tests/CONTRACTS.md).
		cp -al "$src/." "$tmp/"
		"$top/kernel-integration/tree.sh" 6.12 --configured >/dev/null &
		prepare=$!
		commit_sources "$tmp"
		wait $prepare || exit 1
		cp -a -n "$src/." "$tmp/"
	fi
	(cd "$tmp" && flock "$cache/.buildlock" make -s -j"$(nproc)" arch/x86/kvm/ >/dev/null)
	touch "$tmp/.kvmdc-built"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
fi
echo "$dest"
