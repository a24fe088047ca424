# SPDX-License-Identifier: GPL-2.0
#
# make          build plugin/kvmdc.so with the gcc that builds the kernel
# make check    run every test (unit fixtures, the real 6.12 tree)
# make bench    run the benchmarks (figures, never a pass/fail on time)
# make scan     run the main job over the cached Debian 6.12 tree
# make install  put kvmdc on PATH (PREFIX, default /usr/local)

GCC	?= gcc
CXX	:= $(patsubst %gcc,%g++,$(GCC))
PLUGIN_INC := $(shell $(GCC) -print-file-name=plugin)/include
PREFIX	?= /usr/local

PLUGIN_SRCS := $(wildcard plugin/*.c)
PLUGIN_HDRS := $(wildcard plugin/*.h)
PLUGIN_CXXFLAGS := -std=gnu++11 -shared -fPIC -fno-rtti -fno-exceptions -O2 \
	-Wall -Wno-unused-parameter -fvisibility=hidden -I$(PLUGIN_INC) -Iplugin

all: deps bytecode kvmdc.so

# The plugin in a sub-make: its include path is read once deps installed
# gcc-12-plugin-dev, and its files compile side by side (-j).
kvmdc.so: deps
	@$(MAKE) --no-print-directory -q plugin/kvmdc.so || \
		$(MAKE) --no-print-directory -j$$(nproc) plugin/kvmdc.so

# kvmdc's modules compiled once, as a package install would: the C=1 hook
# starts Python per file, and where PYTHONDONTWRITEBYTECODE is set it would
# otherwise compile them again every time.  Debian's python3, the one
# kvmdc's scripts name on their first line.
bytecode:
	@/usr/bin/python3 -m compileall -q kernel-integration/kvmdc_lib

deps:
	@kernel-integration/deps.sh

# Compiled as C++ (GCC's plugin API is C++), written in kernel C style;
# one object per file, so that `make` (-j, above) builds them side by side.
plugin/%.o: plugin/%.c $(PLUGIN_HDRS)
	$(CXX) $(PLUGIN_CXXFLAGS) -x c++ -c $< -o $@

plugin/kvmdc.so: $(PLUGIN_SRCS:.c=.o)
	$(CXX) -shared $^ -o $@.tmp && mv $@.tmp $@

# A copy that claims to be built for another gcc (tests/unit only); same
# base name, so it takes the same -fplugin-arg-kvmdc-* arguments.
# Only kvmdc_plugin.c says which gcc it was built for: the other objects
# are the real plugin's.
plugin/foreign/kvmdc.so: plugin/kvmdc_plugin.c $(PLUGIN_HDRS) $(filter-out plugin/kvmdc_plugin.o,$(PLUGIN_SRCS:.c=.o))
	@mkdir -p plugin/foreign
	$(CXX) $(PLUGIN_CXXFLAGS) -DKVMDC_FOREIGN_GCC='"11.3.0"' -x c++ -c $< -o plugin/foreign/kvmdc_plugin.o
	$(CXX) -shared plugin/foreign/kvmdc_plugin.o $(filter %.o,$^) -o $@.tmp && mv $@.tmp $@

check: all
	@tests/run

scan: all
	@kernel-integration/kvmdc scan $(SCAN_ARGS)

bench: all
	@KVMDC_TESTS=bench tests/run

install: all
	install -d $(PREFIX)/bin
	ln -sf $(CURDIR)/kernel-integration/kvmdc $(PREFIX)/bin/kvmdc

clean:
	rm -rf plugin/*.so plugin/*.o plugin/*.tmp plugin/foreign
	rm -rf tests/out kernel-integration/kvmdc_lib/__pycache__

.PHONY: all deps bytecode kvmdc.so check scan bench install clean
