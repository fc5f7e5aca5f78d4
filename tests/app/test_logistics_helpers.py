"""The pure helpers behind the logistics page, on a tiny case (no browser)."""

import base64
import math

import dash_bootstrap_components as dbc
import pytest

from labs.logistics import LAB
from labs.logistics import compare as helpers
from labs.logistics.baseline import dispatcher
from labs.logistics.evaluate import validate
from labs.logistics.instance import load_instance
from labs.logistics.submission import Plan, read_plan, write_plan
from workbench.app import uploads
from workbench.app.components import claim_value, grade_token, grade_view
from workbench.app.textcheck import untranslated


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    case = LAB.make_case(5, "tiny", out=tmp_path_factory.mktemp("case") / "tiny")
    return case, load_instance(case)


def data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def stored_plan(plan: Plan, name: str = "plan.json") -> str:
    token, folder = uploads.new_folder()
    write_plan(plan, folder / name)
    return token


def test_builtin_plans_are_all_valid(tiny):
    case, inst = tiny
    plans = helpers.builtin_plans(case, inst)
    assert list(plans) == list(helpers.BUILTIN)
    for key, plan in plans.items():
        assert validate(inst, plan) == [], key


def test_plan_in_reads_only_live_tokens_with_readable_plans(tiny):
    _, inst = tiny
    plan = dispatcher(inst)
    assert helpers.plan_in(stored_plan(plan)).routes == plan.routes
    assert helpers.plan_in("not-a-token") is None
    assert helpers.plan_in(None) is None
    token, folder = uploads.new_folder()
    (folder / "plan.json").write_text("{broken", encoding="utf-8")
    assert helpers.plan_in(token) is None


def test_available_plans_and_options_follow_the_tokens(tiny):
    case, inst = tiny
    builtins = helpers.builtin_plans(case, inst)
    assert helpers.available_plans(builtins, None, None).keys() == builtins.keys()
    plans = helpers.available_plans(builtins, stored_plan(dispatcher(inst)),
                                 stored_plan(builtins["reference"]))
    assert set(plans) == set(helpers.METHODS)
    options = helpers.method_options({"upload": plans["upload"], "dispatcher": builtins["dispatcher"]})
    assert [o["value"] for o in options] == ["dispatcher", "upload"]
    assert options[1]["label"] == "Your uploaded plan"


def test_metrics_table_has_every_metric_and_method(tiny):
    case, inst = tiny
    plans = helpers.builtin_plans(case, inst)
    metrics = helpers.valid_metrics(inst, plans)
    metrics["broken"] = {}
    helpers.METHODS["broken"] = "Broken"
    try:
        table = helpers.metrics_table(metrics)
    finally:
        del helpers.METHODS["broken"]
    assert len(table) == len(LAB.metrics)
    assert list(table.columns) == ["Metric", "Dispatcher (baseline)",
                                   "Time-aware nearest neighbour", "Naive nearest neighbour",
                                   "Optimised (reference)", "Broken"]
    assert table.loc[0, "Metric"] == "Route duration (min)"
    assert set(table["Broken"]) == {"—"}
    assert float(table.loc[0, "Dispatcher (baseline)"].replace(",", "")) == pytest.approx(
        metrics["dispatcher"]["route_duration"], abs=0.06)


def test_valid_metrics_leaves_out_an_infeasible_plan(tiny):
    _, inst = tiny
    good = dispatcher(inst)
    first = next(iter(good.used()))
    missing = Plan({v: (r[1:] if v == first else r) for v, r in good.routes.items()})
    assert set(helpers.valid_metrics(inst, {"a": good, "b": missing})) == {"a"}


def upload(data: bytes, name: str, case):
    token, _ = uploads.save_upload(data_url(data), name)
    return token, grade_token(LAB, case, token)


def test_an_upload_is_graded_from_its_stored_bytes(tiny, tmp_path):
    case, inst = tiny
    path = write_plan(dispatcher(inst), tmp_path / "mine.json")
    token, report = upload(path.read_bytes(), "mine.json", case)
    assert report.valid and report.problems == [] and report.max_score == 100
    # the dispatcher's own plan is the baseline: no points for route duration
    duration = next(c for c in report.criteria if c.name == "route_duration")
    assert duration.points == 0 and math.isfinite(report.score)
    assert read_plan(next(uploads.folder_of(token).iterdir())).routes == dispatcher(inst).routes


def test_a_broken_upload_lists_its_problems(tiny):
    case, _ = tiny
    csv = b"vehicle,seq,customer\nV01,1,3\nV01,two,5\n"
    _, report = upload(csv, "broken.csv", case)
    assert not report.valid and report.score == 0
    assert any("broken.csv: row 3" in p and "seq" in p for p in report.problems)
    assert grade_token(LAB, case, "f" * 32) is None
    assert grade_token(LAB, case, None) is None


def test_grade_view_translates_everything_but_the_graders_sentences(tiny):
    case, _ = tiny
    _, report = upload(b"[1, 2, 3]", "list.json", case)
    literals, missing = untranslated(lambda: grade_view(report, "logistics-grade"))
    assert missing == []
    assert set(literals) <= {c.message for c in report.criteria} | set(report.problems)


@pytest.mark.parametrize("value, expected", [
    ("200", 200), (1000, 1000), ("10000", 10000), ("7", helpers.DEFAULT_ITERATIONS),
    (None, helpers.DEFAULT_ITERATIONS), ("lots", helpers.DEFAULT_ITERATIONS),
    ("1e9", helpers.DEFAULT_ITERATIONS),
])
def test_iterations_from(value, expected):
    assert helpers.iterations_from(value) == expected


def test_run_optimisation_reports_progress_and_stores_a_valid_plan(tiny):
    _, inst = tiny
    seen = []
    token, plan = helpers.run_optimisation(inst, lambda f, m: seen.append(f), iterations=50)
    assert validate(inst, plan) == []
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
    stored = uploads.folder_of(token) / helpers.OPTIMISED_FILE
    assert read_plan(stored).routes == plan.routes
    assert helpers.plan_in(token).routes == plan.routes


def test_claims_table_measures_each_claim_against_both_baselines(tiny):
    case, inst = tiny
    metrics = helpers.valid_metrics(inst, helpers.builtin_plans(case, inst))
    table = helpers.claims_table(metrics)
    assert list(table.columns) == ["Claim", "Claimed", "Reference vs Dispatcher (baseline)",
                                   "Reference vs Time-aware nearest neighbour"]
    assert list(table["Claimed"]) == [claim.claimed for claim in LAB.claims]
    for row, claim in zip(table.itertuples(index=False), LAB.claims, strict=True):
        value = claim.measure(metrics["dispatcher"], metrics["reference"])
        verdict = "(holds)" if claim.holds(value) else "(does not hold)"
        assert row[2] == f"{100 * value:+.1f} % {verdict}".replace("-", "−")
    _, missing = untranslated(lambda: dbc.Table.from_dataframe(table))
    assert missing == []


@pytest.mark.parametrize("value, shown", [
    (-0.25, "−25.0 % (holds)"), (-0.1, "−10.0 % (does not hold)"), (math.nan, "—"),
])
def test_claim_value(value, shown):
    claim = next(c for c in LAB.claims if c.name == "delivery_time")
    assert claim_value(claim, value) == shown
