#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scratch-tree.sh NAME: print the path of a private, built copy of the git
# base tree (series/base-tree.sh) for tests that mutate sources or build
# with other options.  Kept between runs so that kbuild only rebuilds what a
# test changes; the test restores its sources with git.  The base tree
# itself is never written to.
#
# The copy is an overlayfs mount over the base: the base is 2 GB and 180,000
# files, and a full copy costs some 50 s of disk writes per scratch tree,
# while the mount costs nothing and a test's writes (its mutations and the
# objects it rebuilds) land in $cache/.overlay-NAME.  Where overlayfs cannot
# be mounted (not root, no overlay in the kernel) it is a full copy, made in
# a temporary directory and renamed into place, as before.
set -e
name=$1
cache=${KVMDC_CACHE:-$HOME/.cache/kvmdc}
dest=$cache/linux-$name-6.12
state=$cache/.overlay-$name
base=$(sh "$(dirname "$0")/base-tree.sh")

# A copy's files have other stat data than the base's index records (device,
# inode), and `git checkout -- .`, which every test runs first, rewrites
# each file whose stat data differs without comparing contents: all 80,000,
# after which kbuild recompiles all of arch/x86/kvm/.  Refreshing the index
# once (hashing, writing no source file) makes the copy clean as it is.
refresh_index() {
	git -C "$1" update-index -q --refresh >/dev/null || true
}

exec 9>"$cache/.lock-linux-$name-6.12"
flock 9

# A full copy made earlier (no overlay then): used as it is.
if [ -f "$dest/.kvmdc-built" ] && ! mountpoint -q "$dest"; then
	echo "$dest"
	exit 0
fi

# An overlay belongs to one build of the base (the marker's inode and
# time), recorded once its index is refreshed: a rebuilt base, or a
# creation that was interrupted, starts the scratch tree afresh.
id=$(stat -c '%i.%Y' "$base/.kvmdc-built")
if mountpoint -q "$dest"; then
	if [ "$(cat "$state/base" 2>/dev/null)" = "$id" ]; then
		echo "$dest"
		exit 0
	fi
	umount "$dest"
fi
[ "$(cat "$state/base" 2>/dev/null)" = "$id" ] || rm -rf "$state"
rm -rf "$dest"
mkdir -p "$state/upper" "$state/work" "$dest"
if mount -t overlay overlay \
	-o "lowerdir=$base,upperdir=$state/upper,workdir=$state/work" "$dest" 2>/dev/null; then
	refresh_index "$dest"
	echo "$id" >"$state/base"
	echo "$dest"
	exit 0
fi
rm -rf "$state"
rmdir "$dest"

tmp=$(mktemp -d "$cache/.linux-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -a "$base/." "$tmp/"
refresh_index "$tmp"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
