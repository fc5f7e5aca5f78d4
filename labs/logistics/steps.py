"""The logistics exercise: four steps the student writes, each checked in public and hidden.

1. ``speeds`` — learn the city's speed for each hour of departure from ``trips.csv``.
2. ``dispatch`` — a feasible construction heuristic: plan the day as a dispatcher would.
3. ``optimise`` — model the day in PyVRP (the student builds the problem data) and solve it.
4. ``compare`` — both readings of delivery time, vehicle use and punctuality in traffic for
   the two plans, and the relative change (the case study's claim on one's own case).

Public checks need only the student's public folder; hidden checks get the case with its key
(the real congestion profile) and compare with the control class (``baseline.dispatcher``),
which runs here, in the trusted grader, never in the sandbox. Steps earn 50 points, the
outcome (the plan handed in by ``solve``) 50.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from labs.logistics.baseline import dispatcher
from labs.logistics.generate import real_speeds
from labs.logistics.kit.evaluate import evaluate, validate
from labs.logistics.kit.instance import Instance, load_instance
from labs.logistics.kit.plan import Plan
from labs.logistics.kit.replay import replay_metrics
from workbench.exercise import Check, CheckContext, CheckResult, Step

OUTCOME_POINTS = 50.0
DAY_HOURS = range(8, 18)  # departures inside the shift
SPEED_TOLERANCE = 0.06  # mean relative error of learned speeds accepted against the truth
HEURISTIC_SLACK = 1.15  # a heuristic's route duration within 15 % of the dispatcher's
OPTIMISED_SLACK = 1.05  # an optimised plan within 5 % of the reference optimiser's duration
COMPARE_COLUMNS = (
    "route_duration",
    "mean_time_to_serve",
    "distance",
    "vehicles_used",
    "load_factor",
    "on_time_in_traffic",
)
COMPARE_ROWS = ("dispatcher", "optimised", "change")
MAX_ROUTE_ITEMS = 100_000  # a plan value larger than this is not read


# --------------------------------------------------------------------------- helpers


def _instance(ctx: CheckContext, *, hidden: bool = False) -> Instance:
    return load_instance(ctx.case) if hidden else load_instance(ctx.public)


def as_plan(value: Any) -> Plan | str:
    """A plan from a step's JSON value ``{"V01": [3, 17], ...}``, or a sentence saying why
    not."""
    if not isinstance(value, dict) or not value:
        return (
            "return the plan as a dict of vehicle → list of customer ids, e.g. "
            '{"V01": [3, 17, 5], "V02": [8]}'
        )
    routes: dict[str, tuple[int, ...]] = {}
    items = 0
    for vehicle, stops in value.items():
        if not isinstance(stops, list):
            return f"vehicle {vehicle}: the stops must be a list of customer ids"
        items += len(stops)
        if items > MAX_ROUTE_ITEMS:
            return "the plan lists far more stops than the case has customers"
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in stops):
            return f"vehicle {vehicle}: every stop must be a whole-number customer id"
        routes[str(vehicle)] = tuple(stops)
    return Plan(routes)


def _problems_sentence(problems: list) -> str:
    shown = "; ".join(str(p) for p in problems[:3])
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return f"the plan is not feasible: {shown}{more}"


def _feasible(value: Any, inst: Instance) -> tuple[Plan | None, str]:
    plan = as_plan(value)
    if isinstance(plan, str):
        return None, plan
    problems = validate(inst, plan)
    return (None, _problems_sentence(problems)) if problems else (plan, "")


def _speed_values(value: Any) -> dict[int, float] | str:
    if not isinstance(value, dict):
        return "return a dict of hour → km per minute, e.g. {8: 0.31, 9: 0.42, ...}"
    speeds = {}
    for hour, speed in value.items():
        try:
            h = int(hour)
        except (TypeError, ValueError):
            return f"{hour!r} is not an hour (0–23)"
        if (
            isinstance(speed, bool)
            or not isinstance(speed, int | float)
            or not (math.isfinite(speed) and speed > 0)
        ):
            return f"hour {h}: the speed {speed!r} is not a positive number"
        speeds[h] = float(speed)
    missing = [h for h in DAY_HOURS if h not in speeds]
    return f"no speed for the hour(s) {missing}" if missing else speeds


# --------------------------------------------------------------------------- step 1


def _speeds_complete(value: Any, ctx: CheckContext) -> bool | str:
    speeds = _speed_values(value)
    return speeds if isinstance(speeds, str) else True


def _speeds_plausible(value: Any, ctx: CheckContext) -> bool | str:
    speeds = _speed_values(value)
    if isinstance(speeds, str):
        return speeds
    planning = load_instance(ctx.public).speed_km_per_min
    odd = [h for h in DAY_HOURS if not planning / 3 <= speeds[h] <= planning * 3]
    return (
        True
        if not odd
        else (
            f"the speeds for hour(s) {odd} are far from the planning speed {planning} km/min; "
            "speed = distance_km / observed_minutes"
        )
    )


def _speeds_close(value: Any, ctx: CheckContext) -> CheckResult:
    speeds = _speed_values(value)
    if isinstance(speeds, str):
        return CheckResult("close", False, speeds)
    profile = json.loads((ctx.case.private / "generator.json").read_text(encoding="utf-8"))
    truth = real_speeds(profile["congestion"])
    error = float(np.mean([abs(speeds[h] / truth[h] - 1) for h in DAY_HOURS]))
    ok = error <= SPEED_TOLERANCE
    return CheckResult(
        "close",
        ok,
        f"your hourly speeds are {error:.1%} off the city's real "
        f"speeds on average ({'within' if ok else 'more than'} "
        f"{SPEED_TOLERANCE:.0%})",
    )


# --------------------------------------------------------------------------- steps 2 and 3


def _plan_feasible(value: Any, ctx: CheckContext) -> bool | str:
    plan, why = _feasible(value, _instance(ctx))
    return True if plan is not None else why


def _few_vans(value: Any, ctx: CheckContext) -> bool | str:
    inst = _instance(ctx)
    plan, why = _feasible(value, inst)
    if plan is None:
        return why
    needed = math.ceil(inst.customers["demand"].sum() / inst.capacity)
    used = len(plan.used())
    return (
        True
        if used <= needed + 2
        else (
            f"{used} vans; the parcels fill {needed}, so a dispatcher would use at most "
            f"{needed + 2}"
        )
    )


def _beats_own_heuristic(value: Any, ctx: CheckContext) -> bool | str:
    inst = _instance(ctx)
    plan, why = _feasible(value, inst)
    if plan is None:
        return why
    own, _ = _feasible(ctx.outputs.get("dispatch"), inst)
    if own is None:
        return "step dispatch has no feasible plan to compare with"
    mine, theirs = evaluate(inst, plan), evaluate(inst, own)
    if mine["vehicles_used"] > theirs["vehicles_used"]:
        return (
            f"{mine['vehicles_used']:.0f} vans, your heuristic needs only "
            f"{theirs['vehicles_used']:.0f}: give each van a fixed cost"
        )
    if mine["route_duration"] > theirs["route_duration"]:
        return (
            f"route duration {mine['route_duration']:.0f} min is longer than your "
            f"heuristic's {theirs['route_duration']:.0f} min"
        )
    return True


def _against(
    value: Any, ctx: CheckContext, name: str, factor: float, other: Plan, who: str
) -> CheckResult:
    inst = _instance(ctx, hidden=True)
    plan, why = _feasible(value, inst)
    if plan is None:
        return CheckResult(name, False, why)
    mine, theirs = evaluate(inst, plan), evaluate(inst, other)
    limit = factor * theirs["route_duration"]
    vans = theirs["vehicles_used"] + (2 if factor > OPTIMISED_SLACK else 0)
    ok = mine["route_duration"] <= limit + 1e-6 and mine["vehicles_used"] <= vans
    return CheckResult(
        name,
        ok,
        f"route duration {mine['route_duration']:.0f} min with "
        f"{mine['vehicles_used']:.0f} vans; the {who}'s "
        f"{theirs['route_duration']:.0f} min with "
        f"{theirs['vehicles_used']:.0f} (needed: at most {limit:.0f} min and "
        f"{vans:.0f} vans)",
    )


def _heuristic_competent(value: Any, ctx: CheckContext) -> CheckResult:
    other = dispatcher(_instance(ctx, hidden=True))
    return _against(value, ctx, "competent", HEURISTIC_SLACK, other, "dispatcher")


def _optimised_close(value: Any, ctx: CheckContext) -> CheckResult:
    from labs.logistics import LAB  # the lab's reference plan, cached per case

    return _against(
        value, ctx, "optimised", OPTIMISED_SLACK, LAB.reference(ctx.case), "reference optimiser"
    )


# --------------------------------------------------------------------------- step 4


def _table(value: Any) -> pd.DataFrame | str:
    if not isinstance(value, pd.DataFrame):
        return f"return a table (pandas DataFrame), not {type(value).__name__}"
    frame = value.set_index("plan") if "plan" in value.columns else value
    frame = frame.rename(index=str)
    missing_rows = [r for r in COMPARE_ROWS if r not in frame.index]
    missing_cols = [c for c in COMPARE_COLUMNS if c not in frame.columns]
    if missing_rows or missing_cols:
        return (
            f"the table needs rows {list(COMPARE_ROWS)} (in a column 'plan') and "
            f"columns {list(COMPARE_COLUMNS)}; missing: {missing_rows + missing_cols}"
        )
    return frame


def _expected(
    inst: Instance,
    plans: dict[str, Plan],
    speeds: dict[int, float],
) -> pd.DataFrame:
    hourly = pd.Series(speeds, dtype=float)
    rows = {}
    for name, plan in plans.items():
        m = evaluate(inst, plan)
        m["on_time_in_traffic"] = replay_metrics(inst, plan, hourly)["replay_on_time_rate"]
        rows[name] = {c: m[c] for c in COMPARE_COLUMNS}
    table = pd.DataFrame(rows).T
    table.loc["change"] = (table.loc["optimised"] - table.loc["dispatcher"]) / table.loc[
        "dispatcher"
    ]
    return table


def _compare_matches(value: Any, ctx: CheckContext, inst: Instance, name: str) -> CheckResult:
    frame = _table(value)
    if isinstance(frame, str):
        return CheckResult(name, False, frame)
    plans = {}
    for row, step in (("dispatcher", "dispatch"), ("optimised", "optimise")):
        plan, why = _feasible(ctx.outputs.get(step), inst)
        if plan is None:
            return CheckResult(name, False, f"step {step}: {why}")
        plans[row] = plan
    speeds = _speed_values(ctx.outputs.get("speeds"))
    if isinstance(speeds, str):
        return CheckResult(name, False, f"step speeds: {speeds}")
    want = _expected(inst, plans, speeds)
    wrong = []
    for row in COMPARE_ROWS:
        for col in COMPARE_COLUMNS:
            got = pd.to_numeric(pd.Series([frame.loc[row, col]]), errors="coerce").iloc[0]
            expected = want.loc[row, col]
            if not (math.isfinite(got) and abs(got - expected) <= 1e-3 + 5e-3 * abs(expected)):
                wrong.append(f"{row}/{col}")
    ok = not wrong
    return CheckResult(
        name,
        ok,
        "every figure matches your plans"
        if ok
        else f"{len(wrong)} figure(s) do not match your plans: {', '.join(wrong[:4])}",
    )


def _compare_public(value: Any, ctx: CheckContext) -> CheckResult:
    return _compare_matches(value, ctx, _instance(ctx), "matches")


def _compare_hidden(value: Any, ctx: CheckContext) -> CheckResult:
    return _compare_matches(value, ctx, _instance(ctx, hidden=True), "matches_hidden")


def _compare_shape(value: Any, ctx: CheckContext) -> bool | str:
    frame = _table(value)
    return frame if isinstance(frame, str) else True


# --------------------------------------------------------------------------- the steps


STEPS = (
    Step(
        "speeds",
        "Learn the city's speeds from the trips",
        "从历史行程中学习城市车速",
        "trips.csv holds thousands of past trips: distance_km, departure_hour and "
        "observed_minutes. Compute each trip's speed (km per minute) and return its median by "
        "departure hour, for every hour from 8 to 17. The planning speed in fleet.json is one "
        "number for the whole day; rush hours are slower.",
        "trips.csv 记录了数千次历史行程：distance_km、departure_hour 和 observed_minutes。"
        "计算每次行程的速度（公里/分钟），按出发小时取中位数，至少覆盖 8 点到 17 点。"
        "fleet.json 中的计划速度是全天一个数；高峰时段更慢。",
        "hourly_speeds",
        "hourly_speeds(public_dir: Path) -> dict[int, float]",
        "Median straight-line km per minute of the trips that left in each hour (8–17 at least).",
        10,
        inputs=("public_dir",),
        output="json",
        hints=(
            "speed = distance_km / observed_minutes; pandas groupby('departure_hour')",
            "the median is robust to the noisy trips",
        ),
        hints_zh=(
            "速度 = distance_km / observed_minutes；用 pandas 的 groupby('departure_hour')",
            "中位数不易受噪声行程影响",
        ),
        public_checks=(
            Check(
                "complete",
                "a positive speed for every hour from 8 to 17",
                _speeds_complete,
                "8 点到 17 点每个小时都有一个正的速度",
            ),
            Check(
                "plausible",
                "speeds near the planning speed",
                _speeds_plausible,
                "速度与计划速度相近",
            ),
        ),
        hidden_checks=(
            Check(
                "close",
                "close to the city's real speeds",
                _speeds_close,
                "接近城市的真实车速",
                weight=2.0,
            ),
        ),
    ),
    Step(
        "dispatch",
        "A feasible plan, as a dispatcher makes it",
        "像调度员一样做出可行计划",
        "Write a construction heuristic: give each van a zone of the city (sweep around the "
        "depot, or clusters), filled up to the van's capacity, and draw each van's route on "
        "the map so that no window is missed and every van is back by the end of the shift. "
        "Return the plan as {vehicle: [customer ids in visiting order]}.",
        "编写一个构造启发式：为每辆车划分一个区域（围绕仓库扫描或聚类），按车辆容量装满，"
        "并在地图上为每辆车排出路线，不错过任何时间窗，并在班次结束前返回仓库。"
        "以 {车辆: [按访问顺序排列的客户编号]} 的形式返回计划。",
        "construct_plan",
        "construct_plan(public_dir: Path) -> dict[str, list[int]]",
        "A feasible plan: vehicle ids V01, V02, ... → customer ids in visiting order.",
        15,
        inputs=("public_dir",),
        output="json",
        hints=(
            "insert each stop where it lengthens the route least, checking the windows",
            "place the customers with two-hour slots first",
        ),
        hints_zh=("把每个站点插入到使路线增加最少且不违反时间窗的位置", "先安排两小时时段的客户"),
        public_checks=(
            Check(
                "feasible",
                "a feasible plan on your case",
                _plan_feasible,
                "在你的案例上是可行计划",
                weight=2.0,
            ),
            Check(
                "vans",
                "no more vans than the load needs, plus two",
                _few_vans,
                "车辆数不超过装载所需再加两辆",
            ),
        ),
        hidden_checks=(
            Check(
                "competent",
                "within 15 % of the dispatcher's route duration",
                _heuristic_competent,
                "路线总时长不超过调度员的 115%",
                weight=2.0,
            ),
        ),
    ),
    Step(
        "optimise",
        "Model the day in PyVRP",
        "用 PyVRP 为这一天建模",
        "Build the PyVRP problem data yourself: depot and clients with demand, service "
        "duration and time windows, one vehicle type with the fleet's size, capacity, shift "
        "and a fixed cost per van, and integer distance and duration matrices (scale by 100, "
        "round travel times up). Solve it with a seed and an iteration limit. Use your "
        "learned speeds to avoid being late in the rush hours. Return the plan.",
        "自己构建 PyVRP 的问题数据：仓库和客户（需求、服务时长、时间窗），一种车型（车队规模、"
        "容量、班次、每辆车的固定成本），以及整数化的距离和时长矩阵（乘以 100，行驶时间向上取整）。"
        "用固定种子和迭代次数求解。利用学到的车速避免高峰时段迟到。返回计划。",
        "optimised_plan",
        "optimised_plan(public_dir: Path, speeds: dict[int, float]) -> dict[str, list[int]]",
        "A feasible optimised plan: vehicle ids → customer ids in visiting order.",
        15,
        inputs=("public_dir", "speeds"),
        output="json",
        hints=(
            "pyvrp.Model or pyvrp.ProblemData; pyvrp.solve(data, MaxIterations(2000), seed=0)",
            "without a fixed cost per van PyVRP happily uses more vans",
            "to be on time in traffic: replay your plan at your speeds (kit.replay) and "
            "promise late customers an earlier due time",
        ),
        hints_zh=(
            "pyvrp.Model 或 pyvrp.ProblemData；pyvrp.solve(data, MaxIterations(2000), seed=0)",
            "不设每辆车的固定成本，PyVRP 会用更多车辆",
            "为了在交通中准时：用你的车速回放计划（kit.replay），给迟到的客户更早的截止时间",
        ),
        public_checks=(
            Check(
                "feasible",
                "a feasible plan on your case",
                _plan_feasible,
                "在你的案例上是可行计划",
                weight=2.0,
            ),
            Check(
                "better",
                "no more vans and a shorter route duration than your heuristic",
                _beats_own_heuristic,
                "车辆不多于你的启发式，且路线总时长更短",
            ),
        ),
        hidden_checks=(
            Check(
                "optimised",
                "within 5 % of the reference optimiser's route duration, with no more vans",
                _optimised_close,
                "路线总时长不超过参考优化器的 105%，且车辆不更多",
                weight=2.0,
            ),
        ),
    ),
    Step(
        "compare",
        "Compare with the dispatcher",
        "与调度员比较",
        "Make a table with a column plan naming the rows dispatcher (your heuristic), "
        "optimised (your PyVRP plan) and change ((optimised − dispatcher) / dispatcher), and the columns route_duration, "
        "mean_time_to_serve, distance, vehicles_used, load_factor and on_time_in_traffic (the "
        "share of customers served on time when the plan is replayed at your learned speeds). "
        "Does the case study's claim (−15 % delivery time, +20 % vehicle use) hold on your "
        "case? In which reading of 'delivery time'?",
        "制作一张表：用 plan 列标明各行：dispatcher（你的启发式）、optimised（你的 PyVRP 计划）和 change"
        "（(optimised − dispatcher) / dispatcher）；列为 route_duration、mean_time_to_serve、"
        "distance、vehicles_used、load_factor 和 on_time_in_traffic（按你学到的车速回放计划时"
        "准时服务的客户比例）。案例中的结论（配送时间 −15%，车辆利用率 +20%）在你的案例上成立吗？"
        "按哪一种“配送时间”的理解？",
        "compare_plans",
        "compare_plans(public_dir: Path, speeds: dict, heuristic: dict, optimised: dict) -> "
        "pandas.DataFrame",
        "One row per plan plus the relative change; the columns listed in the instructions.",
        10,
        inputs=("public_dir", "speeds", "dispatch", "optimise"),
        output="frame",
        hints=(
            "labs.logistics.kit: evaluate(instance, plan) and replay_metrics(instance, plan, "
            "speeds)",
            "put the row names in a column called plan",
        ),
        hints_zh=(
            "labs.logistics.kit：evaluate(instance, plan) 和 replay_metrics(instance, plan, "
            "speeds)",
            "把行名放在名为 plan 的列中",
        ),
        public_checks=(
            Check("table", "rows and columns as asked", _compare_shape, "行和列符合要求"),
            Check(
                "matches",
                "the figures match your plans",
                _compare_public,
                "数值与你的计划一致",
                weight=2.0,
            ),
        ),
        hidden_checks=(
            Check(
                "matches_hidden",
                "the figures match your plans on a hidden case",
                _compare_hidden,
                "在隐藏案例上数值与你的计划一致",
            ),
        ),
    ),
)
