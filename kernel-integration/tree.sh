#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unpack, configure and prepare a Debian linux-source tree in the cache,
# reusing it when present; print its path.
#
#   tree.sh [6.12|6.1] [--configured]
#
# The cache lives outside the repository (KVMDC_CACHE, default
# ~/.cache/kvmdc).  A tree is only published (renamed into place) once it
# is complete, so an interrupted run never leaves a half-prepared tree.
set -e

ver=${1:-6.12}
want_config=${2:-}
cache=${KVMDC_CACHE:-$HOME/.cache/kvmdc}
tarball=/usr/src/linux-source-$ver.tar.xz
dir=$cache/linux-source-$ver
lock=$cache/.lock-$ver

mkdir -p "$cache"
if [ ! -f "$tarball" ]; then
	echo "kvmdc: $tarball missing (apt-get install linux-source-$ver)" >&2
	exit 2
fi

exec 9>"$lock"
flock 9

if [ ! -f "$dir/.kvmdc-unpacked" ]; then
	echo "kvmdc: unpacking $tarball into $cache" >&2
	tmp=$(mktemp -d "$cache/.unpack.XXXXXX")
	tar -C "$tmp" -xf "$tarball"
	rm -rf "$dir"
	mv "$tmp/linux-source-$ver" "$dir"
	rmdir "$tmp"
	touch "$dir/.kvmdc-unpacked"
fi

if [ "$want_config" = --configured ] && [ ! -f "$dir/.kvmdc-prepared" ]; then
	echo "kvmdc: configuring and preparing $dir (x86_64_defconfig + KVM)" >&2
	make -C "$dir" -s x86_64_defconfig >/dev/null
	"$dir/scripts/config" --file "$dir/.config" \
		-e VIRTUALIZATION -e KVM -e KVM_INTEL -e KVM_AMD \
		-d KVM_WERROR -d WERROR
	make -C "$dir" -s olddefconfig >/dev/null
	make -C "$dir" -s -j"$(nproc)" prepare >/dev/null
	touch "$dir/.kvmdc-prepared"
fi
echo "$dir"
