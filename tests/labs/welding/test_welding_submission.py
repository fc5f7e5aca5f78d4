"""The submission file: round trip, and a specific message for every malformed part."""

from __future__ import annotations

import json

import pytest

from labs.welding import LAB
from labs.welding.simulate import Action
from labs.welding.submission import Submission, read_submission, write_submission
from workbench.lab import SubmissionError

GOOD = {"format": "welding-submission/1", "predictions": {"L1-240308-0000": 0.1},
        "diagnosis": {"line": "L2", "variable": "z7_pv", "shift": "N",
                      "confounder": "paste_lot"},
        "actions": [{"type": "interlock", "variable": "z7_pv", "line": "all", "shift": "all",
                     "min": 244, "max": None}]}


def _write(tmp_path, data, name="sub.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_round_trip(tmp_path):
    sub = Submission({"a": 0.25}, dict(GOOD["diagnosis"]),
                     (Action("interlock", "z7_pv", low=244.0),
                      Action("setpoint", "conv_cm_min", "L2", "N", value=75.0),
                      Action("repair", "z7", "L2"), Action("revert", "paste_lot", "L1")))
    assert read_submission(write_submission(sub, tmp_path / "s.json")) == sub


@pytest.mark.parametrize("change, message", [
    ({"predictions": [0.1]}, "'predictions' must be an object"),
    ({"predictions": {"x": 1.5}}, "not probabilities between 0 and 1 (first: x)"),
    ({"predictions": {"x": "high"}}, "not probabilities"),
    ({"diagnosis": "L2"}, "'diagnosis' must be an object"),
    ({"diagnosis": {"line": "L2"}}, "'variable' missing or not text"),
    ({"actions": {"type": "interlock"}}, "'actions' must be a list"),
    ({"actions": [{"type": "window", "variable": "z7_pv"}]}, "action type 'window' not understood"),
    ({"actions": [{"type": "interlock", "variable": "peak"}]},
     "interlock variable 'peak' not understood"),
    ({"actions": [{"type": "interlock", "variable": "z7_pv"}]}, "needs 'min', 'max' or both"),
    ({"actions": [{"type": "interlock", "variable": "z7_pv", "min": 250, "max": 240}]},
     "min 250 is above max 240"),
    ({"actions": [{"type": "interlock", "variable": "z7_pv", "min": "244"}]},
     "'min' must be a number or null"),
    ({"actions": [{"type": "interlock", "variable": "z7_pv", "min": 244, "line": "L9"}]},
     "line 'L9' not understood"),
    ({"actions": [{"type": "setpoint", "variable": "conv_cm_min", "value": 300}]},
     "outside what the oven can run (50–100)"),
    ({"actions": [{"type": "repair", "variable": "z9", "line": "L1"}]},
     "repair variable 'z9' not understood; name a zone"),
    ({"actions": [{"type": "revert", "variable": "operator"}]},
     "revert variable 'operator' not understood"),
    ({"format": "other/2"}, "format 'other/2' not understood"),
])
def test_malformed_parts_get_specific_messages(tmp_path, change, message):
    with pytest.raises(SubmissionError) as info:
        read_submission(_write(tmp_path, GOOD | change))
    assert message in str(info.value)
    assert "sub.json" in str(info.value)


@pytest.mark.parametrize("content, message", [
    ("", "not valid JSON at line 1, column 1"),
    ('{"predictions": {', "not valid JSON"),
    ("[1, 2, 3]", "must be a JSON object"),
])
def test_unreadable_files(tmp_path, content, message):
    with pytest.raises(SubmissionError, match=message):
        read_submission(_write(tmp_path, content))


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SubmissionError, match="not UTF-8"):
        read_submission(path)
    with pytest.raises(SubmissionError, match="nothere.json"):
        read_submission(tmp_path / "nothere.json")


def test_validate_names_missing_and_unknown_serials_and_budget(tiny_case, tiny_baseline):
    preds = dict(list(tiny_baseline.predictions.items())[5:]) | {"L9-000000-0000": 0.5}
    sub = Submission(preds, {"line": "L7", "variable": "z7_pv", "shift": "N",
                             "confounder": "none"},
                     (Action("interlock", "z7_pv", low=252.0),))
    problems = LAB.validate(tiny_case, sub)
    messages = [str(p) for p in problems]
    assert any(m.startswith("predictions: 5 of ") and "have no prediction" in m
               for m in messages)
    assert any("1 serials are not held-out boards" in m and "L9-000000-0000" in m
               for m in messages)
    assert any(m.startswith("actions: the actions hold") and "budget 10%" in m for m in messages)
    line = next(p for p in problems if p.where == "diagnosis.line")
    assert "'L7' not understood" in line.message and line.affects == ("diagnosis",)
