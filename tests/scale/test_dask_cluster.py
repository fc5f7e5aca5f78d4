"""Batch grading on a real Dask cluster (a `dask scheduler` and two `dask worker` processes
on loopback, started in the folder the instructor works in, with a relative --course), and a
killed local pool leaving nothing behind.

A class of 20 on the logistics lab (tiny cases, no hidden cases), every student handing in
the starter code: each grade runs the student's code in the sandbox, so a batch takes long
enough to lose workers in the middle of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from services import start_dask

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

WORKBENCH = str(Path(sys.executable).with_name("workbench"))
STARTER = Path(__file__).parents[1] / "labs" / "logistics" / "fixtures" / "greedy_solve.py"
STUDENTS = [f"s{i:02d}" for i in range(1, 21)]
LIMITS = ["--time-limit", "30", "--memory-mb", "1024"]


def grade_args(*extra: str) -> list[str]:
    """The documented command with relative paths (run with cwd = the instructor's folder)."""
    return [WORKBENCH, "grade", "logistics", "--course", "course", "subs", *LIMITS, *extra]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    from workbench.grading.isolation import probe

    if not probe().bwrap:
        pytest.skip(
            "student code runs in the sandbox: bubblewrap cannot run here: "
            + "; ".join(probe().notes)
        )
    root = tmp_path_factory.mktemp("dask")
    (root / "roster.csv").write_text(
        "student_id,name\n" + "".join(f"{s},Student {s}\n" for s in STUDENTS), encoding="utf-8"
    )
    made = subprocess.run(
        [
            WORKBENCH,
            "assign",
            "logistics",
            "--roster",
            "roster.csv",
            "--out",
            "course",
            "--size",
            "tiny",
            "--hidden",
            "0",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    (root / "subs").mkdir()
    for student in STUDENTS:
        (root / "subs" / f"{student}.py").write_text(STARTER.read_text(encoding="utf-8"))
    return root


def table(db: Path) -> list[tuple]:
    from workbench.store import Gradebook

    with Gradebook(db) as book:
        return [
            (
                g.student,
                g.report.case_id,
                round(g.report.score, 6),
                g.report.valid,
                tuple((c.name, round(c.points, 6)) for c in g.report.criteria),
            )
            for g in book.all("logistics")
        ]


def attempts_per_student(db: Path) -> dict[str, int]:
    import sqlite3

    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        return dict(conn.execute("SELECT student, count(*) FROM attempts GROUP BY student"))


def graders(db: Path) -> set[str]:
    import sqlite3

    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        return {g for (g,) in conn.execute("SELECT DISTINCT grader FROM attempts")}


def graded_count(db: Path) -> int:
    try:
        return sum(attempts_per_student(db).values())
    except Exception:  # not created yet
        return 0


@pytest.fixture(scope="module")
def local(folder) -> list[tuple]:
    done = subprocess.run(
        grade_args("--workers", "1", "--db", "local.sqlite"),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = table(folder / "local.sqlite")
    assert len(rows) == 20 and all(r[3] for r in rows), rows
    return rows


def wait_until(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def test_a_dask_batch_grades_like_the_local_run(folder, local):
    cluster = start_dask(folder, 2)
    try:
        done = subprocess.run(
            grade_args("--dask", cluster.address, "--db", "dask.sqlite"),
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        cluster.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    assert table(folder / "dask.sqlite") == local
    assert attempts_per_student(folder / "dask.sqlite") == dict.fromkeys(STUDENTS, 1)


def test_a_worker_killed_mid_batch_loses_no_student_and_doubles_none(folder, local):
    cluster = start_dask(folder, 2)
    db = folder / "killed-one.sqlite"
    try:
        batch = subprocess.Popen(
            grade_args("--dask", cluster.address, "--db", db.name),
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: graded_count(db) >= 4, 300, "four students graded")
        cluster.kill_worker(0)
        _, err = batch.communicate(timeout=600)
    finally:
        cluster.stop()
    assert batch.returncode == 0, err[-3000:]
    assert attempts_per_student(db) == dict.fromkeys(STUDENTS, 1)  # each graded exactly once
    assert table(db) == local


def test_losing_every_worker_stops_with_a_message_and_the_batch_resumes(folder, local):
    cluster = start_dask(folder, 2)
    db = folder / "killed-all.sqlite"
    try:
        batch = subprocess.Popen(
            grade_args("--dask", cluster.address, "--db", db.name),
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: graded_count(db) >= 2, 300, "two students graded")
        cluster.kill_worker(0)
        cluster.kill_worker(1)
        killed = time.monotonic()
        _, err = batch.communicate(timeout=120)
        took = time.monotonic() - killed
        assert batch.returncode != 0 and took < 60, (batch.returncode, took)
        assert "no Dask worker left" in err and "run the same command again" in err, err[-2000:]
        assert "Traceback" not in err
        before = graded_count(db)
        assert 2 <= before < 20
        print(f"\nall workers killed: the command exited {took:.1f} s later, {before} of 20 stored")
    finally:
        cluster.stop()
    grader_then = graders(db)
    cluster = start_dask(folder, 2)  # workers back: the same command resumes
    try:
        done = subprocess.run(
            grade_args("--dask", cluster.address, "--db", db.name),
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        cluster.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    if graders(db) == grader_then:  # the grading code did not change in between (shared tree)
        assert f"{before} already in the gradebook" in done.stderr
    assert attempts_per_student(db) == dict.fromkeys(STUDENTS, 1)
    assert table(db) == local


def _session_members(sid: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == sid and fields[0] != "Z":  # session id, not a zombie
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError):
            continue
    return found


def test_a_killed_pool_batch_leaves_no_grading_process(folder):
    db = folder / "pool.sqlite"
    batch = subprocess.Popen(
        grade_args("--workers", "2", "--db", db.name, "--regrade"),
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: graded_count(db) >= 2, 300, "two students graded")
        assert len(_session_members(batch.pid)) >= 3  # the command and its two workers
        os.kill(batch.pid, signal.SIGKILL)
        batch.wait(timeout=20)
        time.sleep(10)
        assert _session_members(batch.pid) == []
    finally:
        try:
            os.killpg(batch.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
