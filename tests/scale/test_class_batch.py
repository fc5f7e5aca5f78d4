"""Acceptance: assign + grade a class of 30 on the logistics lab with 2 workers, survive a
SIGKILL midway, and get the same gradebook on a Dask LocalCluster."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest

from .conftest import KINDS, LAB, count_rows, grade_cmd, table

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def clean(klass):
    """One uninterrupted run with 2 workers into its own gradebook: (reports, table, stderr)."""
    db = klass.root / "clean.sqlite"
    done = subprocess.run(grade_cmd(klass, "--workers", "2", "--db", str(db), "--json"),
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = {r["student"]: r for r in json.loads(done.stdout)}
    return reports, table(db), done.stderr


def _kinds(*names: str) -> list[str]:
    return [s for s, k in KINDS.items() if k in names]


def _matches_the_reference(report: dict) -> bool:
    """Full points on every criterion of the student's own case: the plan written by
    ``workbench solve`` is the reference the grader's workers solved and cached, and the
    reference always earns full marks."""
    return all(c["points"] == pytest.approx(c["max_points"])
               for c in report["criteria"]
               if not c["hidden"] and not c["name"].startswith("step_"))  # outcome metrics


def _points(report: dict, hidden: bool) -> float:
    return sum(c["points"] for c in report["criteria"] if c["hidden"] == hidden)


def test_the_gradebook_is_complete_and_right(clean):
    reports, rows, stderr = clean
    assert sorted(reports) == sorted(KINDS) and len(rows) == 30
    assert "30 graded (30 now" in stderr and "not on the roster (teacher-notes.txt)" in stderr
    for s in _kinds("reference", "lms_folder"):
        assert reports[s]["valid"] and _matches_the_reference(reports[s]), s
    for s in _kinds("baseline", "baseline_csv", "dispatcher_csv", "code", "code_folder",
                    "notebook", "code_zip"):
        assert reports[s]["valid"], (s, reports[s]["problems"])
    for s in _kinds("garbage", "missing_customer", "empty", "chinese", "list", "wrong_suffix",
                    "zip_two_plans", "crash_at_import", "hostile", "shell_escape",
                    "no_function", "code_bad_plan"):
        assert not reports[s]["valid"] and reports[s]["score"] == 0, s
        assert reports[s]["problems"], s
    assert any("my code is broken" in p for p in reports["s20"]["problems"])
    assert any("IPython shell command" in p for p in reports["s25"]["problems"])
    assert any("defines no function solve" in p or "did not write plan.json" in p
               for p in reports["s26"]["problems"]), reports["s26"]["problems"]
    # The same greedy code, handed in as a .py, a folder, a notebook and a zip
    code = [reports[s] for s in _kinds("code", "code_folder", "notebook", "code_zip")]
    for r in code:  # every graded criterion on the own case and again on the fresh cases
        names = [c["name"] for c in r["criteria"] if not c["name"].startswith("step_")]
        own = sorted(n for n in names if not n.startswith("hidden_"))
        fresh = sorted(n.removeprefix("hidden_") for n in names
                       if n.startswith("hidden_") and not n.startswith("hidden_step_"))
        assert len(own) >= 3 and own == fresh, names
    assert all(_points(r, hidden=True) > 0 for r in code)


def test_a_hard_coded_answer_earns_nothing_on_hidden_cases(clean):
    reports, _, _ = clean
    cheat = reports[_kinds("hard_coded")[0]]
    assert _matches_the_reference(cheat)  # right on its own case (50 % of the grade)
    assert _points(cheat, hidden=False) > 0
    assert _points(cheat, hidden=True) == 0.0
    assert any(p.startswith("Fresh case 1:") for p in cheat["problems"])


def test_hostile_code_reaches_nothing(clean, klass):
    reports, _, _ = clean
    hostile = reports[_kinds("hostile")[0]]
    seen = [p for p in hostile["problems"] if "RuntimeError" in p]
    assert seen and all('"key": "FileNotFoundError"' in p and '"book": "FileNotFoundError"'
                        in p for p in seen), seen
    secret = (klass.course / "instructor" / "secret.txt").read_text().strip()
    assert not any(secret in p or "seed" in p for p in hostile["problems"])
    assert klass.gradebook.is_file()


def test_sigkill_midway_then_rerun_gives_the_same_gradebook(klass, clean):
    _, expected, _ = clean
    from workbench import registry
    from workbench.grading.batch import grader_fingerprint

    before = grader_fingerprint(registry.get_lab(LAB), hidden=_hidden(klass))
    grader = subprocess.Popen(grade_cmd(klass, "--workers", "2"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while count_rows(klass.gradebook) < 3 and grader.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(grader.pid, signal.SIGKILL)  # the grader, its workers and their sandboxes
        grader.wait(timeout=30)
    landed = count_rows(klass.gradebook)
    assert 3 <= landed < 30, f"{landed} grades when killed: not midway"
    rerun = subprocess.run(grade_cmd(klass, "--workers", "2"), capture_output=True,
                           text=True, timeout=400)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert table(klass.gradebook) == expected
    assert count_rows(klass.gradebook) == 30
    now, already = map(int, re.search(r"\((\d+) now .*?, (\d+) already", rerun.stderr).groups())
    if grader_fingerprint(registry.get_lab(LAB), hidden=_hidden(klass)) == before:
        assert (now, already) == (30 - landed, landed)  # nothing lost, nothing graded twice


def _hidden(klass) -> list[str]:
    data = json.loads((klass.course / "instructor" / LAB / "assignment.json").read_text())
    return data["hidden"]


def test_a_dask_cluster_gives_the_same_grades(klass, clean):
    from distributed import LocalCluster

    _, expected, _ = clean
    db = klass.root / "dask.sqlite"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        done = subprocess.run(grade_cmd(klass, "--dask", cluster.scheduler_address, "--db",
                                        str(db)), capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    assert table(db) == expected
