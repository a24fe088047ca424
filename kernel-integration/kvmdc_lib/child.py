# SPDX-License-Identifier: GPL-2.0
"""Child processes bounded in time, memory and CPU, killed as a group.

A child runs in its own session (so its whole process group can be
killed), with RLIMIT_AS and RLIMIT_CPU set and no core dumps, and with a
parent-death signal so that a `kill -9` of the caller does not leave it
running.  The caller must be single-threaded: the limits are set between
fork and exec (preexec_fn), which is only safe without other threads.
"""
import ctypes
import os
import resource
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


def _limits(mem_bytes, cpu_seconds):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    return apply


class Child:
    """One bounded child: stdout and stderr go to files (never a pipe that
    a noisy child could fill), poll() says when it is done."""

    def __init__(self, argv, cwd, stdout, stderr, timeout, mem_bytes, env=None, stdin=None):
        self.timeout, self.started = timeout, time.monotonic()
        self.timed_out = False
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            self.proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env,
                                         stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                         start_new_session=True,
                                         preexec_fn=_limits(mem_bytes, int(timeout) + 1))

    def poll(self):
        """The exit status (negative: killed by that signal), or None."""
        rc = self.proc.poll()
        if rc is None and time.monotonic() - self.started > self.timeout:
            self.timed_out = True
            self.kill()
            rc = self.proc.wait()
        return rc

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def elapsed(self):
        return time.monotonic() - self.started


def run(argv, cwd, stdout, stderr, timeout, mem_bytes, env=None, stdin=None):
    """Run to completion: (exit status, timed out)."""
    child = Child(argv, cwd, stdout, stderr, timeout, mem_bytes, env, stdin)
    while True:
        rc = child.poll()
        if rc is not None:
            return rc, child.timed_out
        time.sleep(0.02)
