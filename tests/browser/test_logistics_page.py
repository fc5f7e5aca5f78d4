"""One real-browser walk through the home page and the logistics page (the framework's lab
page: numbered panels, upload and grade, the case it shows)."""

import json
from pathlib import Path

import pytest

from labs.logistics import LAB
from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.submission import write_plan
from workbench.datasets import default_case

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_files(tmp_path: Path) -> dict[str, Path]:
    inst = load_instance(default_case(LAB))
    good = write_plan(dispatcher(inst), tmp_path / "dispatcher_plan.json")
    bad = tmp_path / "broken_plan.csv"
    bad.write_text("vehicle,seq,customer\nV01,1,3\nV01,two,5\n", encoding="utf-8")
    other = tmp_path / "other_case_plan.json"
    other.write_text(json.dumps({**json.loads(good.read_text()), "case_id": "0123456789ab"}))
    return {"good": good, "bad": bad, "other": other}


def test_home_logistics_upload_optimise_and_chinese(ui, plan_files):
    ui.open("/")
    ui.text_in("#home-card-logistics", "Delivery scheduling")
    ui.screenshot("home")
    ui.element("#home-open-logistics").click()

    ui.element("#logistics-page")
    ui.element("#logistics-left-map .js-plotly-plot")
    ui.element("#logistics-right-map .js-plotly-plot")
    ui.text_in("#logistics-left-map", "Dispatcher (baseline)")

    ui.upload("logistics-upload", plan_files["good"])
    ui.text_in("#logistics-grade", "The submission is valid.")
    assert " / 100" in ui.element("#logistics-grade-score").text
    ui.click("#logistics-left-method option[value='upload']")
    ui.text_in("#logistics-left-map", "Your uploaded plan")
    ui.screenshot("logistics-uploaded")
    ui.text_in("#logistics-right-timeline", "Optimised (reference)")
    table = ui.text_in("#logistics-kpi-table", "Route duration (min)")
    assert "Your uploaded plan" in table and "Dispatcher (baseline)" in table
    ui.element("#logistics-kpi-chart .js-plotly-plot")
    ui.text_in("#logistics-claims", "Reference vs Time-aware nearest neighbour")
    ui.text_in("#logistics-trips", "Travel speed by hour of departure")
    ui.element("#logistics-handout-link")

    ui.upload("logistics-upload", plan_files["other"])
    case_id = default_case(LAB).case_id
    ui.text_in("#logistics-case-mismatch",
               f"This file is for case 0123456789ab; the page shows case {case_id}.")

    ui.upload("logistics-upload", plan_files["bad"])
    problems = ui.text_in("#logistics-grade", "not valid")
    assert "broken_plan.csv: row 3: field seq = 'two' is not a whole number" in problems

    ui.driver.execute_script("document.getElementById('shell-lang-zh').click()")
    ui.text_in("#shell-brand", "实训工作台")
    ui.text_in("#logistics-page", "上传并评分")
    ui.upload("logistics-upload", plan_files["bad"])
    ui.text_in("#logistics-grade", "提交无效")
    ui.element("#logistics-left-map .js-plotly-plot")

    # the background job sees the language cookie too
    ui.click("#logistics-optimise-iterations option[value='200']")
    ui.click("#logistics-optimise-btn")
    ui.text_in("#logistics-optimise-status", "优化方案已完成", timeout=90)
    assert ui.element("#logistics-optimise-btn").is_enabled()
    ui.click("#logistics-right-method option[value='optimised']")
    ui.text_in("#logistics-right-map", "你的优化运行")
    ui.screenshot("logistics-zh")

