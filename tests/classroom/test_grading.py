"""The instructor's grading in the browser, without the browser: a class's zip, the
gradebook's tables and figures, every export format."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from labs.logistics import LAB
from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.submission import write_plan
from workbench.classroom import grading
from workbench.classroom.assignments import student_case
from workbench.grading.exports import FORMATS


@pytest.fixture
def graded_class(course, tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in ("s01", "s02"):
            plan = write_plan(dispatcher(load_instance(student_case(LAB, student))),
                              tmp_path / f"{student}.json")
            zf.write(plan, f"downloads/{student}.json")  # one top folder: stepped into
        zf.writestr("downloads/x99.json", "{}")
    seen = []
    folder = grading.unpack_class_zip(archive, tmp_path / "unpacked")
    result = grading.grade_class(LAB, folder, progress=lambda d, n, s: seen.append((d, n, s)))
    return result, seen


def test_a_class_zip_is_graded_per_student_with_progress(graded_class):
    result, seen = graded_class
    assert [s for s, _ in result.graded] == ["s01", "s02"]
    assert result.unknown == ["x99.json"] and result.missing == ["s03"]
    assert seen == [(1, 2, "s01"), (2, 2, "s02")]
    assert all(r.valid and r.score >= 0 for _, r in result.graded)


@pytest.mark.parametrize("member", ["../evil.json", "/etc/evil.json"])
def test_a_zip_reaching_outside_is_refused(tmp_path, member):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, "{}")
    with pytest.raises(ValueError, match="bad.zip"):
        grading.unpack_class_zip(archive, tmp_path / "out")
    assert not (tmp_path / "evil.json").exists()


def test_gradebook_table_and_figures(graded_class):
    table = grading.gradebook_table(LAB)
    assert list(table["student"]) == ["s01", "s02", "s03"]  # s03: on the roster, no submission
    assert list(table["valid"])[2] is None
    assert {"Route duration", "Load factor", "Distance"} <= set(table.columns)
    assert grading.score_histogram(LAB).data and grading.criteria_figure(LAB).data


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_format_downloads(graded_class, fmt):
    name, content = grading.export_bytes(fmt, LAB)
    assert name.startswith("logistics-") and content
    if fmt == "gradescope":
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert {"s01/results.json", "s02/results.json"} <= set(names)
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert any("s02" in cell for row in rows for cell in row)


def test_an_unknown_export_format_is_named():
    with pytest.raises(ValueError, match="xlsx"):
        grading.export_bytes("xlsx", LAB)
