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

import contextlib
import fcntl
import functools
import os
import random
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.grading import syscalls
from workbench.grading.cgroup import probe_cgroup

# Folders of an installed wheel that student code has no business reading: the default cases
# with their answer keys, and the docs (instructor notes explain the scenarios).
PACKAGED_PRIVATE = ("_datasets", "_docs")
SANDBOX_UID = 65534  # "nobody": the uid inside a user namespace (grader not run as root)
# Run by root, each concurrent run gets a host uid of its own from this range, so that
# RLIMIT_NPROC (counted per uid over the whole host) is per run: one run holding its processes
# cannot make a classmate's run fail. The range is far above system, user and the usual
# subordinate-id (/etc/subuid) ranges; a lock file per uid keeps concurrent runs apart.
UID_BASE, UID_SLOTS = 0x7000_0000, 1024
UID_LOCKS = Path("/run/workbench-sandbox")
RUNNER = Path(__file__).with_name("runner.py")
INSIDE_SITE = "/sandbox/site-packages"
INSIDE_RUNNER = "/sandbox/runner.py"
INSIDE_LIB = "/sandbox/lib"
TOOLKIT = ("labs", "workbench")  # packages whose folders the sandbox sees (labs: kit/ only)
KIT = "kit"  # labs/<slug>/kit: the only part of a lab importable inside the sandbox
THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


@dataclass(frozen=True)
class Capabilities:
    """What this host allows; ``notes`` says why a stronger mode is missing."""

    bwrap: bool
    unshare_net: list[str] | None  # command prefix that drops the network in plain mode
    cgroup: str | None  # parent folder of our cgroups, when writable
    notes: tuple[str, ...] = ()
    seccomp: bool = False  # bubblewrap loads the seccomp filter (see ``syscalls``)


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
    """``sys.path`` entries the bootstrap adds inside the bubblewrap sandbox: the toolkit
    folder first (its ``labs`` holds only the kits), then site-packages."""
    return [INSIDE_LIB] + [f"{INSIDE_SITE}{i or ''}" for i in range(len(site_packages()))]


def labs_folder() -> Path | None:
    """The installed ``labs`` package folder (source tree or site-packages), not imported."""
    import importlib.util

    spec = importlib.util.find_spec("labs")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def kit_folders() -> dict[str, Path]:
    """``labs/<slug>/kit`` folders by slug: the labs' student toolkits."""
    root = labs_folder()
    if root is None:
        return {}
    return {p.parent.name: p for p in sorted(root.glob(f"*/{KIT}"))
            if p.is_dir() and not p.is_symlink() and not p.parent.is_symlink()}


def readable_inside(root: Path) -> None:
    """Let the sandbox's uid read ``root``'s copies (``public/``, ``code/``, the staged labs
    tree) whatever the grader's umask: files gain r--r--r--, folders r-xr-xr-x. Their host
    folder (the run's work folder) stays private; only the bind mounts expose them."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod(mode | (0o555 if path.is_dir() else 0o444))


def stage_labs(work: Path) -> Path:
    """``work/lib/labs``: empty package files and an empty ``kit/`` mount point per lab, over
    which the real kit folders are bound read-only. Nothing else of a lab exists inside."""
    root = work / "lib" / "labs"
    root.mkdir(parents=True, exist_ok=True)
    (root / "__init__.py").write_text('"""The labs\' student toolkits (labs.<slug>.kit)."""\n')
    real = labs_folder()
    slugs = sorted(p.parent.name for p in real.glob("*/__init__.py")) if real else []
    for slug in slugs:  # every lab, kit or not, so that its other modules are refused by name
        (root / slug).mkdir(exist_ok=True)
        (root / slug / "__init__.py").write_text("")
    for slug in kit_folders():
        (root / slug / KIT).mkdir(parents=True, exist_ok=True)
    readable_inside(root)
    return root


def plain_path() -> list[str]:
    """``sys.path`` entries the bootstrap adds in plain mode."""
    roots = dict.fromkeys(str(p.parent) for p in toolkit_packages())
    return [str(p) for p in site_packages()] + list(roots)


def drops_root() -> bool:
    """True when bubblewrap runs as root and the bootstrap must switch to uid 65534 itself."""
    return os.geteuid() == 0


