# SPDX-License-Identifier: GPL-2.0
"""The kernel tree: where it is, whether it is one, where KVM lives in it
and which of its files use the macro or write BUG_ON()/BUG()."""
import os
import subprocess

from . import INTEGRATION, KvmdcError, MACRO, source

# Every architecture's KVM, and the generic part: the one list of where
# KVM lives (review, scan --build and db read it).
KVM_DIRS = ("arch/x86/kvm", "arch/arm64/kvm", "arch/powerpc/kvm", "arch/s390/kvm",
            "arch/riscv/kvm", "arch/loongarch/kvm", "arch/mips/kvm", "virt/kvm")
# The Kconfig symbol each architecture's .config sets.
ARCH_SYMBOL = {"x86": "X86", "arm64": "ARM64", "powerpc": "PPC", "s390": "S390",
               "riscv": "RISCV", "loongarch": "LOONGARCH", "mips": "MIPS"}
CACHE = os.environ.get("KVMDC_CACHE") or os.path.expanduser("~/.cache/kvmdc")
# One kernel build at a time on the machine (tests/CONTRACTS.md).
BUILD_LOCK = os.path.join(CACHE, ".buildlock")


def default_tree():
    """The cached Debian 6.12 tree, configured (set up on first use)."""
    out = subprocess.run([os.path.join(INTEGRATION, "tree.sh"), "6.12", "--configured"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if out.returncode:
        raise KvmdcError("cannot set up the default 6.12 tree (kernel-integration/tree.sh)")
    return out.stdout.strip().splitlines()[-1]


def check_tree(tree):
    if not all(os.path.exists(os.path.join(tree, p)) for p in ("Makefile", "Kconfig", "include/linux")):
        raise KvmdcError("%s is not a kernel tree (no Makefile, Kconfig and include/linux)" % tree)


def in_kvm(path, dirs=KVM_DIRS):
    """Whether the tree-relative PATH lies under one of DIRS."""
    return any(path.startswith(d + "/") for d in dirs)


def kvm_dirs(tree):
    """The KVM directories TREE has."""
    return [d for d in KVM_DIRS if os.path.isdir(os.path.join(tree, d))]


def built_kvm_dirs(tree):
    """The KVM directories of the architecture TREE's .config selects, and
    virt/kvm (every KVM directory when there is no .config)."""
    try:
        with open(os.path.join(tree, ".config"), encoding="utf-8", errors="replace") as f:
            config = f.read()
    except OSError:
        return kvm_dirs(tree)
    arches = {a for a, sym in ARCH_SYMBOL.items() if "\nCONFIG_%s=y\n" % sym in "\n" + config}
    return [d for d in kvm_dirs(tree) if not d.startswith("arch/") or d.split("/")[1] in arches]


def grep_files(tree, pattern, dirs=(".",), extended=False):
    """Tree-relative .c/.h files under DIRS whose bytes match PATTERN (one
    grep over the tree: cheaper than opening every file in Python)."""
    flags = "-rlEZ" if extended else "-rlZ"
    grep = subprocess.run(["grep", flags, "--include=*.c", "--include=*.h", pattern] + list(dirs),
                          cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if grep.returncode > 1:
        raise KvmdcError("grep failed over %s" % tree)
    # File names are bytes: a name that is not UTF-8 must still be scanned.
    names = (os.fsdecode(f) for f in grep.stdout.split(b"\0") if f)
    return sorted({n[2:] if n.startswith("./") else n for n in names})


def macro_files(tree):
    """(tree-relative .c/.h files that use the macro, whether the name
    appears in the tree at all)."""
    files = grep_files(tree, MACRO)
    uses = []
    for f in files:
        try:
            if source.mentions_macro(os.path.join(tree, f)):
                uses.append(f)
        except OSError as e:
            raise KvmdcError("%s: %s" % (os.path.join(tree, f), e.strerror))
    return uses, bool(files)


def bug_files(tree, pol):
    """Tree-relative .c/.h files under the policy's bug-scope directories
    that write BUG_ON( or BUG(."""
    dirs = [b.dir for b in pol.bug_scopes if os.path.isdir(os.path.join(tree, b.dir))]
    if not dirs:
        return []
    return grep_files(tree, source.BUG_USE, dirs, extended=True)
