#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the path of a git checkout of the configured Debian 6.12 tree with
# arch/x86/kvm/ built, creating it once under the cache.
#
# The review tests need a git base tree (rev ranges, recorded .o.cmd lines
# for the plugin) and the check tests need built objects so that C=1 only
# rebuilds what a mutation touches.  The cached linux-source tree is never
# modified, so this is a full copy.  It is built in a temporary directory
# and renamed into place, so a half-built tree is never published.
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
src=$(cd "$(dirname "$0")/../../.." && kernel-integration/tree.sh 6.12 --configured)
exec 9>"$cache/.lock-linux-git-6.12"
flock 9
if [ ! -f "$dest/.kvmdc-built" ]; then
	echo "kvmdc: creating $dest (copy, git commit, build arch/x86/kvm/)" >&2
	tmp=$(mktemp -d "$cache/.linux-git.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	cp -a "$src/." "$tmp/"
	(
		cd "$tmp"
		git init -q -b master
		git config user.name "kvmdc tests"
		git config user.email "kvmdc@localhost"
		git config gc.auto 0
		trust_mtime_only .
		# Debian's .gitignore ignores every top-level entry ("/*"): add
		# the sources without that block, then commit the file as shipped.
		# zlib's fastest level for the 80,000 new objects: half the
		# time of the default, 10% more disk.
		cp .gitignore ../.gitignore.$$
		sed '/^# Debian packaging/,$d' ../.gitignore.$$ >.gitignore
		git -c core.looseCompression=1 add -A . >/dev/null
		mv ../.gitignore.$$ .gitignore
		git add -f .gitignore
		git commit -q -m "Linux 6.12 (Debian linux-source-6.12)"
		flock "$cache/.buildlock" make -s -j"$(nproc)" arch/x86/kvm/ >/dev/null
	)
	touch "$tmp/.kvmdc-built"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
fi
echo "$dest"
