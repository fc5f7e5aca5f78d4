"""Run one sandbox process under a wall-time limit with bounded capture of its pipes.

stdout and stderr keep only their last ``output_cap`` bytes (the rest is counted and dropped,
never buffered); the result pipe keeps at most ``result_cap`` bytes. When the wall time runs
out, the whole process group is killed (and, through ``on_kill``, the cgroup), so nothing the
student started survives.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# After the main process exits, keep draining pipes this long: a leftover grandchild may still
# hold them open, and must not keep the grader waiting.
DRAIN_GRACE_S = 0.5


@dataclass
class Outcome:
    returncode: int | None
    timed_out: bool
    wall_s: float
    cpu_s: float
    stdout: bytes
    stderr: bytes
    output_bytes: int  # stdout + stderr bytes produced, kept or not
    result: bytes
    result_overflow: bool


class _Tail:
    def __init__(self, cap: int) -> None:
        self.cap, self.buf, self.total = cap, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self.buf += chunk
        if len(self.buf) > self.cap:
            del self.buf[: len(self.buf) - self.cap]


class _Head:
    def __init__(self, cap: int) -> None:
        self.cap, self.buf, self.total = cap, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if len(self.buf) < self.cap:
            self.buf += chunk[: self.cap - len(self.buf)]


def run_process(argv: list[str], *, cwd: str, env: dict[str, str], wall_s: float,
                output_cap: int, result_cap: int,
                on_kill: Callable[[], None] | None = None,
                fds: Mapping[str, int] | None = None) -> Outcome:
    """Start ``argv`` (fd ``{RESULT_FD}`` in its argv is replaced by the result pipe) and wait.

    ``fds`` maps more placeholders (``{SECCOMP_FD}``) to descriptors the process inherits."""
    read_end, write_end = os.pipe()
    names = {"{RESULT_FD}": write_end, **(fds or {})}
    for key, fd in names.items():
        argv = [a.replace(key, str(fd)) for a in argv]
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=tuple(names.values()), start_new_session=True)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    done = threading.Event()

    def wait() -> None:  # WNOWAIT: the zombie keeps its pid (and group id) until we reap it
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    tails = {proc.stdout.fileno(): _Tail(output_cap), proc.stderr.fileno(): _Tail(output_cap)}
    result = _Head(result_cap)
    try:
        timed_out = _pump(tails, result, read_end, start + wall_s, done)
    finally:  # even if reading failed: nothing of the run may outlive it
        _kill_group(proc.pid)  # the whole tree, on time-out and leftovers after a normal exit
        if on_kill is not None:  # e.g. a cgroup's processes that left the group
            on_kill()
        done.wait()
        _, status, usage = os.wait4(proc.pid, 0)  # CPU time of this run's own process tree
        proc.returncode = os.waitstatus_to_exitcode(status)
        for stream in (proc.stdout, proc.stderr):
            stream.close()
        os.close(read_end)
    out, err = tails.values()
    return Outcome(proc.returncode, timed_out, time.monotonic() - start,
                   usage.ru_utime + usage.ru_stime, bytes(out.buf), bytes(err.buf),
                   out.total + err.total, bytes(result.buf), result.total > result_cap)


def _pump(tails: dict[int, _Tail], result: _Head, result_fd: int, deadline: float,
          done: threading.Event) -> bool:
    """Read all pipes until they close; True when the wall time ran out first."""
    sel = selectors.DefaultSelector()
    for fd in (*tails, result_fd):
        sel.register(fd, selectors.EVENT_READ)
    exited_at: float | None = None
    while sel.get_map():
        now = time.monotonic()
        if done.is_set() and exited_at is None:
            exited_at = now
        if exited_at is not None and now - exited_at > DRAIN_GRACE_S:
            break
        if now >= deadline and not done.is_set():
            return True
        for key, _ in sel.select(timeout=min(0.1, max(deadline - now, 0.0))):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(key.fd)
            elif key.fd == result_fd:
                result.add(chunk)
            else:
                tails[key.fd].add(chunk)
    sel.close()
    return False


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
