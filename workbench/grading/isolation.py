"""How the sandbox isolates a process: capability probe, bubblewrap and plain command lines,
and a process/memory cgroup when the host lets us create one.

``probe()`` runs once per process and is cached: it tries a real bubblewrap sandbox with the
same mounts a submission gets, then ``unshare -n`` for the plain fallback, then a cgroup.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

SANDBOX_UID = 65534  # "nobody" inside the user namespace
RUNNER = Path(__file__).with_name("runner.py")
INSIDE_SITE = "/sandbox/site-packages"
INSIDE_RUNNER = "/sandbox/runner.py"
V1_PIDS, V1_MEMORY = "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory"
THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


@dataclass(frozen=True)
class Capabilities:
    """What this host allows; ``notes`` says why a stronger mode is missing."""

    bwrap: bool
    unshare_net: list[str] | None  # command prefix that drops the network in plain mode
    cgroup: str | None  # "v1" or "v2" parent folder of our cgroups, when writable
    notes: tuple[str, ...] = ()


def interpreter() -> Path:
    """The real interpreter behind the (virtual) environment running the grader."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return base if base.exists() else Path(os.path.realpath(sys.executable))


def site_packages() -> list[Path]:
    """The environment's site-packages folders (numpy, pandas, sklearn live there)."""
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(Path(p) for p in paths if Path(p).is_dir())


def bwrap_argv(work: Path, limits_scratch: int) -> list[str]:
    """bubblewrap command running the bootstrap on ``work/public`` + ``work/code``.

    Only the interpreter, the site-packages, /usr and the loader cache are visible, read-only;
    /work is a size-limited tmpfs where only ``out/`` and ``tmp/`` exist besides the two
    read-only inputs. No network, no host processes, unprivileged uid, no capabilities.
    """
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--clearenv", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    if Path("/etc/ld.so.cache").is_file():
        argv += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    prefix = Path(sys.base_prefix).resolve()
    if not prefix.is_relative_to("/usr"):
        argv += ["--ro-bind", str(prefix), str(prefix)]
    for i, site in enumerate(site_packages()):
        inside = f"{INSIDE_SITE}{i or ''}"
        argv += ["--ro-bind", str(site), inside]
        if (site / "workbench" / "_datasets").is_dir():  # committed cases carry answer keys
            argv += ["--tmpfs", f"{inside}/workbench/_datasets"]
    argv += ["--ro-bind", str(RUNNER), INSIDE_RUNNER, "--proc", "/proc", "--dev", "/dev",
             "--size", str(limits_scratch), "--tmpfs", "/work", "--dir", "/work/out",
             "--dir", "/work/tmp", "--symlink", "/work/tmp", "/tmp",
             "--ro-bind", str(work / "public"), "/work/public",
             "--ro-bind", str(work / "code"), "/work/code", "--chdir", "/work",
             "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/work",
             "--setenv", "TMPDIR", "/work/tmp", "--setenv", "LANG", "C.UTF-8"]
    for key, value in THREAD_ENV.items():
        argv += ["--setenv", key, value]
    return argv + [str(interpreter()), "-I", "-S", INSIDE_RUNNER]


def plain_env(work: Path) -> dict[str, str]:
    """The scrubbed environment of plain mode: nothing from the grader's environment."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work / "tmp"),
            "LANG": "C.UTF-8", **THREAD_ENV}


@functools.cache
def probe() -> Capabilities:
    """Detect, once, which isolation this host supports."""
    notes: list[str] = []
    bwrap_ok = _probe_bwrap(notes)
    return Capabilities(bwrap_ok, _probe_unshare(notes), _probe_cgroup(notes), tuple(notes))


def _probe_bwrap(notes: list[str]) -> bool:
    if shutil.which("bwrap") is None:
        notes.append("bubblewrap (bwrap) is not installed")
        return False
    import tempfile

    with tempfile.TemporaryDirectory(prefix="workbench-probe-") as d:
        for sub in ("public", "code"):
            (Path(d) / sub).mkdir()
        argv = bwrap_argv(Path(d), 2**20)[:-1] + ["-c", "import sys"]
        try:
            run = subprocess.run(argv, capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            notes.append(f"bubblewrap failed to start: {exc}")
            return False
    if run.returncode != 0:
        notes.append("bubblewrap cannot create a sandbox here: "
                     + run.stderr.decode(errors="replace").strip()[:300])
    return run.returncode == 0


def _probe_unshare(notes: list[str]) -> list[str] | None:
    if shutil.which("unshare") is None:
        return None
    for prefix in (["unshare", "--net"], ["unshare", "--user", "--map-root-user", "--net"]):
        try:
            if subprocess.run(prefix + ["true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            pass
    notes.append("`unshare --net` is not permitted: plain mode keeps the network")
    return None


def _probe_cgroup(notes: list[str]) -> str | None:
    """A writable pids cgroup hierarchy, needed to cap processes when the grader runs as root:
    the kernel does not apply RLIMIT_NPROC to root's own user."""
    for parent in (V1_PIDS, "/sys/fs/cgroup"):
        if not Path(parent, "cgroup.procs").exists():
            continue
        try:
            Cgroup(parent, 8, 2**30).destroy()
            return parent
        except OSError:
            continue
    if os.geteuid() == 0:
        notes.append("running as root without a writable cgroup: the process limit is not "
                     "enforced by the kernel (the wall-time limit still kills the whole tree)")
    return None


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

    def destroy(self) -> None:
        """Kill every process still inside and remove the cgroup."""
        for group in self.groups:
            for _ in range(100):
                try:
                    for pid in (group / "cgroup.procs").read_text().split():
                        _kill(int(pid))
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
