# SPDX-License-Identifier: GPL-2.0
"""Confine a child with bubblewrap (Debian's `bubblewrap` package).

The review compiles sources an attacker wrote.  Inside the sandbox the
compiler sees /usr (gcc, its plugins and libraries) and the trees it is
given, read-only; only the directories named writable can be written; it
has no network, no other process, a private /tmp, a minimal /dev and its
own /proc.  Whatever an #include or a crafted input names outside those
simply does not exist there.  When bwrap is missing or cannot create its
namespaces (some containers), available() says why and callers run the
child unconfined, saying so in their report.
"""
import os
import shutil

from . import bounded

SYSTEM = ("/usr", "/etc/ld.so.cache", "/etc/alternatives")
USR_LINKS = ("bin", "lib", "lib32", "lib64", "libx32", "sbin")

_probe = None


def base_argv():
    argv = ["bwrap", "--unshare-all", "--die-with-parent",
            "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in SYSTEM:
        argv += ["--ro-bind-try", path, path]
    # Merged /usr: /bin, /lib... are links into it, as on the host.
    for name in USR_LINKS:
        link = "/" + name
        if os.path.islink(link):
            argv += ["--symlink", os.readlink(link), link]
    return argv


def available():
    """(True, None) when a bwrap sandbox can run here, else (False, why)."""
    global _probe
    if _probe is None:
        if not shutil.which("bwrap"):
            _probe = (False, "bwrap not found")
        else:
            try:
                res = bounded.run(base_argv() + ["--", "/usr/bin/true"], timeout=10)
                _probe = (True, None) if res.returncode == 0 else (
                    False, "bwrap does not run here: %s" % first_line(res.stderr))
            except OSError as e:
                _probe = (False, "bwrap does not run here: %s" % e.strerror)
    return _probe


def first_line(data):
    text = data.decode("utf-8", "replace").strip()
    return (text.splitlines() or ["exit status"])[0][:120]


def wrap(cmd, cwd, read_only=(), writable=()):
    """CMD run in the sandbox at CWD: READ_ONLY paths bound read-only,
    WRITABLE ones read-write, each at its own path."""
    argv = base_argv()
    for path in read_only:
        argv += ["--ro-bind", path, path]
    for path in writable:
        argv += ["--bind", path, path]
    return argv + ["--chdir", cwd, "--"] + list(cmd)
