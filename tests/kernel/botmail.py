# SPDX-License-Identifier: GPL-2.0
"""Mail traffic for the kvmdc bot tests, built from tests/kernel/series/.

Rounds of list mail as git send-email and people write it: series with
and without cover letters, versions, prefixes, replies quoting diffs, a
non-patch thread, hostile series, one that does not apply, two
documentation patches made against the real base tree.  EXPECT says which
reply each pass must publish, and nothing else.
"""
import difflib
import email
import email.policy
import mailbox
import os
import subprocess
from email.utils import formatdate

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERIES = os.path.join(TOP, "tests", "kernel", "series")
LIST = "kvm@lists.example.org"
DATE = 1795579000
ALICE = "Alice Developer <alice@example.org>"
BOB = "Bob Maintainer <bob@example.org>"
CAROL = "Carol Hacker <carol@example.org>"
DAVE = "Dave Porter <dave@example.org>"
ERIN = "Erin User <erin@example.org>"
FRANK = "Frank Writer <frank@example.org>"
MALLORY = "Mallory <mallory@example.org>"
SEAN = "Sean Reviewer <sean@example.org>"


def patch_bodies(name):
    """Bodies of the mails of a series file that carry a diff, in order."""
    out = []
    for msg in mailbox.mbox(os.path.join(SERIES, name)):
        body = msg.get_payload(decode=True).decode("utf-8")
        if "\ndiff --git " in body:
            out.append(body)
    return out


def doc_patch(tree, path, old, new, why):
    """A real documentation patch against TREE (clean: no C file)."""
    with open(os.path.join(tree, path), encoding="utf-8") as f:
        lines = f.read().splitlines(True)
    i = next(n for n, line in enumerate(lines) if old in line)
    after = lines[:i] + [lines[i].replace(old, new)] + lines[i + 1:]
    diff = "".join(difflib.unified_diff(lines, after, "a/" + path, "b/" + path, n=3))
    return "%s\n---\n\ndiff --git a/%s b/%s\n%s-- \n2.39.5\n" % (why, path, path, diff)


def hostile(path):
    return ("Tidy up.\n---\n\ndiff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n"
            "+++ b/%s\n@@ -0,0 +1 @@\n+#!/bin/sh\n-- \n2.39.5\n" % (path, path, path))


def mail(mid, frm, subject, body, irt=None, refs=(), off=0):
    head = ["From: %s" % frm, "To: %s" % LIST, "Subject: %s" % subject,
            "Date: %s" % formatdate(DATE + off), "Message-ID: <%s>" % mid]
    if irt:
        head.append("In-Reply-To: <%s>" % irt)
    if refs or irt:
        head.append("References: %s" % " ".join("<%s>" % r for r in (list(refs) or [irt])))
    head += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
             "Content-Transfer-Encoding: 8bit"]
    return (mid, ("\n".join(head) + "\n\n" + body).encode("utf-8"))


def quoted(body, text):
    return "".join("> " + line + "\n" for line in body.splitlines()[:30]) + "\n" + text + "\n"


