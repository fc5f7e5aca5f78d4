"""The sandbox itself: limits, modes, what a run reports, and the bwrap guarantees."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.grading import isolation
from workbench.grading.sandbox import Limits, run_code, run_submission

from .conftest import FAST, needs_bwrap
from .tinylab import ANSWER, LAB, points

HONEST = '''
import json
def solve(public, out):
    numbers = json.loads((public / "data.json").read_text())["numbers"]
    print("working on", len(numbers), "numbers")
    (out / "plan.json").write_text(json.dumps({"value": sum(numbers)}))
'''


@pytest.mark.parametrize(("field", "value", "message"), [
    ("wall_s", 0, "positive"),
    ("cpu_s", -1, "positive"),
    ("cpu_s", 0.5, "whole seconds"),
    ("memory_bytes", 2**20, "at least 64 MiB"),
    ("processes", 1, "at least 2"),
    ("file_size", "big", "positive"),
    ("output_bytes", True, "positive"),
    ("scratch_bytes", 0, "positive"),
    ("wall_s", float("inf"), "positive"),
    ("cpu_s", float("nan"), "positive"),
])
def test_limits_reject_nonsense(field, value, message):
    with pytest.raises(ValueError, match=message) as info:
        Limits(**{field: value})
    assert field in str(info.value)


def test_limits_defaults_match_the_documented_ones():
    limits = Limits()
    assert (limits.wall_s, limits.cpu_s, limits.memory_bytes, limits.processes,
            limits.file_size, limits.output_bytes) == (60, 60, 2 * 2**30, 64, 64 * 2**20, 2**20)


def test_probe_runs_once():
    assert isolation.probe() is isolation.probe()


def _stage(tmp_path: Path, source: str) -> Path:
    code = tmp_path / "code"
    code.mkdir()
    (code / "submission.py").write_text(source)
    return code


@pytest.mark.parametrize("mode", [pytest.param("bwrap", marks=needs_bwrap), "plain"])
def test_honest_run_reports_output_and_text(host, tmp_path, mode):
    result = run_code(_stage(tmp_path, HONEST), host.public, LAB.code_entry, FAST, mode=mode,
                      workdir=tmp_path / "run")
    assert result.mode == mode and result.returncode == 0 and not result.timed_out
    assert result.output == tmp_path / "run" / "out" / "plan.json"
    assert json.loads(result.output.read_text()) == {"value": ANSWER}
    assert "working on 5 numbers" in result.stdout
    assert result.wall_s > 0 and result.cpu_s > 0
    assert not (tmp_path / "run" / "scratch").exists(), "the scratch copy must be removed"
    assert ("unconfined" in result.violations) == (mode == "plain")


@pytest.mark.parametrize(("source", "changes", "violation"), [
    ("def solve(p, o):\n    while True:\n        pass\n", {"wall_s": 1.5, "cpu_s": 60}, "wall_time"),
    ("def solve(p, o):\n    x = bytearray(4 * 2**30)\n", {}, "memory"),
    ("def solve(p, o):\n    print('y' * 5_000_000)\n", {}, "output"),
    ("def solve(p, o):\n    pass\n", {}, "no_output"),
])
def test_plain_mode_still_enforces_limits(host, tmp_path, source, changes, violation):
    result = run_code(_stage(tmp_path, source), host.public, LAB.code_entry,
                      replace(FAST, **changes), mode="plain", workdir=tmp_path / "run")
    assert violation in result.violations, result.reasons
    assert len(result.stdout) <= FAST.output_bytes
    if violation != "output":
        assert result.output is None


@needs_bwrap
def test_sandbox_sees_only_its_own_folders(host, tmp_path):
    source = HONEST + '''
import os
def solve(public, out):
    (out / "plan.json").write_text(json.dumps({"value": 0, "root": sorted(os.listdir("/")),
        "work": sorted(os.listdir("/work")), "uid": os.getuid(), "cwd": os.getcwd(),
        "env": sorted(os.environ)}))
'''
    result = run_code(_stage(tmp_path, source), host.public, LAB.code_entry, FAST,
                      workdir=tmp_path / "run")
    seen = json.loads(result.output.read_text())
    assert seen["cwd"] == "/work"
    if isolation.drops_root():  # a host uid of its own per run
        assert isolation.UID_BASE <= seen["uid"] < isolation.UID_BASE + isolation.UID_SLOTS
    else:
        assert seen["uid"] == isolation.SANDBOX_UID
    assert seen["work"] == ["case", "code", "out", "public", "tmp"]  # case/public: a link
    assert set(seen["root"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "proc", "root",
                                 "sandbox", "sbin", "tmp", "usr", "work"}
    assert set(seen["env"]) <= {"PATH", "HOME", "TMPDIR", "LANG", "OMP_NUM_THREADS",
                                "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "PWD",
                                "WORKBENCH_SANDBOX", "WORKBENCH_PUBLIC"}


def test_case_root_is_never_exposed(host, tmp_path):
    with pytest.raises(ValueError, match="private"):
        run_code(_stage(tmp_path, HONEST), host.public.parent, LAB.code_entry, FAST)


def test_unknown_mode_is_refused(host, tmp_path):
    with pytest.raises(ValueError, match="mode"):
        run_code(_stage(tmp_path, HONEST), host.public, LAB.code_entry, FAST, mode="docker")


def test_run_submission_passes_data_files_through(host, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"value": ANSWER}))
    path, reasons = run_submission(LAB, plan, host.public, workdir=tmp_path / "w")
    assert path == plan and reasons == [] and points(path)[0] == 100


NAN_PLAN = '''
def solve(public, out):
    (out / "plan.json").write_text('{"routes": [{"vehicle": "V01", "stops": [NaN, Infinity]}]}')
'''


def test_logistics_code_runs_in_the_sandbox_and_is_read_by_the_lab(tmp_path):
    logistics = pytest.importorskip("labs.logistics")
    lab = logistics.LAB
    if lab is None or getattr(lab, "code_entry", None) is None:
        pytest.skip("the logistics lab is not assembled yet")
    from workbench.lab import SubmissionError

    case = lab.make_case(3, "tiny", out=tmp_path / "case")
    starter = Path(__file__).parents[1] / "labs" / "logistics" / "fixtures" / "greedy_solve.py"
    path, reasons = run_submission(lab, starter, case.public, workdir=tmp_path / "w1")
    assert path is not None and path.name == lab.code_entry.output, reasons
    assert not lab.validate(case, lab.read_submission(path))
    path, reasons = run_submission(lab, _stage(tmp_path, NAN_PLAN) / "submission.py",
                                   case.public, workdir=tmp_path / "w2")
    assert path is not None, reasons
    try:
        problems = lab.validate(case, lab.read_submission(path))
    except SubmissionError as exc:
        problems = exc.problems
    assert problems, "NaN / Infinity stops must be flagged by the lab"


WRITE_PROBE = '''
import json, os
TARGETS = ["/x", "/etc/x", "/usr/x", "/dev/x", "/sandbox/x", "/proc/x", "/work/public/x",
           "/work/code/x", "/work/x", "/work/out/x", "/tmp/x", "/dev/shm/x"]
KNOBS = ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches", "/proc/sysrq-trigger",
         "/proc/sys/kernel/hostname"]
def solve(public, out):
    wrote = []
    for path in TARGETS:
        try:
            with open(path, "w") as f:
                f.write("x")
            wrote.append(path)
        except OSError:
            pass
    # os.access only asks: nothing is written to the kernel's knobs.
    knobs = [k for k in KNOBS if os.path.exists(k) and os.access(k, os.W_OK)]
    uid = os.getuid()
    host_uid = None
    for line in open("/proc/self/uid_map"):
        inside, outside, count = map(int, line.split())
        if inside <= uid < inside + count:
            host_uid = outside + uid - inside
    (out / "plan.json").write_text(json.dumps({"value": 0, "wrote": wrote, "knobs": knobs,
                                               "host_uid": host_uid}))
'''


@needs_bwrap
def test_only_scratch_is_writable_and_host_root_is_out_of_reach(host, tmp_path):
    result = run_code(_stage(tmp_path, WRITE_PROBE), host.public, LAB.code_entry, FAST,
                      workdir=tmp_path / "run")
    seen = json.loads(result.output.read_text())
    assert sorted(seen["wrote"]) == ["/dev/shm/x", "/tmp/x", "/work/out/x", "/work/x"]
    assert seen["knobs"] == [], "kernel settings must not be writable from the sandbox"
    assert seen["host_uid"] not in (0, None), "the code must not run as the host's root"


def test_auto_falls_back_to_plain_and_says_so(host, tmp_path, monkeypatch):
    no_bwrap = isolation.Capabilities(False, None, None, ("bubblewrap is not installed",))
    monkeypatch.setattr(isolation, "probe", lambda: no_bwrap)
    with pytest.raises(RuntimeError, match="bubblewrap is not installed"):
        run_code(_stage(tmp_path, HONEST), host.public, LAB.code_entry, FAST, mode="bwrap")
    result = run_code(tmp_path / "code", host.public, LAB.code_entry, FAST,
                      workdir=tmp_path / "run")
    assert result.mode == "plain" and result.output is not None
    assert any("without the bubblewrap sandbox" in r for r in result.reasons)


REPORTING = '''
import json
def report(out, public, **found):
    value = sum(json.loads((public / "data.json").read_text())["numbers"])
    (out / "plan.json").write_text(json.dumps({"value": value, **found}, default=str))
'''


# The kernel surface: seccomp, user namespaces, keyrings (issue 13) ---------------------------

# syscall numbers of the calls libc has no wrapper for (x86-64, aarch64)
SYSCALLS = {"x86_64": {"add_key": 248, "keyctl": 250, "bpf": 321, "perf_event_open": 298},
            "aarch64": {"add_key": 217, "keyctl": 219, "bpf": 280, "perf_event_open": 241}}

KERNEL_PROBE = REPORTING + '''
import ctypes, errno, os, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
NR = @NR@
def call(fn, *args):
    result = fn(*args)
    return "ok" if result != -1 else errno.errorcode.get(ctypes.get_errno(), "?")
def solve(public, out):
    got = {
        "unshare_user": call(libc.unshare, 0x10000000),
        "unshare_mount": call(libc.unshare, 0x00020000),
        "unshare_net": call(libc.unshare, 0x40000000),
        "add_key": call(libc.syscall, NR["add_key"], b"user", b"wb-key", b"secret", 6, -3),
        "keyctl": call(libc.syscall, NR["keyctl"], 0, -3, 0),
        "bpf": call(libc.syscall, NR["bpf"], 0, 0, 0),
        "ptrace": call(libc.ptrace, 16, os.getppid(), 0, 0),
        "mount": call(libc.mount, b"none", b"/work/tmp", b"tmpfs", 0, None),
    }
    # what ordinary code needs still works: threads, subprocesses, multiprocessing
    t = threading.Thread(target=lambda: None); t.start(); t.join()
    got["subprocess"] = subprocess.run([sys.executable, "-c", "print(1)"],
                                       capture_output=True).stdout.strip().decode()
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(2) as pool:
        got["pool"] = sum(pool.map(abs, [-1, -2]))
    report(out, public, **got)
'''


@needs_bwrap
def test_no_user_namespaces_keyrings_or_tracing_inside(host, tmp_path):
    numbers = SYSCALLS.get(os.uname().machine)
    if numbers is None:
        pytest.skip(f"no syscall numbers for {os.uname().machine}")
    assert isolation.probe().seccomp, isolation.probe().notes
    source = KERNEL_PROBE.replace("@NR@", repr(numbers))
    result = run_code(_stage(tmp_path, source), host.public, LAB.code_entry, FAST,
                      workdir=tmp_path / "run")
    assert result.output is not None, result.reasons + [result.stderr[-2000:]]
    got = json.loads(result.output.read_text())
    for call in ("unshare_user", "unshare_mount", "unshare_net", "add_key", "keyctl", "bpf",
                 "ptrace", "mount"):
        assert got[call] == "EPERM", (call, got)
    assert got["subprocess"] == "1" and got["pool"] == 3 and got["value"] == ANSWER


def test_seccomp_filter_lists_the_refused_calls():
    from workbench.grading import syscalls

    assert {"add_key", "keyctl", "request_key", "ptrace", "mount", "setns", "bpf",
            "perf_event_open", "kexec_load", "init_module"} <= set(syscalls.DENIED)
    program = syscalls.bpf_program()
    assert program and len(program) % 8 == 0  # struct sock_filter: 8 bytes per instruction


HOG = REPORTING + '''
import subprocess, time
def solve(public, out):
    procs = [subprocess.Popen(["/bin/sleep", "@HOLD@"]) for _ in range(60)]
    for p in procs:
        p.wait()
    report(out, public, held=len(procs))
'''

BUSY_HONEST = REPORTING + '''
import subprocess
def solve(public, out):
    procs = [subprocess.Popen(["/bin/sleep", "0.2"]) for _ in range(12)]
    assert all(p.wait() == 0 for p in procs)
    report(out, public)
'''


def _sleepers(arg: str) -> int:
    count = 0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes() == b"/bin/sleep\0" \
                    + arg.encode() + b"\0":
                count += 1
        except OSError:
            pass
    return count


@needs_bwrap
@pytest.mark.parametrize("cgroup", [True, False], ids=["with-cgroup", "without-cgroup"])
def test_a_run_holding_60_processes_does_not_starve_a_concurrent_run(submit, monkeypatch,
                                                                     cgroup):
    import time
    from concurrent.futures import ThreadPoolExecutor

    caps = isolation.probe()
    if cgroup and caps.cgroup is None:
        pytest.skip("no writable cgroup on this host: " + "; ".join(caps.notes))
    if not cgroup:  # the per-run uid alone must keep the runs apart
        monkeypatch.setattr(isolation, "probe", lambda: replace(caps, cgroup=None))
    hold = "9.137"
    limits = replace(FAST, processes=64, wall_s=40, cpu_s=20)
    with ThreadPoolExecutor(2) as pool:
        hog = pool.submit(submit, HOG.replace("@HOLD@", hold), limits=limits)
        deadline = time.monotonic() + 25
        while _sleepers(hold) < 60 and time.monotonic() < deadline and not hog.done():
            time.sleep(0.1)
        assert _sleepers(hold) == 60, "the hog did not get its 60 processes"
        honest_path, honest_reasons = submit(BUSY_HONEST, limits=limits)
        still_held = _sleepers(hold)
        hog_path, hog_reasons = hog.result()
    assert still_held == 60, "the honest run must have run while the hog held its processes"
    assert points(honest_path)[0] == 100, honest_reasons
    assert points(hog_path)[0] == 100, hog_reasons


FOLDER_OUTPUT = '''
def solve(public, out):
    (out / "plan.json").mkdir()
    (out / "plan.json" / "inside.txt").write_text("x")
'''


@pytest.mark.parametrize("mode", [pytest.param("bwrap", marks=needs_bwrap), "plain"])
def test_output_that_is_a_folder_gets_a_clean_reason(host, tmp_path, mode):
    result = run_code(_stage(tmp_path, FOLDER_OUTPUT), host.public, LAB.code_entry, FAST,
                      mode=mode, workdir=tmp_path / "run")
    assert result.output is None and result.returncode == 0
    told = " ".join(result.reasons)
    assert "did not write plan.json (it is a folder, not a file)" in told, told
    assert "Traceback" not in told and "IsADirectoryError" not in told


# The toolkit boundary (issue 9) ---------------------------------------------------------------

LABS = ("accounting", "logistics", "welding")

IMPORT_SOLUTION = REPORTING + '''
import labs.@SLUG@.@MODULE@
def solve(public, out):
    report(out, public)
'''

SNEAK_SOLUTION = REPORTING + '''
def solve(public, out):
    try:
        from labs.@SLUG@ import @MODULE@
    except ImportError as exc:
        print(exc)
    report(out, public)
'''


@pytest.mark.parametrize("mode", [pytest.param("bwrap", marks=needs_bwrap), "plain"])
@pytest.mark.parametrize("slug", LABS)
def test_importing_a_labs_solution_is_refused_by_name(host, submit, slug, mode):
    for module, what in (("reference", "reference"), ("baseline", "baseline")):
        path, reasons = submit(IMPORT_SOLUTION.replace("@SLUG@", slug).replace("@MODULE@", module),
                               mode=mode)
        told = " ".join(reasons)
        assert path is None, told
        assert f"uses the lab's {what} solution: not allowed" in told, told
        assert f"labs.{slug}.{module} is the lab's {what} solution code; a submission may " \
               f"import only labs.{slug}.kit" in told, told
        # caught by the code, it still counts: the outcome is not graded
        path, reasons = submit(SNEAK_SOLUTION.replace("@SLUG@", slug).replace("@MODULE@", module),
                               mode=mode)
        assert path is None and any(f"uses the lab's {what} solution: not allowed" in r
                                    for r in reasons), reasons


@needs_bwrap
def test_only_the_kits_of_the_labs_exist_inside(host, tmp_path):
    source = REPORTING + '''
import os
def solve(public, out):
    import labs
    tree = {}
    for root, dirs, files in os.walk(labs.__path__[0]):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        tree[os.path.relpath(root, labs.__path__[0])] = sorted(f for f in files if f.endswith(".py"))
    report(out, public, tree=tree)
'''
    result = run_code(_stage(tmp_path, source), host.public, LAB.code_entry, FAST,
                      workdir=tmp_path / "run")
    assert result.output is not None, result.reasons
    tree = json.loads(result.output.read_text())["tree"]
    kits = isolation.kit_folders()
    for folder, files in tree.items():
        parts = folder.split("/")
        if len(parts) == 1:  # labs/ and labs/<slug>/: empty package files only
            assert files == ["__init__.py"], (folder, files)
        else:
            assert parts[1] == "kit", f"{folder} is not a kit folder"
    assert set(LABS) <= set(tree), tree
    for slug, kit in kits.items():
        assert sorted(tree[f"{slug}/kit"]) == sorted(p.name for p in kit.glob("*.py"))


def test_grade_report_says_the_solution_was_used_and_scores_no_outcome(tmp_path):
    from workbench.grading.grade import references
    from workbench.grading.task import grade_any

    from .tinylab import LAB as TINY
    from .tinylab import SOLUTION

    case = TINY.make_case(5, "tiny", out=tmp_path / "case")
    honest, cheat = tmp_path / "honest.py", tmp_path / "cheat.py"
    honest.write_text(SOLUTION)
    cheat.write_text(SOLUTION + "\ntry:\n    import labs.logistics.reference\n"
                     "except ImportError:\n    pass\n")
    refs = references(TINY, case)
    fair, _ = grade_any(TINY, case, honest, lambda c: refs, limits=FAST)
    caught, _ = grade_any(TINY, case, cheat, lambda c: refs, limits=FAST)
    outcome = {c.name for c in fair.criteria if c.name in {m.name for m in TINY.metrics}}
    assert outcome and all(c.points > 0 for c in fair.criteria if c.name in outcome)
    assert all(c.points == 0 for c in caught.criteria if c.name in outcome), caught.criteria
    assert any("uses the lab's reference solution: not allowed" in p for p in caught.problems), \
        caught.problems


@needs_bwrap
def test_a_wheels_labs_and_packaged_cases_are_hidden(host, tmp_path, monkeypatch):
    """Installed from a wheel, site-packages holds all of ``labs`` (solution code),
    ``workbench/_datasets`` (default cases with their keys) and ``workbench/_docs`` (instructor
    notes): none is visible inside."""
    site = tmp_path / "site-packages"
    (site / "labs" / "logistics").mkdir(parents=True)
    (site / "labs" / "__init__.py").write_text("")
    (site / "labs" / "logistics" / "__init__.py").write_text("")
    (site / "labs" / "logistics" / "reference.py").write_text("SOLVED = True\n")
    key = site / "workbench" / "_datasets" / "logistics" / "private" / "key.json"
    key.parent.mkdir(parents=True)
    key.write_text('{"secret": "WHEEL-KEY"}')
    notes = site / "workbench" / "_docs" / "welding" / "instructor.md"
    notes.parent.mkdir(parents=True)
    notes.write_text("WHEEL-NOTES")
    real = isolation.site_packages()
    monkeypatch.setattr(isolation, "site_packages", lambda: [*real, site])
    inside = f"{isolation.INSIDE_SITE}{len(real)}"
    source = REPORTING + f'''
import os
def solve(public, out):
    report(out, public, labs=os.listdir("{inside}/labs"),
           datasets=os.listdir("{inside}/workbench/_datasets"),
           docs=os.listdir("{inside}/workbench/_docs"),
           other=sorted(os.listdir("{inside}")))
'''
    result = run_code(_stage(tmp_path, source), host.public, LAB.code_entry, FAST,
                      workdir=tmp_path / "run")
    assert result.output is not None, result.reasons + [result.stderr[-1500:]]
    seen = json.loads(result.output.read_text())
    assert seen["labs"] == [] and seen["datasets"] == [] and seen["docs"] == [], seen
    assert seen["other"] == ["labs", "workbench"]
    assert "WHEEL-KEY" not in result.output.read_text()


def test_bwrap_command_line_forbids_namespaces_and_loads_the_filter(tmp_path, monkeypatch):
    for sub in ("public", "code"):
        (tmp_path / sub).mkdir()
    monkeypatch.setattr(isolation, "drops_root", lambda: False)  # an ordinary user's grader
    argv = isolation.bwrap_argv(tmp_path, 2**20, "7")
    assert "--unshare-user" in argv and ["--seccomp", "7"] == argv[argv.index("--seccomp"):][:2]
    assert ("--disable-userns" in argv) == isolation.bwrap_disables_userns()
    monkeypatch.setattr(isolation, "drops_root", lambda: True)  # root: no user namespace
    argv = isolation.bwrap_argv(tmp_path, 2**20, None)
    assert "--unshare-user" not in argv and "--disable-userns" not in argv
    assert "--seccomp" not in argv


KIT_IMPORTS = REPORTING + '''
import importlib, pkgutil
def solve(public, out):
    import labs
    failed = {}
    names = []
    for slug in @SLUGS@:
        kit = importlib.import_module(f"labs.{slug}.kit")
        for info in pkgutil.walk_packages(kit.__path__, f"labs.{slug}.kit."):
            names.append(info.name)
            try:
                importlib.import_module(info.name)
            except Exception as exc:
                failed[info.name] = f"{type(exc).__name__}: {exc}"
    report(out, public, names=names, failed=failed)
'''


@pytest.mark.parametrize("mode", [pytest.param("bwrap", marks=needs_bwrap), "plain"])
def test_every_kit_module_imports_inside_the_sandbox(host, tmp_path, mode):
    """The toolkit boundary, seen from the kits: each kit module imports only the kit, the
    framework and site-packages, so it works where a student's code runs (in plain mode the
    import hook alone draws the line)."""
    kits = isolation.kit_folders()
    if not kits:
        pytest.skip("no lab has a kit/ yet")
    source = KIT_IMPORTS.replace("@SLUGS@", repr(sorted(kits)))
    result = run_code(_stage(tmp_path, source), host.public, LAB.code_entry,
                      replace(FAST, wall_s=120, cpu_s=60), workdir=tmp_path / "run", mode=mode)
    assert result.output is not None, result.reasons + [result.stderr[-2000:]]
    seen = json.loads(result.output.read_text())
    assert seen["failed"] == {}, seen["failed"]
    assert len(seen["names"]) >= len(kits)


@needs_bwrap
def test_a_private_umask_does_not_lock_the_code_out(host, tmp_path):
    """A grader that creates its files private (umask 077, as course folders should be) still
    lets the sandbox's uid read the copies of the code, the public files and the kits."""
    old = os.umask(0o077)
    try:
        submission = tmp_path / "upload" / "submission.py"
        submission.parent.mkdir()
        submission.write_text(REPORTING + "\nimport labs\ndef solve(public, out):\n"
                              "    report(out, public)\n")
        path, reasons = run_submission(LAB, submission, host.public, limits=FAST,
                                       workdir=tmp_path / "w")
    finally:
        os.umask(old)
    assert points(path)[0] == 100, reasons
    assert (tmp_path / "w").stat().st_mode & 0o077 == 0, "the work folder stays private"
