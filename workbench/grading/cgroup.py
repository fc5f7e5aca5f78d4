"""A throw-away cgroup per run: caps its processes and (as a backstop) its memory.

Needed when the grader runs as root, because the kernel does not apply ``RLIMIT_NPROC`` to
root's own user; used whenever the host lets us create one (cgroup v1 ``pids`` + ``memory``,
or v2). Processes join it through a tiny shell prefix, so no ``preexec_fn`` runs in a threaded
grader.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

V1_PIDS, V1_MEMORY = "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory"


def probe_cgroup(notes: list[str]) -> str | None:
    """A writable pids cgroup hierarchy, needed to cap processes when the grader runs as root:
    the kernel does not apply RLIMIT_NPROC to root's own user."""
    for parent in (V1_PIDS, "/sys/fs/cgroup"):
        if not Path(parent, "cgroup.procs").exists():
            continue
        if parent != V1_PIDS:
            _enable_v2_controllers(Path(parent))
        try:
            Cgroup(parent, 8, 2**30).destroy()
            return parent
        except OSError:
            continue
    if os.geteuid() == 0:
        notes.append("running as root without a writable cgroup: the process limit is not "
                     "enforced by the kernel (the wall-time limit still kills the whole tree)")
    return None


def _enable_v2_controllers(parent: Path) -> None:
    """cgroup v2: a child has ``pids.max``/``memory.max`` only when its parent delegates the
    controllers (``cgroup.subtree_control``). Ask for them; a refusal (the parent holds
    processes itself, or we may not write there) leaves the probe to find no usable cgroup."""
    try:
        available = (parent / "cgroup.controllers").read_text().split()
        enabled = (parent / "cgroup.subtree_control").read_text().split()
        for name in ("pids", "memory"):
            if name in available and name not in enabled:
                (parent / "cgroup.subtree_control").write_text(f"+{name}")
    except OSError:
        pass


class Cgroup:
    """A throw-away cgroup capping the processes and the memory (tmpfs included) of one run."""

    def __init__(self, parent: str, max_pids: int, max_memory: int) -> None:
        name = f"workbench-{uuid.uuid4().hex[:12]}"
        self.groups: list[Path] = []
        pids = Path(parent) / name
        pids.mkdir()
        self.groups.append(pids)
        try:
            (pids / "pids.max").write_text(str(max_pids))
            if parent == V1_PIDS and os.access(V1_MEMORY, os.W_OK):
                memory = Path(V1_MEMORY) / name
                memory.mkdir()
                self.groups.append(memory)
                (memory / "memory.limit_in_bytes").write_text(str(max_memory))
            elif (pids / "memory.max").exists():
                (pids / "memory.max").write_text(str(max_memory))
        except OSError:
            self.destroy()
            raise

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started through a shell that first moves itself into the cgroup, so every
        process of the run is counted (no ``preexec_fn``: unsafe in a threaded grader)."""
        script = ('while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; '
                  'shift; exec "$@"')
        procs = [str(group / "cgroup.procs") for group in self.groups]
        return ["/bin/sh", "-c", script, "sh", *procs, "--", *argv]

    def pids_limit_hit(self) -> bool:
        events = self.groups[0] / "pids.events"
        return events.exists() and "max 0" not in events.read_text()

    def kill_all(self) -> None:
        """SIGKILL every process inside (they stay as zombies until their parents reap them)."""
        for group in self.groups:
            try:
                for pid in (group / "cgroup.procs").read_text().split():
                    _kill(int(pid))
            except FileNotFoundError:
                pass

    def destroy(self) -> None:
        """Kill what is left and remove the cgroup; call after the run's process is reaped."""
        for group in self.groups:
            for _ in range(100):
                try:
                    for pid in (group / "cgroup.procs").read_text().split():
                        _kill(int(pid))
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy until the last zombie is reaped
                    time.sleep(0.02)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