def bwrap_argv(work: Path, scratch_bytes: int, seccomp: str | None = None) -> list[str]:
    """bubblewrap command running the bootstrap on ``work/public`` + ``work/code``.

    Visible, read-only: /usr (+ /bin, /lib* links), the loader cache, the interpreter, the
    site-packages, the workbench package, the labs' kit folders (in a ``labs`` tree staged in
    ``work/lib``) and the bootstrap. Writable: only /work (public/ and code/ in it are
    read-only) and /dev/shm, size-limited tmpfs. No network, no host processes.
    ``seccomp`` is the file descriptor (or its placeholder) of the filter to load.
    """
    if drops_root():
        argv = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv = ["bwrap", "--unshare-all", "--unshare-user", "--cap-drop", "ALL",
                "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        if bwrap_disables_userns():
            argv.append("--disable-userns")
    if seccomp is not None:
        argv += ["--seccomp", seccomp]
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
    binds += [(str(pkg), f"{INSIDE_LIB}/{pkg.name}") for pkg in toolkit_packages()
              if pkg.name != "labs"]
    binds.append((str(stage_labs(work)), f"{INSIDE_LIB}/labs"))
    binds += [(str(kit), f"{INSIDE_LIB}/labs/{slug}/{KIT}") for slug, kit in kit_folders().items()]
    binds.append((str(RUNNER), INSIDE_RUNNER))
    argv += _read_only(binds)
    for source, inside in binds:
        for packaged in PACKAGED_PRIVATE:  # default cases with keys, instructor notes
            if (Path(source) / "workbench" / packaged).is_dir():
                argv += ["--tmpfs", f"{inside}/workbench/{packaged}"]
        if inside.startswith(INSIDE_SITE) and (Path(source) / "labs").is_dir():
            argv += ["--tmpfs", f"{inside}/labs"]  # a wheel's labs: solution code, hidden
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
    bwrap_ok, seccomp_ok = _probe_bwrap(notes)
    return Capabilities(bwrap_ok, _probe_unshare(notes), probe_cgroup(notes), tuple(notes),
                        seccomp_ok)


@functools.cache
def bwrap_disables_userns() -> bool:
    """True when the installed bubblewrap has ``--disable-userns`` (0.8.0 and later)."""
    try:
        run = subprocess.run(["bwrap", "--help"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--disable-userns" in run.stdout + run.stderr


def _probe_bwrap(notes: list[str]) -> tuple[bool, bool]:
    """(bubblewrap works, it works with the seccomp filter)."""
    if shutil.which("bwrap") is None:
        notes.append("bubblewrap (bwrap) is not installed")
        return False, False
    if syscalls.problem():
        notes.append(syscalls.problem() or "")
        return _try_bwrap(notes, None), False
    fd = syscalls.program_fd()
    try:
        if _try_bwrap(notes, fd):
            return True, True
    finally:
        if fd is not None:
            os.close(fd)
    notes.append("bubblewrap refused the seccomp filter; running without it")
    return _try_bwrap(notes, None), False


def _try_bwrap(notes: list[str], fd: int | None) -> bool:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="workbench-probe-") as d:
        for sub in ("public", "code"):
            (Path(d) / sub).mkdir()
        argv = bwrap_argv(Path(d), 2**20, None if fd is None else str(fd))[:-1]
        argv += ["-c", "import sys"]
        try:
            run = subprocess.run(argv, capture_output=True, timeout=20, stdin=subprocess.DEVNULL,
                                 pass_fds=() if fd is None else (fd,))
        except (OSError, subprocess.TimeoutExpired) as exc:
            notes.append(f"bubblewrap failed to start: {exc}")
            return False
    if run.returncode != 0:
        notes.append("bubblewrap cannot create a sandbox here: "
                     + run.stderr.decode(errors="replace").strip()[:300])
    return run.returncode == 0


@contextlib.contextmanager
def run_uid() -> Iterator[int]:
    """The host uid one run uses, held for the run: its own when the grader is root (a lock
    file per uid under ``UID_LOCKS``), ``SANDBOX_UID`` inside a user namespace otherwise."""
    if not drops_root():
        yield SANDBOX_UID
        return
    folder = _lock_folder()
    start = random.randrange(UID_SLOTS)
    for i in range(UID_SLOTS):
        slot = (start + i) % UID_SLOTS
        fd = os.open(folder / f"{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield UID_BASE + slot
        finally:
            os.close(fd)  # releases the lock
        return
    raise RuntimeError(f"all {UID_SLOTS} sandbox uids are in use; run fewer submissions at once")


def _lock_folder() -> Path:
    """A folder only we can write (0700, ours), for the uid lock files."""
    import tempfile

    for folder in (UID_LOCKS, Path(tempfile.gettempdir()) / f"workbench-sandbox-{os.geteuid()}"):
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            info = folder.lstat()
        except OSError:
            continue
        if folder.is_dir() and not folder.is_symlink() and info.st_uid == os.geteuid() \
                and not info.st_mode & 0o022:
            return folder
    raise RuntimeError(f"no private folder for the sandbox's uid locks ({UID_LOCKS} is not "
                       "writable, or not owned by this user with mode 0700)")


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
