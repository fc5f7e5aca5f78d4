"""The framework's lab page: one layout for every lab, the case it shows (built-in, loaded
from a zip, downloadable), the step report and the sentence for a file of another case."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import dash
import pytest

from labs.logistics import page as logistics_page
from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.submission import write_plan
from workbench.app import create_app, uploads
from workbench.app.labpage import public_zip, step_view
from workbench.app.textcheck import untranslated, visible_texts
from workbench.i18n import language
from workbench.registry import labs

PAGE = logistics_page.PAGE
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app():
    return create_app()


def data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def test_page_modules_are_small_and_one_app_per_process(app):
    for slug in labs():
        lines = (ROOT / "labs" / slug / "page.py").read_text(encoding="utf-8").count("\n")
        assert lines <= 250, f"labs/{slug}/page.py has {lines} lines"
    assert create_app() is app
    outputs = [d["output"] for d in app.server.test_client().get("/_dash-dependencies").get_json()]
    assert len(outputs) == len(set(outputs))
    for slug in labs():
        assert any(f"{slug}-grade.children" in o for o in outputs)


def test_every_lab_page_has_the_same_frame(app):
    for slug in labs():
        page = dash.page_registry[f"labs.{slug}.page"]
        with app.server.test_request_context(page["path"]):
            tree = json.dumps(page["layout"]().to_plotly_json(), cls=_Encoder)
        for part in ("-header", "-handout-link", "-case-download-btn", "-case-upload",
                     "-step-grade", "-upload", "-figures"):
            assert f'"{slug}{part}"' in tree, (slug, part)
        handout = dash.page_registry[f"labs.{slug}.handout"]
        with app.server.test_request_context(handout["path"]):
            assert untranslated(handout["layout"]) == ([], [])


class _Encoder(json.JSONEncoder):
    def default(self, o):
        return o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o)


def test_a_file_for_another_case_gets_one_sentence(tmp_path):
    case = PAGE.case_of("")
    plan = write_plan(dispatcher(load_instance(case)), tmp_path / "plan.json")
    data = json.loads(plan.read_text())
    data["case_id"] = "0123456789ab"
    token, path = uploads.save_upload(data_url(json.dumps(data).encode()), "plan.json")
    report, figures = PAGE.grade_view(token, "")
    assert list(visible_texts(report)) == [
        f"This file is for case 0123456789ab; the page shows case {case.case_id}."]
    assert figures is None  # not graded: a format error never uses up an attempt
    data["case_id"] = case.case_id
    token, _ = uploads.save_upload(data_url(json.dumps(data).encode()), "plan.json")
    shown = " ".join(visible_texts(PAGE.grade_view(token, "")[0]))
    assert "This file is for case" not in shown and "The submission is valid." in shown


def test_a_case_zip_is_loaded_public_only_and_downloaded_again():
    case = PAGE.case_of("")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for p in case.root.rglob("*"):
            if p.is_file():  # the instructor's copy, answer key included
                zf.write(p, Path("mycase") / p.relative_to(case.root))
    token = PAGE.store_case(data_url(buffer.getvalue()), "mycase.zip")
    loaded = PAGE.case_of(token)
    assert loaded.case_id == case.case_id and loaded.private is None  # the key is dropped
    with language("en"):
        assert PAGE.case_label(token, loaded).startswith("the case you loaded")
        assert "public files here" in " ".join(visible_texts(PAGE.grade_view(token, token)[0]
                                                               or []))  # nothing uploaded yet
    names = zipfile.ZipFile(io.BytesIO(public_zip(loaded))).namelist()
    assert "public/case.json" in names and not any("private" in n for n in names)
    with pytest.raises(ValueError, match="another lab"):
        other = io.BytesIO()
        with zipfile.ZipFile(other, "w") as zf:
            zf.writestr("public/case.json", json.dumps({"lab": "welding", "case_id": "x"}))
        PAGE.store_case(data_url(other.getvalue()), "other.zip")
    with pytest.raises(ValueError, match="holds no case"):
        PAGE.store_case(data_url(public_zip(loaded).replace(b"case.json", b"cake.json")),
                        "broken.zip")


def test_step_report_in_both_languages():
    steps = [{"id": "read", "title": "Read the case", "status": "passed", "points": 10,
              "max_points": 10, "results": [{"name": "rows", "passed": True,
                                             "message": "all rows read"}]},
             {"id": "plan", "title": "Plan", "status": "not_done", "points": 0,
              "max_points": 20, "message": "not done yet: plan raises NotImplementedError"}]
    literals, missing = untranslated(lambda: step_view(steps))
    assert literals == [] and missing == []
    with language("zh"):
        text = " ".join(visible_texts(step_view(steps)))
    assert "通过" in text and "尚未完成" in text and "10.0 / 10" not in text
    assert step_view([]).children is None


def test_the_course_case_is_shown_without_its_answer_key():
    from workbench.app.labpage import public_copy

    case = PAGE.case_of("")
    copy = public_copy(case)
    assert copy.case_id == case.case_id and copy.private is None
    assert sorted(p.name for p in copy.public.iterdir()) == sorted(
        p.name for p in case.public.iterdir())
    assert public_copy(case).root == copy.root  # copied once
    assert PAGE.case_of("course").root == PAGE.case_of("").root  # nobody signed in


def test_data_tables_read_as_people_read_them():
    import pandas as pd

    from workbench.app.labpage import data_table

    frame = pd.DataFrame({"account": ["1000"], "debit": [40951616.47],
                          "posted": pd.to_datetime(["2024-03-01"])})
    literals, missing = untranslated(lambda: data_table(frame))
    assert literals == [] and missing == []
    with language("zh"):
        table = data_table(frame)
    texts = list(visible_texts(table))
    assert "科目" in texts and "account" in texts  # the raw name in the tooltip
    shown = json.dumps(table.to_plotly_json(), cls=_Encoder)
    assert "40,951,616.47" in shown and "2024-03-01" in shown and "00:00" not in shown
