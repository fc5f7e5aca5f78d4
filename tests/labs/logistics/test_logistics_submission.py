"""Plan files: round trips and clear errors for unreadable files."""

from __future__ import annotations

import pytest

from labs.logistics.submission import Plan, read_plan, write_plan
from workbench.lab import SubmissionError

PLAN = Plan({"V01": (3, 17, 5), "V02": (8,)})


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_round_trip(tmp_path, suffix):
    assert read_plan(write_plan(PLAN, tmp_path / f"plan{suffix}")) == PLAN


def test_csv_rows_are_ordered_by_seq(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("vehicle,seq,customer\nV01,2,17\nV01,1,3\n\nV02,1,8\n", encoding="utf-8")
    assert read_plan(path) == Plan({"V01": (3, 17), "V02": (8,)})


def test_json_accepts_whole_numbers_written_as_text(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"routes": [{"vehicle": "V01", "stops": ["3", 17.0]}]}', encoding="utf-8")
    assert read_plan(path) == Plan({"V01": (3, 17)})


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("plan.json", '{"routes": [', "plan.json: not valid JSON"),
    ("plan.json", "[1, 2, 3]", 'expected an object with a "routes" list'),
    ("plan.json", '{"routes": [{"vehicle": "V01"}]}', 'routes[0]: each route needs "vehicle"'),
    ("plan.json", '{"routes": [{"vehicle": "V01", "stops": [1, "x"]}]}',
     "routes[0]: \"stops\" holds non-integer value(s) 'x'"),
    ("plan.json", '{"routes": [{"vehicle": "V01", "stops": [1]}, '
                  '{"vehicle": "V01", "stops": [2]}]}', "vehicle V01 appears twice"),
    ("plan.json", "", "the file is empty"),
    ("plan.csv", "vehicle,seq,customer\nV01,1,3\nV01,two,4\n",
     "plan.csv: row 3: field seq = 'two' is not a whole number"),
    ("plan.csv", "vehicle,seq,customer\nV01,1\n", "row 2: expected 3 fields"),
    ("plan.csv", "vehicle,seq,customer\nV01,1,3\nV01,1,4\n", "row 3: vehicle V01 has seq 1 twice"),
    ("plan.csv", "truck,order,stop\nV01,1,3\n", "row 1: the first row must be the header"),
    ("plan.txt", "V01: 3, 4", "unknown file type .txt"),
])
def test_unreadable_files_are_explained(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SubmissionError) as err:
        read_plan(path)
    assert expected in str(err.value)


def test_binary_and_missing_files(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(b"\x00\xff\xfe\x80")
    with pytest.raises(SubmissionError, match="not UTF-8"):
        read_plan(path)
    with pytest.raises(SubmissionError, match="nothere.json not found"):
        read_plan(tmp_path / "nothere.json")


def test_plan_file_names_its_case_and_another_case_gets_one_sentence(tmp_path):
    from labs.logistics import LAB
    from labs.logistics.kit import case_id, plan_json
    from workbench.grading.check import other_case

    mine = LAB.make_case(1, "tiny", out=tmp_path / "mine")
    other = LAB.make_case(2, "tiny", out=tmp_path / "other")
    path = plan_json(LAB.baseline(mine), tmp_path / "plan.json", case_id=case_id(mine.public))
    assert LAB.validate(mine, LAB.read_submission(path)) == []
    assert other_case(LAB, path, mine) is None
    sentence = other_case(LAB, path, other)
    assert mine.case_id in sentence and other.case_id in sentence
