"""The sandbox itself: limits, modes, what a run reports, and the bwrap guarantees."""

from __future__ import annotations

import json
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
    assert seen["uid"] == isolation.SANDBOX_UID and seen["cwd"] == "/work"
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
    starter = Path(logistics.__file__).parent / "starter" / "solve_template.py"
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
