#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scratch-tree.sh NAME: print the path of a private, built copy of the git
# base tree (series/base-tree.sh) for tests that mutate sources or build
# with other options.  Created once (copy to a temporary directory, then
# rename), kept between runs so that kbuild only rebuilds what a test
# changes; the test restores its sources with git.  The base tree itself is
# never written to.
set -e
name=$1
cache=${KVMDC_CACHE:-$HOME/.cache/kvmdc}
dest=$cache/linux-$name-6.12
base=$(sh "$(dirname "$0")/base-tree.sh")
if [ ! -f "$dest/.kvmdc-built" ]; then
	exec 9>"$cache/.lock-linux-$name-6.12"
	flock 9
	if [ ! -f "$dest/.kvmdc-built" ]; then
		tmp=$(mktemp -d "$cache/.linux-$name.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		cp -a "$base/." "$tmp/"
		rm -rf "$dest"
		mv "$tmp" "$dest"
		trap - EXIT
	fi
fi
echo "$dest"
