# SPDX-License-Identifier: GPL-2.0
"""Run a child bounded in time, CPU, memory and file size.

Every child of `kvmdc review` (git, spatch, gcc) reads input an attacker
wrote, so none may run for ever, swell without limit or outlive the
command.  Each child leads its own process group (start_new_session): on a
timeout, and whatever else ends the run, the whole group is killed, so a
gcc that forked cc1 leaves nothing behind.  guard_signals() turns SIGTERM,
SIGINT and SIGHUP into an Interrupted exception after killing every live
group, so `with` blocks still remove their scratch directories.
"""
import ctypes
import os
import resource
import selectors
import signal
import subprocess
import time
from collections import namedtuple

GiB = 1 << 30
MiB = 1 << 20
OUTPUT_CAP = 1 * MiB
MEMORY = 2 * GiB
PR_SET_PDEATHSIG = 1

Result = namedtuple("Result", "returncode stdout stderr timed_out")

_live = set()


class Interrupted(BaseException):
    """A terminating signal arrived; .signum says which."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _limits(cpu, mem, fsize):
    def apply():
        # A child in its own session escapes a killpg of the caller's group
        # (kvmdc bot kills a review that way): it dies with its parent.
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        if cpu:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if mem:
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Child:
    def __init__(self, cmd, timeout, mem, fsize, cwd, env, stdout):
        timeout = max(timeout, 0.1)
        self.deadline = time.monotonic() + timeout
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=stdout if stdout is not None else subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True,
                                     preexec_fn=_limits(int(timeout) + 1, mem, fsize))
        _live.add(self.proc.pid)
        self.bufs = {}
        self.open = 0
        self.timed_out = False

    def register(self, sel):
        for name in ("stdout", "stderr"):
            pipe = getattr(self.proc, name)
            if pipe is not None:
                self.bufs[name] = bytearray()
                sel.register(pipe, selectors.EVENT_READ, (self, name))
                self.open += 1

    def finish(self):
        """Kill what is left of the group, reap; the Result."""
        _kill_group(self.proc.pid)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        self.proc.wait()
        _live.discard(self.proc.pid)
        return Result(self.proc.returncode, bytes(self.bufs.get("stdout", b"")),
                      bytes(self.bufs.get("stderr", b"")), self.timed_out)


def _wait_exit(child):
    """After EOF on its pipes: wait for the child itself, within its time."""
    try:
        child.proc.wait(timeout=max(child.deadline - time.monotonic(), 0.01))
    except subprocess.TimeoutExpired:
        child.timed_out = True


def run_many(jobs, width=2, cap=OUTPUT_CAP):
    """Run JOBS (dicts of run()'s arguments), at most WIDTH at a time;
    their Results in order."""
    results = [None] * len(jobs)
    pending = list(enumerate(jobs))
    running = {}
    sel = selectors.DefaultSelector()
    try:
        while pending or running:
            while pending and len(running) < width:
                i, job = pending.pop(0)
                child = _Child(job["cmd"], job["timeout"], job.get("mem", MEMORY),
                               job.get("fsize", 64 * MiB), job.get("cwd"), job.get("env"),
                               job.get("stdout"))
                child.register(sel)
                running[i] = child
            now = time.monotonic()
            for i, child in list(running.items()):
                if child.open == 0 or now >= child.deadline:
                    if child.open == 0:
                        _wait_exit(child)
                    else:
                        child.timed_out = True
                    for key in [k for k in sel.get_map().values() if k.data[0] is child]:
                        sel.unregister(key.fileobj)
                    results[i] = child.finish()
                    del running[i]
            if not running:
                continue
            wait = min(c.deadline for c in running.values()) - time.monotonic()
            for key, _ in sel.select(max(min(wait, 1.0), 0.01)):
                child, name = key.data
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    child.open -= 1
                    continue
                buf = child.bufs[name]
                if len(buf) < cap:
                    buf += chunk[:cap - len(buf)]
    finally:
        for child in running.values():
            child.finish()
        sel.close()
    return results


def run(cmd, timeout, mem=MEMORY, fsize=64 * MiB, cwd=None, env=None, stdout=None,
        cap=OUTPUT_CAP):
    """Run CMD with stdin from /dev/null; Result with captured (capped)
    stdout unless STDOUT is a file, and stderr.  A child still running at
    TIMEOUT seconds is killed with its group (timed_out True, returncode
    -9).  OSError (no such program) propagates."""
    return run_many([dict(cmd=cmd, timeout=timeout, mem=mem, fsize=fsize, cwd=cwd, env=env,
                          stdout=stdout)], width=1, cap=cap)[0]


def _on_signal(signum, frame):
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    for pid in list(_live):
        _kill_group(pid)
    raise Interrupted(signum)


def guard_signals():
    """From now on SIGTERM/SIGINT/SIGHUP kill the children and raise
    Interrupted (the caller exits with 128 + signum)."""
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, _on_signal)


class Background:
    """A child left running while the caller does other work (kvmdc bot
    reviews several series at once): stdout and stderr go to files, never
    a pipe a noisy child could fill; poll() kills it once it overruns."""

    def __init__(self, cmd, timeout, stdout, stderr, mem=MEMORY, cwd=None, env=None,
                 stdin=None):
        self.timeout, self.started = timeout, time.monotonic()
        self.timed_out = False
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            self.proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdout=out, stderr=err,
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_limits(int(timeout) + 1, mem, None))
        _live.add(self.proc.pid)

    def poll(self):
        """The exit status (negative: killed by that signal), or None."""
        rc = self.proc.poll()
        if rc is None and self.elapsed() > self.timeout:
            self.timed_out = True
            self.kill()
            rc = self.proc.wait()
        if rc is not None:
            _live.discard(self.proc.pid)
        return rc

    def wait(self):
        """Poll until it ends: its exit status."""
        while True:
            rc = self.poll()
            if rc is not None:
                return rc
            time.sleep(0.02)

    def kill(self):
        _kill_group(self.proc.pid)

    def elapsed(self):
        return time.monotonic() - self.started


class Clock:
    """The wall-clock budget of one command: what is left for a child."""

    def __init__(self, seconds):
        self.limit = seconds
        self.deadline = time.monotonic() + seconds

    def left(self, cap=None):
        left = self.deadline - time.monotonic()
        return min(left, cap) if cap is not None else left
