#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# plugin-copy.sh: print the path of a copy of plugin/kvmdc.so named by its
# hash, under the cache.
#
# kbuild does not see the plugin as a prerequisite, but it rebuilds when a
# command line changes: building with this path rebuilds an object when the
# plugin changed, and only then.  The base name stays kvmdc.so (it is the
# -fplugin-arg-kvmdc- prefix).
set -e
top=$(cd "$(dirname "$0")/../../.." && pwd)
cache=${KVMDC_CACHE:-$HOME/.cache/kvmdc}
[ -f "$top/plugin/kvmdc.so" ] || { echo "plugin-copy.sh: plugin/kvmdc.so is not built (make)" >&2; exit 1; }
plugin=$cache/plugin-$(sha256sum "$top/plugin/kvmdc.so" | cut -c1-12)/kvmdc.so
if [ ! -f "$plugin" ]; then
	mkdir -p "${plugin%/*}"
	cp "$top/plugin/kvmdc.so" "$plugin.$$" && mv "$plugin.$$" "$plugin"
fi
echo "$plugin"
