"""Real-browser walks: the instructor runs the course, a student works in it, and neither a
student nor an anonymous visitor reaches instructor data."""

from __future__ import annotations

import csv
import time
import zipfile
from pathlib import Path

import pytest

from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.submission import write_plan
from workbench.lab import Case

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


def plan_for(course: Path, student: str, out: Path) -> Path:
    case = Case.load(course / "instructor" / "logistics" / "cases" / student, "logistics")
    return write_plan(dispatcher(load_instance(case)), out)


def type_into(ui, css: str, text: str) -> None:
    field = ui.element(css)
    field.clear()
    field.send_keys(text)


def sign_in_instructor(ui) -> None:
    ui.open("/instructor")
    type_into(ui, "#instructor-username", "teacher")
    type_into(ui, "#instructor-password", PASSWORD)
    ui.element("#instructor-signin-btn").click()
    ui.text_in("#instructor-class-code", "Class code for students")


def test_instructor_creates_grades_and_exports(course_ui, course_server, tmp_path):
    ui, (_, course) = course_ui, course_server
    ui.open("/instructor")
    type_into(ui, "#instructor-username", "teacher")
    type_into(ui, "#instructor-password", "wrong password")
    ui.element("#instructor-signin-btn").click()
    ui.element("#instructor-signin-failed")
    sign_in_instructor(ui)

    # a new assignment: the roster grows by s04 (same lab, same size: nothing handed out changes)
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["student_id", "name"], ["s01", "A"], ["s02", "B"],
                                 ["s03", "C"], ["s04", "D"]])
    ui.element("#instructor-new-lab option[value='logistics']").click()
    ui.element("#instructor-new-size option[value='tiny']").click()
    ui.upload("instructor-roster", roster)
    ui.element("#instructor-create-btn").click()
    ui.text_in("#instructor-create-status", "4 students", timeout=120)
    ui.text_in("#instructor-assignments", "Delivery scheduling")

    # a class's zip: three students, one stranger
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in ("s01", "s02", "s04"):
            zf.write(plan_for(course, student, tmp_path / f"{student}.json"), f"{student}.json")
        zf.writestr("x99.json", "{}")
    ui.click_text("#instructor-tabs .nav-link", "Grade submissions")
    ui.element("#instructor-lab option[value='logistics']").click()
    ui.upload("instructor-class-upload", archive)
    status = _graded_status(ui)
    assert "Graded 3 students" in status and "x99.json" in status
    ui.screenshot("instructor-graded")

    ui.click_text("#instructor-tabs .nav-link", "Gradebook")
    table = ui.text_in("#instructor-gradebook", "s04")
    assert "Route duration" in table
    ui.element("#instructor-histogram .js-plotly-plot")
    ui.element("#instructor-criteria .js-plotly-plot")
    ui.element("#instructor-student option[value='s02']").click()
    ui.text_in("#instructor-drilldown", "What the student sees now")
    seen = float(ui.element("#instructor-seen-score").text.split(" / ")[1])
    assert 0 < seen < 100  # the public criteria only
    assert "/ 100" in ui.element("#instructor-full-score").text
    ui.screenshot("instructor-gradebook")

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    ui.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                              {"behavior": "allow", "downloadPath": str(downloads)})
    ui.element("#instructor-export-canvas").click()
    exported = wait_for_file(downloads / "logistics-canvas.csv")
    text = exported.read_text(encoding="utf-8-sig")
    assert "Points Possible" in text and "s04" in text


def test_student_uploads_and_cannot_reach_instructor_data(course_ui, course_server, tmp_path):
    ui, (base, course) = course_ui, course_server
    ui.open("/student")
    code = class_code_of(course)
    type_into(ui, "#student-code", code)
    type_into(ui, "#student-id", "s01")
    ui.element("#student-signin-btn").click()
    ui.element("#student-lab option[value='logistics']").click()
    before = attempts_left(ui.text_in("#student-status", "attempts left today"))
    ui.upload("student-upload", plan_for(course, "s01", tmp_path / "my_plan.json"))
    ui.text_in("#student-grade", "The submission is valid.")
    shown, out_of = ui.element("#student-grade-score").text.split(" / ")
    assert 0 < float(out_of) < 100, "before the due date: out of the public criteria only"
    board = ui.text_in("#student-leaderboard", "(you)")
    assert "s02" not in board and "s01" not in board.replace("(you)", "")
    ui.wait(lambda d: attempts_left(ui.element("#student-status").text) == before - 1,
            message="the attempts left today did not go down by one")
    ui.screenshot("student")

    # the student opens the instructor area: a sign-in form, nothing else
    ui.open("/instructor")
    ui.element("#instructor-signin-form")
    assert "Class code for students" not in ui.driver.page_source
    # and posts an instructor callback with the student's session cookie: nothing comes back
    import requests

    from workbench.classroom.wire import find, payload

    cookies = {c["name"]: c["value"] for c in ui.driver.get_cookies()}
    deps = requests.get(f"{base}/_dash-dependencies", timeout=30).json()
    body = payload(find(deps, "instructor-gradebook"), {"instructor-lab.value": "logistics"})
    for jar in (cookies, {}):
        response = requests.post(f"{base}/_dash-update-component", json=body, cookies=jar,
                                 timeout=30)
        assert response.status_code == 204 and "s02" not in response.text


def attempts_left(status: str) -> int:
    import re

    return int(re.search(r"(\d+) of \d+ attempts left", status).group(1))


def class_code_of(course: Path) -> str:
    import os

    from workbench.assign import Course
    from workbench.classroom.course import class_code

    assert os.environ.get("WORKBENCH_COURSE") == str(course)
    return class_code(Course(course))


def wait_for_file(path: Path, timeout: float = 30) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.is_file() and path.stat().st_size:
            return path
        time.sleep(0.2)
    raise AssertionError(f"{path} was not downloaded; found {list(path.parent.iterdir())}")


def _graded_status(ui) -> str:
    """The class's grading job's status; when it never comes, what the job places held (the
    app runs in this process): a job still waiting for a place says so."""
    from selenium.common.exceptions import TimeoutException

    try:
        return ui.text_in("#instructor-grade-status", "Graded", timeout=240)
    except TimeoutException:
        from workbench.app.jobs import limited_manager

        shown = ui.element("#instructor-grade-status").text
        raise AssertionError(f"no grade after 240 s; the page shows {shown!r}; job places: "
                             f"{limited_manager().places.read()}") from None