def base_head(tree):
    return subprocess.run(["git", "-C", tree, "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                          text=True, check=True).stdout.strip()


def traffic(tree):
    """(rounds, series): rounds is a list of lists of (msgid, raw mail)."""
    b = patch_bodies("01-guest-use-paging-tmpl.mbox")[0]
    a1, a2 = patch_bodies("02-host-uses-over-budget.mbox")
    c1, c2 = patch_bodies("05-touches-makefile.mbox")
    with open(os.path.join(SERIES, "08-quoted-printable.eml"), "rb") as f:
        d2 = email.message_from_bytes(f.read(), policy=email.policy.default).get_body(
            ("plain",)).get_content().replace("\r\n", "\n")
    with open(os.path.join(SERIES, "06-does-not-apply.patch"), encoding="utf-8") as f:
        h = ("Compute the access bits once.\n\nbase-commit: 0123456789abcdef0123456789abcdef"
             "01234567\n---\n\n" + f.read())
    i1 = doc_patch(tree, "Documentation/virt/kvm/locking.rst",
                   "The acquisition orders for mutexes are as follows:",
                   "Mutexes are acquired in this order:", "Say it shorter.")
    i2 = doc_patch(tree, "Documentation/virt/kvm/review-checklist.rst", "Review checklist",
                   "Review check list", "Spell it out.")
    base = base_head(tree)
    t = "KVM: x86/mmu: rmap descriptor integrity checks"
    r1 = [
        mail("a1-0@example.org", BOB, "[PATCH kvm-x86 0/2] " + t, "Two checks.\n"),
        mail("a1-1@example.org", BOB, "[PATCH kvm-x86 1/2] KVM: x86/mmu: check the rmap "
             "descriptor index on removal", a1, "a1-0@example.org"),
        mail("b-1@example.org", ALICE, "[RFC PATCH] KVM: x86/mmu: treat a non-present guest "
             "PTE in the walk as corruption", b),
        mail("c-1@example.org", CAROL, "[PATCH 1/2] KVM: x86: build with KVM_MMU_PARANOID", c1),
        mail("d-1@example.org", DAVE, "[PATCH v3 1/3] KVM: x86: build with KVM_MMU_PARANOID",
             c1),
        mail("d-2@example.org", DAVE, "[PATCH v3 2/3] KVM: x86/mmu: check the rmap "
             "descriptor index", d2, "d-1@example.org"),
        mail("e-1@example.org", ERIN, "KVM: x86: how strict is KVM_BUG_ON_DATA_CORRUPTION()?",
             "Does it BUG() in production?\n"),
        mail("f-1@example.org", SEAN, "Re: [RFC PATCH] KVM: x86/mmu: treat a non-present "
             "guest PTE in the walk as corruption", quoted(b, "NAK: the guest owns its PTEs."),
             "b-1@example.org"),
        mail("f-2@example.org", ALICE, "Re: [RFC PATCH] KVM: x86/mmu: treat a non-present "
             "guest PTE in the walk as corruption", "Something like this instead?\n\n" +
             b[b.index("diff --git"):].replace("KVM_BUG_ON_DATA_CORRUPTION", "KVM_BUG_ON"),
             "f-1@example.org", ["b-1@example.org", "f-1@example.org"]),
        mail("g1-0@example.org", MALLORY, "[PATCH 0/1] KVM: x86: tidy up", "Trust me.\n"),
        mail("g1-1@example.org", MALLORY, "[PATCH 1/1] KVM: x86: tidy the includes",
             hostile("arch/x86/kvm/../../../../etc/cron.d/kvmdc"), "g1-0@example.org"),
        mail("h-1@example.org", DAVE, "[PATCH] KVM: x86/mmu: compute the walk's access bits "
             "once", h),
        mail("i-0@example.org", FRANK, "[PATCH 0/2] Documentation: KVM: wording",
             "Two wording fixes.\n\nbase-commit: %s\n" % base),
        mail("i-1@example.org", FRANK, "[PATCH 1/2] Documentation: KVM: shorter heading", i1,
             "i-0@example.org"),
        mail("i-2@example.org", FRANK, "[PATCH 2/2] Documentation: KVM: spell out the "
             "checklist", i2, "i-0@example.org"),
    ]
    refs2 = ["a1-0@example.org", "a2-0@example.org"]
    r2 = [
        mail("a2-0@example.org", BOB, "[PATCH kvm-x86 v2 0/2] " + t, "v2: rebased.\n",
             "a1-0@example.org"),
        mail("a2-1@example.org", BOB, "[PATCH kvm-x86 v2 1/2] KVM: x86/mmu: check the rmap "
             "descriptor index on removal", a1, "a2-0@example.org", refs2),
        mail("a2-2@example.org", BOB, "[PATCH kvm-x86 v2 2/2] KVM: x86/mmu: refuse an empty "
             "head descriptor in pte_list_remove()", a2, "a2-0@example.org", refs2),
        mail("c-2@example.org", CAROL, "[PATCH 2/2] KVM: x86/mmu: paranoid check of guest PTE "
             "presence", c2, "c-1@example.org"),
        mail("e-2@example.org", SEAN, "Re: KVM: x86: how strict is "
             "KVM_BUG_ON_DATA_CORRUPTION()?", quoted("Does it BUG() in production?", "Yes."),
             "e-1@example.org"),
        mail("h-2@example.org", SEAN, "Re: [PATCH] KVM: x86/mmu: compute the walk's access "
             "bits once", quoted(h, "Which tree is this against?"), "h-1@example.org"),
        mail("g2-1@example.org", MALLORY, "[PATCH] KVM: x86: add a helpful hook",
             hostile(".git/hooks/post-checkout")),
        mail("b-2@example.org", ALICE, "Re: [RFC PATCH] KVM: x86/mmu: treat a non-present "
             "guest PTE in the walk as corruption", "Fair, dropping it.\n", "f-1@example.org",
             ["b-1@example.org", "f-1@example.org"]),
    ]
    r3 = [
        mail("a1-2@example.org", BOB, "[PATCH kvm-x86 2/2] KVM: x86/mmu: refuse an empty head "
             "descriptor in pte_list_remove()", a2, "a1-0@example.org"),
        mail("a2-3@example.org", SEAN, "Re: [PATCH kvm-x86 v2 1/2] KVM: x86/mmu: check the "
             "rmap descriptor index on removal", quoted(a1, "Reviewed-by: Sean"),
             "a2-1@example.org", refs2 + ["a2-1@example.org"]),
        mail("i-3@example.org", SEAN, "Re: [PATCH 0/2] Documentation: KVM: wording",
             "Acked-by: Sean\n", "i-0@example.org"),
        mail("j-1@example.org", BOB, "[GIT PULL] KVM fixes for 6.13", "Please pull.\n"),
        mail("j-2@example.org", SEAN, "Re: [GIT PULL] KVM fixes for 6.13", "Pulled.\n",
             "j-1@example.org"),
        mail("c-3@example.org", SEAN, "Re: [PATCH 2/2] KVM: x86/mmu: paranoid check of guest "
             "PTE presence", quoted(c2, "No."), "c-2@example.org",
             ["c-1@example.org", "c-2@example.org"]),
        mail("e-3@example.org", ERIN, "Re: KVM: x86: how strict is "
             "KVM_BUG_ON_DATA_CORRUPTION()?", "Thanks.\n", "e-2@example.org",
             ["e-1@example.org", "e-2@example.org"]),
    ]
    return [r1, r2, r3]


def crash_traffic(rounds):
    """A cheaper set for the crash runs: a clean series (answered with
    --reply-clean), two that do not apply, a hostile one."""
    names = ("h-1", "g1-0", "g1-1", "i-0", "i-1", "i-2")
    mails = [raw for r in rounds for mid, raw in r if mid.split("@")[0] in names]
    h = [raw for r in rounds for mid, raw in r if mid.startswith("h-1@")][0].decode()
    body = h.partition("\n\n")[2]
    mails.append(mail("k-1@example.org", CAROL, "[PATCH] KVM: x86/mmu: walk access bits, "
                      "again", body)[1])
    return mails


class PublicInbox:
    """A v2 archive made with Debian's public-inbox: public-inbox-init -V2,
    delivery with public-inbox-mda (spam check off)."""

    def __init__(self, root, name="kvm", version="-V2"):
        self.dir = os.path.join(root, name)
        home = os.path.join(root, "pi-home-" + name)
        os.makedirs(home, exist_ok=True)
        self.env = dict(os.environ, HOME=home, PI_CONFIG=os.path.join(home, "config"),
                        ORIGINAL_RECIPIENT=LIST)
        subprocess.run(["public-inbox-init", version, name, self.dir, "http://example.org/kvm",
                        LIST], env=self.env, check=True)
        subprocess.run(["git", "config", "-f", self.env["PI_CONFIG"],
                        "publicinboxmda.spamcheck", "none"], check=True)

    def deliver(self, raw):
        res = subprocess.run(["public-inbox-mda"], input=raw, env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if res.returncode:
            raise RuntimeError("public-inbox-mda: exit %d: %s" % (res.returncode,
                                                                  res.stderr.decode()[-300:]))

    def archived(self):
        """Every archived mail as stored (with the List-Id mda adds), in order."""
        gitdir = os.path.join(self.dir, "git", "0.git")
        revs = subprocess.run(["git", "--git-dir=" + gitdir, "rev-list", "--reverse", "HEAD"],
                              stdout=subprocess.PIPE, text=True, check=True).stdout.split()
        return [subprocess.run(["git", "--git-dir=" + gitdir, "cat-file", "blob", r + ":m"],
                               stdout=subprocess.PIPE, check=True).stdout for r in revs]


def to_maildir(maildir, raws, first):
    """Deliver RAWS to MAILDIR/new in order (names and mtimes ascending)."""
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    for n, raw in enumerate(raws, first):
        path = os.path.join(maildir, "new", "%06d.kvmdc-test" % n)
        with open(path, "wb") as f:
            f.write(raw)
        os.utime(path, (DATE + n, DATE + n))
    return first + len(raws)
