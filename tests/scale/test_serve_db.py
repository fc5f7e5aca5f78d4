"""One course, one database, for the CLI and the served app alike: `assign` + `user add` +
`serve --course [--db URL]` as real processes, then a student signs in in Chromium, sees the
assignment, uploads and is graded, and the instructor sees the grade; on SQLite and on
PostgreSQL. Then two serving processes sharing PostgreSQL and Redis (Celery) grade an upload
through each."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser.conftest import Ui, browser  # noqa: F401  (tests/browser's fixture, here too)
from services import free_port, wait_for_port

from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.submission import write_plan
from workbench.lab import Case
from workbench.store import Gradebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKBENCH = str(Path(sys.executable).with_name("workbench"))
PASSWORD = "a long instructor password"
STUDENTS = ("s01", "s02", "s03")


def run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([WORKBENCH, *args], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stderr + done.stdout


def make_course(tmp_path: Path, env: dict[str, str], db: str | None) -> Path:
    """The documented way, with the CLI only: assign, then an instructor account."""
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                ["student_id", "name", "email"],
                *([s, f"Student {s}", f"{s}@school.edu"] for s in STUDENTS),
            ]
        )
    course = tmp_path / "course"
    extra = ["--db", db] if db else []
    run(
        "assign",
        "logistics",
        "--roster",
        str(roster),
        "--out",
        str(course),
        "--size",
        "tiny",
        "--hidden",
        "0",
        "--daily-limit",
        "3",
        *extra,
        env=env,
    )
    run("user", *extra, "add", "teacher", "--course", str(course), "--password", PASSWORD, env=env)
    return course


@contextmanager
def serving(course: Path, env: dict[str, str], *extra: str) -> Iterator[str]:
    port = free_port()
    log = (course.parent / f"serve-{port}.log").open("w")
    proc = subprocess.Popen(
        [
            WORKBENCH,
            "serve",
            "--course",
            str(course),
            "--port",
            str(port),
            "--threads",
            "4",
            *extra,
        ],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        wait_for_port(port, 120, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def type_into(ui: Ui, css: str, text: str) -> None:
    field = ui.element(css)
    field.clear()
    field.send_keys(text)


def plan_for(course: Path, student: str, out: Path) -> Path:
    case = Case.load(course / "instructor" / "logistics" / "cases" / student, "logistics")
    return write_plan(dispatcher(load_instance(case)), out)


def class_code_of(course: Path, env: dict[str, str]) -> str:
    code = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from workbench.assign "
            "import Course; from workbench.classroom.course import class_code; "
            "print(class_code(Course(pathlib.Path(sys.argv[1]))))",
            str(course),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert code.returncode == 0, code.stderr
    return code.stdout.strip()


def student_uploads(ui: Ui, course: Path, code: str, student: str, tmp_path: Path) -> str:
    """Sign in as ``student``, see the assignment, upload a valid plan; return the score."""
    ui.open("/student")
    type_into(ui, "#student-code", code)
    type_into(ui, "#student-id", student)
    ui.element("#student-signin-btn").click()
    ui.element("#student-lab option[value='logistics']")  # the assignment made by the CLI
    ui.element("#student-lab option[value='logistics']").click()
    ui.text_in("#student-status", "attempts left today")
    ui.upload("student-upload", plan_for(course, student, tmp_path / f"{student}-plan.json"))
    try:
        ui.text_in("#student-grade", "The submission is valid.", timeout=120)
    except Exception:
        logs = "".join(p.read_text()[-3000:] for p in course.parent.glob("serve-*.log"))
        raise AssertionError(f"no grade shown: {ui.element('body').text[-1500:]}\n{logs}") from None
    return ui.element("#student-grade-score").text


def instructor_sees(ui: Ui, students: tuple[str, ...]) -> str:
    ui.open("/instructor")
    type_into(ui, "#instructor-username", "teacher")
    type_into(ui, "#instructor-password", PASSWORD)
    ui.element("#instructor-signin-btn").click()
    ui.text_in("#instructor-class-code", "Class code for students")
    ui.text_in("#instructor-assignments", "Delivery scheduling")
    ui.click_text("#instructor-tabs .nav-link", "Gradebook")  # the course's one lab is chosen
    table = ""
    for student in students:
        table = ui.text_in("#instructor-gradebook", student)
    return table


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_cli_course_served_from_its_database(backend, request, browser, tmp_path):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    db = request.getfixturevalue("postgres").database() if backend == "postgresql" else None
    course = make_course(tmp_path, env, db)
    if db:
        assert not (course / "gradebook.sqlite").exists()  # everything went to PostgreSQL
    code = class_code_of(course, env)
    with serving(course, env, *(["--db", db] if db else [])) as base:
        ui = Ui(browser, base, tmp_path / "shots")
        score = student_uploads(ui, course, code, "s01", tmp_path)
        assert score.endswith("/ 50") or "/" in score
        ui.open("/")  # sign out by dropping the cookie
        browser.delete_all_cookies()
        table = instructor_sees(ui, ("s01",))
        assert "s01" in table
    with Gradebook(db or course / "gradebook.sqlite") as book:
        grades = dict(book.counting("logistics"))
        assert set(grades) == set(STUDENTS)
        assert grades["s01"] is not None and grades["s01"].report.valid
        assert grades["s02"] is None and grades["s03"] is None  # no submission, still listed
        assert [a.source for a in book.attempts("logistics", "s01")] == ["browser"]


def test_two_serving_processes_share_postgresql_and_redis(
    postgres,
    redis_url,
    browser,  # noqa: F811
    tmp_path,
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    db = postgres.database()
    course = make_course(tmp_path, env, db)
    code = class_code_of(course, env)
    jobs_env = {
        **env,
        "WORKBENCH_JOBS": redis_url,
        "WORKBENCH_DB": db,
        "WORKBENCH_COURSE": str(course),
    }
    log = (tmp_path / "serve-celery.log").open("w")  # shown with the servers' logs on failure
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "workbench.app.worker",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
        ],
        env=jobs_env,
        cwd=tmp_path,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        with (
            serving(course, env, "--db", db, "--jobs", redis_url) as one,
            serving(course, env, "--db", db, "--jobs", redis_url) as two,
        ):
            for base, student in ((one, "s01"), (two, "s02")):
                browser.delete_all_cookies()
                ui = Ui(browser, base, tmp_path / "shots")
                assert "/" in student_uploads(ui, course, code, student, tmp_path)
            browser.delete_all_cookies()
            table = instructor_sees(Ui(browser, one, tmp_path / "shots"), ("s01", "s02"))
            assert "s01" in table and "s02" in table
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    with Gradebook(db) as book:
        graded = {s for s, g in book.counting("logistics") if g is not None}
    assert graded == {"s01", "s02"}
