"""Problems keep their English message for the gradebook and are shown in the reader's
language: from their template where they have one, recognised where only the sentence was
stored; the data they quote stays as it is."""

from __future__ import annotations

import json
import pickle

from workbench.i18n import language, missing_translations, problem_text, record, translate_message
from workbench.lab import Problem, SubmissionError

TEMPLATE = "field {field} = {value!r} is not a whole number"


def whole_number(where: str = "plan.csv: row 3") -> Problem:
    return Problem(TEMPLATE, "{where}", params={"field": "seq", "value": "x", "where": where})


def test_a_problem_from_a_template_stays_english_where_it_is_stored():
    p = whole_number()
    assert p.message == "field seq = 'x' is not a whole number"
    assert str(p) == "plan.csv: row 3: field seq = 'x' is not a whole number"
    assert p.template == TEMPLATE and p.where == "plan.csv: row 3"
    stored = json.loads(json.dumps(p.to_dict()))
    assert stored["message"] == p.message and stored["params"]["value"] == "x"
    again = Problem.from_dict(stored)
    assert again == p and str(again) == str(p) and again.template == TEMPLATE
    assert pickle.loads(pickle.dumps(p)).text() == p.text()  # the bounded reader's worker
    assert str(SubmissionError([p])) == str(p)


def test_a_problem_stored_before_templates_still_shows():
    old = {
        "message": "the file is empty; write your routes into it",
        "where": "plan.json",
        "affects": None,
    }
    p = Problem.from_dict(old)
    assert (
        p.to_dict() == old and str(p) == "plan.json: the file is empty; write your routes into it"
    )
    with language("zh"):
        assert p.text() == "plan.json：文件是空的；请把你的路线写进去"
    unknown = Problem.from_dict({"message": "an old sentence nobody translated", "where": ""})
    with language("zh"), record() as calls:
        assert unknown.text() == "an old sentence nobody translated"
    assert missing_translations([s for s, _ in calls]) == ["an old sentence nobody translated"]


def test_text_in_chinese_keeps_the_data():
    p = whole_number()
    with language("en"):
        assert p.text() == str(p)
    with language("zh"), record() as calls:
        shown = p.text()
    assert shown == "plan.csv：第 3 行：字段 seq = 'x' 不是整数"
    assert missing_translations([s for s, _ in calls]) == []


def test_a_stored_sentence_is_recognised_with_its_place():
    with language("zh"):
        assert translate_message(str(whole_number())) == problem_text(whole_number())
        # a leading field never swallows the place; a one-word place is a key of the file
        assert translate_message("diagnosis.line: 'L9' not understood; use one of L1, L2") == (
            "diagnosis.line：无法识别 'L9'；请使用以下之一：L1, L2"
        )
        assert translate_message("a.json: format: format 'x' not understood; use 'y/1'") == (
            "a.json：format：无法识别格式 'x'；请使用 'y/1'"
        )
        # data fields are never taken for words ("s" is also the unit "seconds")
        assert translate_message(
            "a.json: predictions: 1 predictions are not probabilities between 0 and 1 (first: s)"
        ).endswith("（前几个：s）")
        assert (
            translate_message(
                "Fresh case 2: vehicle V99: unknown vehicle V99; the fleet is V01–V04"
            )
            == "新案例 2：车辆 V99：未知车辆 V99；车队为 V01–V04"
        )


def test_numpy_parameters_are_stored_as_numbers():
    import numpy as np

    p = Problem(
        "capacity exceeded on vehicle {vehicle} by {excess:g}",
        "vehicle {vehicle}",
        params={"vehicle": "V01", "excess": np.float32(2.5)},
    )
    stored = json.loads(json.dumps(p.to_dict()))
    assert stored["params"]["excess"] == 2.5
    with language("zh"):
        assert Problem.from_dict(stored).text() == "车辆 V01：车辆 V01 超载 2.5"
    broken = Problem.from_dict({**stored, "params": {"vehicle": "V01", "excess": "2.5"}})
    with language("zh"):  # a value that lost its type: recognised from the English sentence
        assert broken.text() == "车辆 V01：车辆 V01 超载 2.5"
