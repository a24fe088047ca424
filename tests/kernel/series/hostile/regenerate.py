#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Regenerate the hostile series (NAME.mbox) from the 6.12 base tree.

Each series is a real `git format-patch` of commits made in a shared,
no-checkout clone of series/base-tree.sh; what git itself refuses to
commit (a `.git` path component, a path leaving the tree) is edited into
the mail text afterwards.  Placeholders the test fills in per run:
@SECRET@ (a temporary directory holding a planted secret file `shadow`),
@UP@ (enough ../ to reach / from the tree) and @MARKER@ (a file that must
never be created).  Not run by the tests; kept so the series can be
rebuilt and read.
"""
import os
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SERIES = os.path.dirname(HERE)
ENV = dict(os.environ, GIT_AUTHOR_NAME="Mallory Attacker", GIT_AUTHOR_EMAIL="mallory@example.org",
           GIT_COMMITTER_NAME="Mallory Attacker", GIT_COMMITTER_EMAIL="mallory@example.org",
           GIT_AUTHOR_DATE="2026-11-25T10:00:00+00:00",
           GIT_COMMITTER_DATE="2026-11-25T10:00:00+00:00")


def git(clone, *args, data=None):
    return subprocess.run(["git", "-C", clone] + list(args), input=data, env=ENV, check=True,
                          stdout=subprocess.PIPE).stdout


class Clone:
    def __init__(self, base, tmp):
        self.dir = os.path.join(tmp, "clone")
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", base, self.dir],
                       check=True)
        git(self.dir, "read-tree", "HEAD")
        self.base = git(self.dir, "rev-parse", "HEAD").decode().strip()
        self.made = []

    def reset(self):
        for rel in reversed(self.made):
            full = self.path(rel)
            if os.path.islink(full) or os.path.isfile(full):
                os.unlink(full)
        self.made = []
        git(self.dir, "reset", "-q", "--soft", self.base)
        git(self.dir, "read-tree", self.base)

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def read(self, rel):
        return git(self.dir, "show", "%s:%s" % (self.base, rel)).decode()

    def write(self, rel, text, mode=None):
        full = self.path(rel)
        self.made.append(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full):
            os.unlink(full)
        with open(full, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        if mode:
            os.chmod(full, mode)
        git(self.dir, "add", "-f", rel)

    def edit(self, rel, old, new, count=1):
        if rel in self.made:
            with open(self.path(rel)) as f:
                text = f.read()
        else:
            text = self.read(rel)
        assert old in text, (rel, old)
        self.write(rel, text.replace(old, new, count))

    def symlink(self, rel, target):
        full = self.path(rel)
        self.made.append(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.symlink(target, full)
        git(self.dir, "add", "-f", rel)

    def commit(self, subject, body):
        git(self.dir, "commit", "-q", "-m", subject + "\n\n" + body +
            "\n\nSigned-off-by: Mallory Attacker <mallory@example.org>")

    def mbox(self, n):
        return git(self.dir, "format-patch", "--stdout", "--no-signature", "--binary",
                   "--thread", "-%d" % n, *(["--numbered"] if n > 1 else [])).decode()


def save(name, text, fixups=()):
    if sys.argv[1:] and os.path.basename(name) not in sys.argv[1:]:
        return
    for old, new in fixups:
        assert old in text, (name, old)
        text = text.replace(old, new)
    with open(os.path.join(HERE, name + ".mbox"), "w") as f:
        f.write(text)


MMU = "arch/x86/kvm/mmu/mmu.c"
X86 = "arch/x86/kvm/x86.c"
TMPL = "arch/x86/kvm/mmu/paging_tmpl.h"
DEBUGFS = "arch/x86/kvm/debugfs.c"
GUEST_USE = ("\t\tif (unlikely(!FNAME(is_present_gpte)(pte)))\n",
             "\t\tif (KVM_BUG_ON_DATA_CORRUPTION(!FNAME(is_present_gpte)(pte), vcpu->kvm))\n")
MMU_ANCHOR = "#include \"mmu_internal.h\"\n"
X86_ANCHOR = "#include \"x86.h\"\n"


def one(c, name, subject, body, steps, fixups=()):
    c.reset()
    for step in steps:
        step(c)
    c.commit(subject, body)
    save(name, c.mbox(1), fixups)


def series(c, name, patches, fixups=()):
    c.reset()
    for subject, body, steps in patches:
        for step in steps:
            step(c)
        c.commit(subject, body)
    save(name, c.mbox(len(patches)), fixups)


def include_in(path, anchor, line):
    return lambda c: c.edit(path, anchor, anchor + line)


def main():
    base = subprocess.run([os.path.join(SERIES, "base-tree.sh")], stdout=subprocess.PIPE,
                          text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        c = Clone(base, tmp)
        series(c, "h01-bare-repo-filter", [
            ("KVM: add review metadata", "Files the CI needs.", [
                lambda c: c.write("HEAD", "ref: refs/heads/master\n"),
                lambda c: c.write("config", "[core]\n\trepositoryformatversion = 0\n"
                                  "\tbare = true\n\thooksPath = hooks\n[filter \"k\"]\n"
                                  "\tclean = touch @MARKER@\n\tsmudge = touch @MARKER@\n"
                                  "\trequired = true\n"),
                lambda c: c.write("info/attributes", "* filter=k\n"),
                lambda c: c.write("objects/README", "objects\n"),
                lambda c: c.write("refs/README", "refs\n"),
                lambda c: c.write("hooks/post-applypatch", "#!/bin/sh\ntouch @MARKER@\n",
                                  0o755)]),
            ("KVM: x86/mmu: comment fix", "Trivial.", [
                lambda c: c.edit(MMU, "/*\n * When setting this variable to true",
                                 "/*\n * When setting this variable to true (comment)")])])
        one(c, "h02-dot-git-component", "KVM: x86: add hooks", "Nested repository metadata.", [
            lambda c: c.write("arch/x86/kvm/dotgit/config",
                              "[filter \"k\"]\n\tclean = touch @MARKER@\n"),
            lambda c: c.write("arch/x86/kvm/dotgit/hooks/post-checkout",
                              "#!/bin/sh\ntouch @MARKER@\n", 0o755)],
            [("dotgit", ".git")])
        one(c, "h03-line-outside-tree", "KVM: x86/mmu: treat a non-present guest PTE as "
            "corruption", "Blame the shadow file.", [
                lambda c: c.edit(TMPL, GUEST_USE[0], "#line 2 \"@UP@@SECRET@/shadow\"\n" +
                                 GUEST_USE[1])])
        one(c, "h04-include-absolute-secret", "KVM: x86: include the config", "Absolute.", [
            include_in(X86, X86_ANCHOR, "#include \"@SECRET@/shadow\"\n")])
        one(c, "h05-include-dotdot-secret", "KVM: x86/mmu: include the config", "Dot-dot.", [
            include_in(MMU, MMU_ANCHOR, "#include \"@UP@@SECRET@/shadow\"\n")])
        one(c, "h06-include-dev-stdin", "KVM: x86: read the seed", "Blocks for ever.", [
            include_in(X86, X86_ANCHOR, "#include \"/dev/stdin\"\n")])
        one(c, "h07-include-dev-zero", "KVM: x86: zero table", "Endless input.", [
            include_in(X86, X86_ANCHOR, "#include <@UP@dev/zero>\n")])
        one(c, "h08-include-proc-hidden", "KVM: x86: environment", "A comment and a digraph "
            "hide the directive.", [
                include_in(X86, X86_ANCHOR, "%:/* hidden */inc\\\nlude \"/proc/self/environ\"\n")])
        one(c, "h09-include-macro-name", "KVM: x86: configurable include", "Macro-built.", [
            include_in(X86, X86_ANCHOR, "#define KVM_EXTRA_CONFIG \"@SECRET@/shadow\"\n"
                       "#include KVM_EXTRA_CONFIG\n")])
        one(c, "h10-symlink-file", "KVM: x86/mmu: share a header", "A link to a secret.", [
            lambda c: c.symlink("arch/x86/kvm/mmu/leak.h", "@SECRET@/shadow"),
            include_in(MMU, MMU_ANCHOR, "#include \"leak.h\"\n")])
        c.reset()
        c.symlink("arch/x86/kvm/mmu_alias", "../../../include/linux")
        c.commit("KVM: x86: alias the generic headers", "A directory link into the base tree.")
        first = c.mbox(1)
        c.reset()
        c.write("arch/x86/kvm/mmu_alias/kvm_host.h", "/* overwritten through the link */\n")
        c.commit("KVM: x86: rewrite kvm_host.h", "Written through the link.")
        second = c.mbox(1)
        save("h11-symlink-dir-into-tree",
             first.replace("[PATCH]", "[PATCH 1/2]") + "\n" + second.replace("[PATCH]",
                                                                              "[PATCH 2/2]"))
        c.reset()
        c.write(".gitmodules", "[submodule \"vendor\"]\n\tpath = arch/x86/kvm/vendor\n"
                "\turl = file://@SECRET@\n")
        git(c.dir, "update-index", "--add", "--cacheinfo", "160000,%s,arch/x86/kvm/vendor"
            % c.base)
        c.commit("KVM: x86: vendor a helper", "Submodule.")
        save("h12-submodule", c.mbox(1))
        one(c, "h13-mode-0755-script", "KVM: selftests: add a helper script",
            "A script with the executable bit, and a mode change.", [
                lambda c: c.write("tools/testing/selftests/kvm/pwn.sh",
                                  "#!/bin/sh\ntouch @MARKER@\n", 0o755),
                lambda c: (c.write("Documentation/virt/kvm/review-checklist.rst",
                                   c.read("Documentation/virt/kvm/review-checklist.rst"),
                                   0o755))])
        one(c, "h14-binary-source", "KVM: x86: binary source", "A NUL byte makes it binary.", [
            lambda c: c.write(X86, c.read(X86).replace(X86_ANCHOR, X86_ANCHOR + "\0\n", 1))])
        one(c, "h15-binary-png-doc", "KVM: docs: add a diagram", "Binary doc plus a comment in debugfs.c.", [
            lambda c: c.write("Documentation/virt/kvm/x86/diagram.png",
                              b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))),
            lambda c: c.edit(DEBUGFS, "#define  RMAP_LOG_SIZE  11\n",
                             "/* Buckets of the rmap size histogram. */\n"
                             "#define  RMAP_LOG_SIZE  11\n")])
        doubling = "".join("#define KVM_D%d KVM_D%d KVM_D%d\n" % (i + 1, i, i) for i in range(40))
        one(c, "h16-doubling-macro", "KVM: x86: table", "2^40 tokens.", [
            include_in(X86, X86_ANCHOR, "#define KVM_D0 0,\n" + doubling +
                       "static const int kvm_table[] = { KVM_D40 };\n")])
        nest = "KVM_TWICE(" * 40 + "1" + ")" * 40
        one(c, "h17-nested-doubling", "KVM: x86: check the vCPU count", "Nested doubling; "
            "the compile is bounded.", [
                lambda c: c.edit(DEBUGFS, "static int kvm_mmu_rmaps_stat_open(",
                                 "#define KVM_TWICE(x) x + x\n"
                                 "static int kvm_mmu_rmaps_stat_open("),
                lambda c: c.edit(DEBUGFS, "\tif (!kvm_get_kvm_safe(kvm))\n",
                                 "\tif (KVM_BUG_ON_DATA_CORRUPTION(kvm->created_vcpus == %s, kvm))\n"
                                 "\t\treturn -EIO;\n\tif (!kvm_get_kvm_safe(kvm))\n" % nest)])
        c.reset()
        c.write("Documentation/virt/kvm/blob.bin", b"\0" * (24 << 20))
        c.commit("KVM: docs: add a blob", "24 MiB of zeros, 24 KiB compressed.")
        save("h18-huge-binary", c.mbox(1))
        one(c, "h19-include-cycle", "KVM: x86: tables", "A header including itself twice.", [
            lambda c: c.write("arch/x86/kvm/twice.h", "#include \"twice.h\"\n"
                              "#include \"twice.h\"\n"),
            include_in(X86, X86_ANCHOR, "#include \"twice.h\"\n")])
        one(c, "h20-linemarker-secret", "KVM: x86/mmu: guest PTE check", "A linemarker.", [
            lambda c: c.edit(TMPL, GUEST_USE[0], "# 1 \"@SECRET@/shadow\"\n" + GUEST_USE[1])])
        one(c, "h21-has-include-probe", "KVM: x86: optional config", "Probes for a file.", [
            include_in(X86, X86_ANCHOR, "#if __has_include(\"@UP@@SECRET@/shadow\")\n"
                       "#define KVM_HAS_SHADOW 1\n#endif\n")])
        one(c, "h22-path-leaves-tree", "KVM: x86: move a file", "Renamed out of the tree.", [
            lambda c: c.write("arch/x86/kvm/outside.c", "/* out */\n")],
            [("arch/x86/kvm/outside.c", "arch/../../../@SECRET@/outside.c")])
        one(c, "h23-benign-selftest-docs", "KVM: selftests: document the xcr0 test",
            "A normal series: a selftest, its documentation and a comment in debugfs.c.", [
                lambda c: c.edit("tools/testing/selftests/kvm/x86_64/xcr0_cpuid_test.c",
                                 "#include <fcntl.h>\n", "#include <fcntl.h>\n"
                                 "/* See Documentation/virt/kvm/x86/xcr0.rst. */\n"),
                lambda c: c.write("Documentation/virt/kvm/x86/xcr0.rst",
                                  "XCR0 checks\n===========\n\nKVM refuses unsupported "
                                  "XCR0 bits with #GP.\n"),
                lambda c: c.edit(DEBUGFS, "void kvm_arch_create_vcpu_debugfs(",
                                 "/* Per-vCPU files: TSC offset and scaling. */\n"
                                 "void kvm_arch_create_vcpu_debugfs(")])
        series(c, "../12-makefile-guest-param", [
            ("KVM: x86: build with KVM_XCR0_PARANOID", "Enable extra XCR0 checks.", [
                lambda c: c.edit("arch/x86/kvm/Makefile", "clean-files += kvm-asm-offsets.h\n",
                                 "clean-files += kvm-asm-offsets.h\n"
                                 "ccflags-y += -DKVM_XCR0_PARANOID\n")]),
            ("KVM: x86: treat unsupported XCR0 bits as corruption",
             "A paranoid check of the value XSETBV and KVM_SET_XCRS load.", [
                lambda c: c.edit(X86, "static int __kvm_set_xcr(",
                                 "static void kvm_check_xcr0_bits(struct kvm_vcpu *vcpu, u64 bits)\n"
                                 "{\n\tif (KVM_BUG_ON_DATA_CORRUPTION(bits & ~kvm_caps.supported_xcr0,"
                                 " vcpu->kvm))\n\t\tpr_err_ratelimited(\"kvm: bad xcr0\\n\");\n}\n\n"
                                 "static int __kvm_set_xcr("),
                lambda c: c.edit(X86, "\tvcpu->arch.xcr0 = xcr0;\n",
                                 "\tkvm_check_xcr0_bits(vcpu, xcr0);\n\tvcpu->arch.xcr0 = xcr0;\n")])])
    return 0


if __name__ == "__main__":
    sys.exit(main())
