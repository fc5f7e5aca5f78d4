"""Acceptance 5 of issue 13: student ids with dots, ``@``, ``+`` and ids that differ only by a
suffix each get their own case and their own release, on disk, in the batch grader's matching
and in the student page's download (file names are never derived with ``Path.with_suffix``)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from framework.fakelab import FAKE

from workbench.assign import Course, assign
from workbench.classroom.course import ENV
from workbench.classroom.wire import find, payload
from workbench.grading.batch import find_submissions
from workbench.store import DB_ENV

IDS = ("s.1", "s", "alice.x", "alice", "alice.zip", "a@b.c", "a+b", "s.1.zip")


@pytest.fixture
def course(tmp_path, monkeypatch):
    root = tmp_path / "course"
    monkeypatch.setenv(ENV, str(root))
    monkeypatch.delenv(DB_ENV, raising=False)
    assign(FAKE, {s: {} for s in IDS}, root, size="tiny", hidden=0, progress=False)
    return Course(root)


def test_every_id_gets_its_own_case_and_release(course):
    data = course.assignment("fake")
    assert set(data["students"]) == set(IDS)
    case_ids = {data["students"][s]["case_id"] for s in IDS}
    assert len(case_ids) == len(IDS), "two students share a case"
    for student in IDS:
        assert (course.case_dir("fake", student) / "private").is_dir()
        zipped = course.release_zip("fake", student)
        assert zipped.is_file(), student
        names = zipfile.ZipFile(zipped).namelist()
        assert names and all(n.split("/")[0] == student for n in names), (student, names)
    # "alice" and "alice.zip": two zips, neither the other's folder
    assert course.release_zip("fake", "alice") != course.release_zip("fake", "alice.zip")
    assert not course.release_dir("fake", "alice.zip").is_file()


def test_rerunning_keeps_every_release(course):
    before = {s: course.release_zip("fake", s).read_bytes() for s in IDS}
    assign(FAKE, {s: {} for s in IDS}, course.root, size="tiny", hidden=0, progress=False)
    assert {s: course.release_zip("fake", s).read_bytes() for s in IDS} == before


def test_the_batch_matches_files_to_the_right_student(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("s.1.json", "s.json", "alice.x.csv", "alice.zip.json", "alice.json",
                 "a@b.c.json", "a+b.json"):
        (folder / name).write_text("{}", encoding="utf-8")
    found, unknown = find_submissions(folder, IDS)
    assert {s: p.name for s, p in found.items()} == {
        "s.1": "s.1.json", "s": "s.json", "alice.x": "alice.x.csv",
        "alice.zip": "alice.zip.json", "alice": "alice.json", "a@b.c": "a@b.c.json",
        "a+b": "a+b.json"}
    assert unknown == []


@pytest.mark.parametrize("student", ["s.1", "alice", "alice.zip", "a@b.c"])
def test_a_student_downloads_their_own_release(course, student):
    from workbench.app import create_app
    from workbench.classroom import Settings, class_code
    from workbench.classroom.assignments import save_settings

    save_settings(Settings("fake", datetime.now(UTC) + timedelta(days=1), 3, ("error",)),
                  course)
    client = create_app().server.test_client()
    answer = client.post("/auth/login", data={"kind": "student", "code": class_code(),
                                              "student": student})
    assert answer.headers["Location"] == "/student"
    deps = client.get("/_dash-dependencies").get_json()
    response = client.post("/_dash-update-component", json=payload(
        find(deps, "student-download"), {"student-download-btn.n_clicks": 1,
                                         "student-lab.value": "fake"}))
    content = json.loads(response.data)["response"]["student-download"]["data"]
    assert content["filename"] == f"fake-{student}.zip"
    got = base64.b64decode(content["content"])
    assert got == course.release_zip("fake", student).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(got)).namelist()
    assert all(n.split("/")[0] == student for n in names)
