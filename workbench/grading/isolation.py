"""How the sandbox isolates a process: capability probe and the bubblewrap command line.

``probe()`` runs once per process and is cached: it tries a real bubblewrap sandbox with the
same mounts a submission gets, then ``unshare --net`` for the plain fallback, then a cgroup.

bubblewrap is used in one of two ways. Run by an ordinary user, it creates a user namespace in
which the code runs as uid 65534, mapped to that user. Run by **root**, a user namespace would
map the sandbox uid to host root (uid 0): without capabilities, but still the owner of every
root-owned file, such as the writable ``/proc/sys`` knobs. So as root no user namespace is made;
the bootstrap starts with only CAP_SETUID/CAP_SETGID and becomes the host's ``nobody`` (65534)
before anything else runs.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from workbench.grading.cgroup import probe_cgroup

SANDBOX_UID = 65534  # "nobody"
RUNNER = Path(__file__).with_name("runner.py")
INSIDE_SITE = "/sandbox/site-packages"
INSIDE_RUNNER = "/sandbox/runner.py"
INSIDE_LIB = "/sandbox/lib"
TOOLKIT = ("labs", "workbench")  # the labs' readers, bots and file helpers students may import
THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


@dataclass(frozen=True)
class Capabilities:
    """What this host allows; ``notes`` says why a stronger mode is missing."""

    bwrap: bool
    unshare_net: list[str] | None  # command prefix that drops the network in plain mode
    cgroup: str | None  # parent folder of our cgroups, when writable
    notes: tuple[str, ...] = ()


def interpreter() -> Path:
    """The real interpreter behind the (virtual) environment running the grader."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return base if base.exists() else Path(os.path.realpath(sys.executable))


def site_packages() -> list[Path]:
    """The environment's site-packages folders (numpy, pandas, sklearn live there)."""
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(Path(p) for p in paths if Path(p).is_dir())


def toolkit_packages() -> list[Path]:
    """Folders of the workbench's own packages that site-packages does not hold (an editable
    install points at the source tree). Only these package folders are bound into the
    sandbox, never the tree around them (which may hold default cases and their keys)."""
    import importlib.util

    sites = site_packages()
    found = []
    for name in TOOLKIT:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))).resolve()
        if not any(folder.is_relative_to(site) for site in sites):
            found.append(folder)
    return found


def sandbox_path() -> list[str]:
    """``sys.path`` entries the bootstrap adds inside the bubblewrap sandbox."""
    inside = [f"{INSIDE_SITE}{i or ''}" for i in range(len(site_packages()))]
    return inside + ([INSIDE_LIB] if toolkit_packages() else [])


def plain_path() -> list[str]:
    """``sys.path`` entries the bootstrap adds in plain mode."""
    roots = dict.fromkeys(str(p.parent) for p in toolkit_packages())
    return [str(p) for p in site_packages()] + list(roots)


def drops_root() -> bool:
    """True when bubblewrap runs as root and the bootstrap must switch to uid 65534 itself."""
    return os.geteuid() == 0


def bwrap_argv(work: Path, scratch_bytes: int) -> list[str]:
    """bubblewrap command running the bootstrap on ``work/public`` + ``work/code``.

    Visible, read-only: /usr (+ /bin, /lib* links), the loader cache, the interpreter, the
    site-packages and the bootstrap. Writable: only /work (public/ and code/ in it are
    read-only) and /dev/shm, size-limited tmpfs. No network, no host processes.
    """
    if drops_root():
        argv = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv = ["bwrap", "--unshare-all", "--unshare-user", "--cap-drop", "ALL",
                "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
    argv += ["--die-with-parent", "--new-session", "--clearenv"]
    binds = [("/usr", "/usr")]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            binds.append((str(path), str(path)))
    if Path("/etc/ld.so.cache").is_file():
        binds.append(("/etc/ld.so.cache", "/etc/ld.so.cache"))
    prefix = Path(sys.base_prefix).resolve()
    if not prefix.is_relative_to("/usr"):
        binds.append((str(prefix), str(prefix)))
    binds += [(str(site), f"{INSIDE_SITE}{i or ''}") for i, site in enumerate(site_packages())]
    binds += [(str(pkg), f"{INSIDE_LIB}/{pkg.name}") for pkg in toolkit_packages()]
    binds.append((str(RUNNER), INSIDE_RUNNER))
    argv += _read_only(binds)
    for source, inside in binds:
        if (Path(source) / "workbench" / "_datasets").is_dir():  # packaged answer keys
            argv += ["--tmpfs", f"{inside}/workbench/_datasets"]
    size = str(scratch_bytes)
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
             "--perms", "1777", "--size", size, "--tmpfs", "/work",
             "--perms", "1777", "--dir", "/work/out", "--perms", "1777", "--dir", "/work/tmp",
             "--symlink", "/work/tmp", "/tmp",
             "--ro-bind", str(work / "public"), "/work/public",
             "--ro-bind", str(work / "code"), "/work/code", "--remount-ro", "/",
             "--chdir", "/work", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/work",
             "--setenv", "TMPDIR", "/work/tmp", "--setenv", "LANG", "C.UTF-8"]
    for key, value in THREAD_ENV.items():
        argv += ["--setenv", key, value]
    return argv + [str(interpreter()), "-I", "-S", INSIDE_RUNNER]


def _read_only(binds: list[tuple[str, str]]) -> list[str]:
    """Read-only binds, their parent folders made first with mode 0755 (bubblewrap run as
    root would create them 0700, unreadable once the code runs as 65534)."""
    argv: list[str] = []
    made: set[str] = set()
    for source, dest in binds:
        for parent in reversed(Path(dest).parents[:-1]):
            if str(parent) not in made and not Path(str(parent)).is_symlink():
                made.add(str(parent))
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--ro-bind", source, dest]
    return argv


def plain_env(work: Path) -> dict[str, str]:
    """The scrubbed environment of plain mode: nothing from the grader's environment."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work / "tmp"),
            "LANG": "C.UTF-8", **THREAD_ENV}


@functools.cache
def probe() -> Capabilities:
    """Detect, once, which isolation this host supports."""
    notes: list[str] = []
    bwrap_ok = _probe_bwrap(notes)
    return Capabilities(bwrap_ok, _probe_unshare(notes), probe_cgroup(notes), tuple(notes))


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
