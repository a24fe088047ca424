#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages kvmdc needs, only those that are missing.
# Idempotent and quiet when everything is present, so make can call it
# before every build.
set -e

PKGS="gcc g++ make gcc-12-plugin-dev coccinelle sparse python3 git patch xz-utils \
flex bison bc libelf-dev libssl-dev cpio bubblewrap public-inbox sqlite3 \
linux-source-6.12 linux-source-6.1"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "kvmdc: missing Debian packages:$missing (run as root or install them)" >&2
	exit 2
fi
echo "kvmdc: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq $missing >/dev/null
