"""The welding exercise: five steps a student writes, each with public and hidden checks.

read → clean → join → model → fix. Public checks need only the student's public folder (they
count what the raw files hold with the kit's readers); hidden checks compare with the hidden
simulation (the oven as it ran, each board's reading, the true defects, the fault) and run
only in the grader. The steps earn 50 points, the outcome metrics (PR-AUC, diagnosis, defect
rate and cost after the fix) the other 50.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labs.welding import physics as ph
from labs.welding.kit.readers import MISSING, ZONE_COLUMNS, read_aoi, read_mes
from workbench.exercise import Check, CheckContext, CheckResult, Step

OUTCOME_POINTS = 50.0
READING_COLUMNS = ["line", "ts"] + ZONE_COLUMNS + ["conv_cm_min", "o2_ppm"]
BOARD_COLUMNS = ["serial", "line", "oven_in"] + ZONE_COLUMNS + ["conv_cm_min", "defect"]
NUMERIC = ZONE_COLUMNS + ["conv_cm_min", "o2_ppm"]


# ------------------------------------------------------------------ what the public files hold


@lru_cache(maxsize=8)
def _reading_lines(public: Path) -> int:
    """Reading lines in every oven log file (re-sent copies included, events excluded)."""
    n = 0
    for path in sorted((public / "logs" / "oven").rglob("*")):
        if path.suffix == ".log":
            n += sum(1 for t in path.read_text(encoding="utf-8").splitlines()
                     if t.strip() and "event=BOARD_IN" not in t)
        elif path.suffix == ".jsonl":
            n += sum(1 for t in path.read_text(encoding="utf-8").splitlines()
                     if "ReadingsRecorded" in t)
    return n


@lru_cache(maxsize=8)
def _serials(public: Path) -> tuple[frozenset, frozenset, frozenset]:
    """(every MES serial, serials AOI inspected, serials AOI confirmed defective)."""
    mes = pd.concat([read_mes(p) for p in sorted((public / "logs" / "mes").glob("*.csv"))])
    aoi = pd.concat([read_aoi(p) for p in sorted((public / "logs" / "aoi").glob("*.csv"))])
    aoi = aoi.drop_duplicates("serial")
    bad = aoi[(aoi["result"] == "FAIL") & (aoi["operator_verdict"] == "CONFIRMED")]
    return frozenset(mes["serial"]), frozenset(aoi["serial"]), frozenset(bad["serial"])


def _holdout(public: Path) -> list[str]:
    return pd.read_csv(public / "holdout.csv", dtype=str)["serial"].tolist()


def _frame(output: Any, columns: list[str]) -> bool | str:
    if not isinstance(output, pd.DataFrame):
        return f"expected a table (DataFrame), got {type(output).__name__}"
    missing = [c for c in columns if c not in output.columns]
    return f"columns missing: {', '.join(missing)}" if missing else True


def _times(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, errors="coerce", format="mixed")


# ------------------------------------------------------------------------- hidden truth


@lru_cache(maxsize=4)
def _truth(seed: int, size: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-minute zone-7 reading of each line, each board's zone-7 reading) as simulated."""
    from labs.welding.batch import START, iter_chunks
    from labs.welding.simulate import realise

    minutes, boards = [], []
    for chunk in iter_chunks(seed, size):
        base = pd.Timestamp(START) + pd.Timedelta(days=chunk.day)
        z7 = chunk.oven_minutes()["zones"][:, 6]
        minutes.append(pd.DataFrame({"line": chunk.line, "z7_true": np.round(z7, 1),
                                     "ts": base + pd.to_timedelta(np.arange(len(z7)), "min")}))
        boards.append(pd.DataFrame({"serial": chunk.serials,
                                    "z7_true": realise(chunk)["readings"]["z7_pv"]}))
    return pd.concat(minutes, ignore_index=True), pd.concat(boards, ignore_index=True)


# ------------------------------------------------------------------------------- checks


def read_columns(output: Any, ctx: CheckContext) -> bool | str:
    return _frame(output, READING_COLUMNS)


def read_lines(output: Any, ctx: CheckContext) -> bool | str:
    found = sorted(set(output["line"].astype(str)))
    return True if found == list(ph.LINES) else f"lines found: {found}; the ovens are " \
        f"{', '.join(ph.LINES)} (the folder names say which)"


def read_every_row(output: Any, ctx: CheckContext) -> bool | str:
    want = _reading_lines(ctx.public)
    return True if len(output) == want else (
        f"{len(output)} readings; the oven logs hold {want} reading lines (both formats, "
        "every file, re-sent copies included; board events are not readings)")


def clean_no_sentinel(output: Any, ctx: CheckContext) -> bool | str:
    left = int((output[NUMERIC].apply(pd.to_numeric, errors="coerce") == MISSING).sum().sum())
    return True if not left else f"{left} values are still {MISSING}"


def clean_unique(output: Any, ctx: CheckContext) -> bool | str:
    dup = int(output.duplicated(["line", "ts"]).sum())
    return True if not dup else f"{dup} readings repeat a line and minute (re-sent files)"


def clean_units(output: Any, ctx: CheckContext) -> bool | str:
    speed = pd.to_numeric(output["conv_cm_min"], errors="coerce").groupby(
        output["line"].astype(str)).median()
    off = {line: round(float(v), 1) for line, v in speed.items() if not 60 <= v <= 90}
    return True if not off else f"median conveyor speed not in cm/min on {off}"


def clean_clock(output: Any, ctx: CheckContext) -> bool | str:
    ts = _times(output["ts"])
    off = output.loc[(ts.dt.second != 0) | ts.isna(), "line"].astype(str).value_counts()
    return True if off.empty else (
        f"readings not on the minute (a clock off): {off.to_dict()}; estimate each oven's "
        "offset from its board events against the MES traveller")


def clean_matches_the_oven(output: Any, ctx: CheckContext) -> CheckResult:
    key = ctx.key()
    truth, _ = _truth(key["seed"], key["size"])
    got = output.assign(ts=_times(output["ts"]), line=output["line"].astype(str),
                        z7=pd.to_numeric(output["z7_pv"], errors="coerce"))
    both = truth.merge(got[["line", "ts", "z7"]], on=["line", "ts"], how="left")
    seen = both["z7"].notna()
    close = (both.loc[seen, "z7"] - both.loc[seen, "z7_true"]).abs() <= 0.051
    ok = bool(seen.mean() > 0.99 and close.mean() > 0.99)
    return CheckResult("matches_oven", ok,
                       "every oven minute is there with the value the oven had" if ok else
                       f"{seen.mean():.1%} of the oven's minutes found, {close.mean():.1%} of "
                       "them with the right zone-7 value (units, clock or duplicates?)")


def join_columns(output: Any, ctx: CheckContext) -> bool | str:
    return _frame(output, BOARD_COLUMNS)


def join_one_row_per_board(output: Any, ctx: CheckContext) -> bool | str:
    mes, _, _ = _serials(ctx.public)
    serials = output["serial"].astype(str)
    if serials.duplicated().any():
        return f"{int(serials.duplicated().sum())} serials appear twice"
    missing = len(mes - set(serials))
    return True if not missing else f"{missing} of {len(mes)} MES boards are missing"


def join_readings_found(output: Any, ctx: CheckContext) -> bool | str:
    share = float(pd.to_numeric(output["z7_pv"], errors="coerce").notna().mean())
    return True if share >= 0.99 else (
        f"only {share:.1%} of boards got an oven reading; join on oven entry plus the "
        "transit time, backwards in time, within a few minutes")


def join_defects(output: Any, ctx: CheckContext) -> bool | str:
    _, inspected, bad = _serials(ctx.public)
    serial = output["serial"].astype(str)
    defect = pd.to_numeric(output["defect"], errors="coerce")
    known = set(serial[defect.notna()])
    flagged = set(serial[defect == 1])
    if known != inspected:
        return (f"defect known for {len(known)} boards; AOI inspected {len(inspected)} "
                "(the held-out boards have no AOI result yet: leave them empty)")
    if flagged != bad:
        return (f"{len(flagged)} boards marked defective; AOI confirmed {len(bad)} "
                "(operator-overturned false calls are good boards)")
    return True


def join_matches_the_boards(output: Any, ctx: CheckContext) -> CheckResult:
    key = ctx.key()
    _, truth = _truth(key["seed"], key["size"])
    got = pd.DataFrame({"serial": output["serial"].astype(str),
                        "z7": pd.to_numeric(output["z7_pv"], errors="coerce")})
    both = truth.merge(got, on="serial", how="left")
    close = float(((both["z7"] - both["z7_true"]).abs() <= 0.051).mean())
    ok = bool(close >= 0.98)
    return CheckResult("matches_boards", ok,
                       "each board got the zone-7 reading it met in the oven" if ok else
                       f"{close:.1%} of boards got the reading they met (as-of join on oven "
                       "entry + transit time, after the clock correction)")


def _model_parts(output: Any) -> tuple[dict, dict]:
    if not isinstance(output, dict):
        raise TypeError(f"expected an object with predictions and validation, got "
                        f"{type(output).__name__}")
    return output.get("predictions"), output.get("validation")


def model_predictions(output: Any, ctx: CheckContext) -> bool | str:
    predictions, _ = _model_parts(output)
    if not isinstance(predictions, dict):
        return "'predictions' must map each held-out serial to a probability"
    wanted = _holdout(ctx.public)
    missing = [s for s in wanted if s not in predictions]
    if missing:
        return f"{len(missing)} held-out boards have no prediction (first: {missing[0]})"
    bad = [s for s in wanted if not _probability(predictions[s])]
    return True if not bad else f"{len(bad)} predictions are not between 0 and 1"


def _probability(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 <= value <= 1)


def model_time_ordered(output: Any, ctx: CheckContext) -> bool | str:
    _, validation = _model_parts(output)
    if not isinstance(validation, dict):
        return "'validation' must say pr_auc, train_until and validate_from"
    pr = validation.get("pr_auc")
    if not _probability(pr):
        return "validation pr_auc must be a number between 0 and 1"
    try:
        until = pd.Timestamp(validation["train_until"])
        start = pd.Timestamp(validation["validate_from"])
    except (KeyError, ValueError, TypeError):
        return "train_until and validate_from must be dates (YYYY-MM-DD)"
    if start <= until:
        return "validate on days after the training days (time order, not a random split)"
    if start >= pd.Timestamp(ctx.info.get("first_holdout_day", "2100-01-01")):
        return "validate on inspected days: the held-out days have no labels"
    return True


def model_beats_chance(output: Any, ctx: CheckContext) -> CheckResult:
    from labs.welding.evaluate import answers, prediction_metrics

    predictions, _ = _model_parts(output)
    m = prediction_metrics(answers(ctx.case), {k: float(v) for k, v in predictions.items()})
    chance, best = m["holdout_defect_rate"], m["bayes_pr_auc"]
    floor = chance + (best - chance) / 4  # a quarter of the way from chance to the best
    ok = bool(m["pr_auc"] >= floor)
    return CheckResult("holdout_pr_auc", ok,
                       f"PR-AUC on the held-out boards {m['pr_auc']:.2f} (chance "
                       f"{chance:.2f}, the hidden probabilities {best:.2f})" + (
                           "" if ok else f"; at least {floor:.2f} is expected"))


def fix_diagnosis_shape(output: Any, ctx: CheckContext) -> bool | str:
    from labs.welding.evaluate import SUSPECTS
    from labs.welding.simulate import READINGS, SETPOINTS

    if not isinstance(output, dict) or not isinstance(output.get("diagnosis"), dict):
        return "return {'diagnosis': {...}, 'actions': [...]}"
    d = output["diagnosis"]
    causes = READINGS + SETPOINTS + ph.ZONES + SUSPECTS
    allowed = {"line": ph.LINES, "shift": ph.SHIFTS, "variable": causes,
               "confounder": causes + ("none",)}
    wrong = [f"{k}={d.get(k)!r}" for k, ok in allowed.items() if d.get(k) not in ok]
    return True if not wrong else f"diagnosis not understood: {', '.join(wrong)}"


def fix_actions_parse(output: Any, ctx: CheckContext) -> bool | str:
    from labs.welding.submission import parse_action

    actions = output.get("actions") if isinstance(output, dict) else None
    if not isinstance(actions, list) or not actions:
        return "give at least one action (a list)"
    for i, item in enumerate(actions):
        try:
            parse_action(item)
        except ValueError as exc:
            return f"actions[{i}]: {exc}"
    return True


def fix_names_the_cause(output: Any, ctx: CheckContext) -> CheckResult:
    truth = json.loads((ctx.case.private / "batch.json").read_text(encoding="utf-8"))
    d, want = output["diagnosis"], truth["diagnosis"]
    given = str(d.get("variable", "")).lower()
    ok = d.get("line") == want["line"] and given in (want["variable"], want["variable"][:2])
    return CheckResult("cause", ok, "the line and the reading behind the defects" if ok else
                       "the line or the reading named is not where the defects come from")


def fix_brings_it_down(output: Any, ctx: CheckContext) -> CheckResult:
    from labs.welding.evaluate import DEFECT_TARGET, MAX_HELD_FRACTION, outcome
    from labs.welding.submission import parse_action

    key = ctx.key()
    actions = tuple(parse_action(a) for a in output["actions"])
    result = outcome(key["seed"], key["size"], actions)
    ok = (result.expected_defect_rate <= DEFECT_TARGET
          and result.held_fraction <= MAX_HELD_FRACTION)
    return CheckResult("effective", ok,
                       f"re-run with your actions: {result.expected_defect_rate:.2%} defective, "
                       f"{result.held_fraction:.1%} of boards held" + (
                           "" if ok else f" (target {DEFECT_TARGET:.1%}, holds ≤ "
                           f"{MAX_HELD_FRACTION:.0%})"))


# -------------------------------------------------------------------------------- steps

STEPS = (
    Step(
        "read", "Read both oven-log formats", "读取两种炉温日志格式",
        "Two oven vendors log one reading per minute: key=value text (logs/oven/<line>/*.log) "
        "and JSON lines shaped like IPC-CFX messages (*.jsonl). Read every file of both into "
        "one table of readings, one row per reading line, exactly as written: -999, re-sent "
        "files and clocks stay as they are for now.",
        "两家炉子厂商每分钟记录一次读数：key=value 文本（logs/oven/<产线>/*.log）和类似 "
        "IPC-CFX 消息的 JSON 行（*.jsonl）。把两种格式的所有文件读成一张读数表，每个读数行一行，"
        "保持原样：-999、重发的文件和时钟偏差先不处理。",
        "read_ovens", "read_ovens(public_dir: Path) -> pd.DataFrame",
        "Columns line, ts, z1_pv..z7_pv, conv_cm_min, o2_ppm (more allowed).",
        10, inputs=("public_dir",), output="frame",
        hints=("labs.welding.kit has read_vendor_a and read_vendor_b; the folder name is the "
               "line",),
        hints_zh=("labs.welding.kit 提供 read_vendor_a 和 read_vendor_b；文件夹名就是产线",),
        public_checks=(
            Check("columns", "has the reading columns", read_columns, "包含读数列"),
            Check("lines", "all three ovens", read_lines, "三台炉子都在"),
            Check("rows", "every reading line of every file", read_every_row,
                  "每个文件的每个读数行"),
        ),
    ),
    Step(
        "clean", "Clean the dirt", "清洗脏数据",
        "Make the readings trustworthy: -999 means missing; some files were sent twice; one "
        "vendor writes the conveyor speed in mm/s; one oven's clock is off (compare its board "
        "events with the MES traveller's oven entry times).",
        "让读数可信：-999 表示缺失；有些文件被发送了两次；一家厂商的传送带速度单位是 mm/s；"
        "有一台炉子的时钟不准（把它的进板事件和 MES 流转单的进炉时间比较）。",
        "clean_ovens", "clean_ovens(public_dir: Path, readings: pd.DataFrame) -> pd.DataFrame",
        "The readings with missing values empty, one row per line and minute, speeds in "
        "cm/min, every oven on the MES clock.",
        10, inputs=("public_dir", "read"), output="frame",
        hints=("pandas: replace, drop_duplicates, groupby(...).median() of time differences",),
        hints_zh=("pandas：replace、drop_duplicates、按产线对时间差取 median",),
        public_checks=(
            Check("no_sentinel", f"no {MISSING} left", clean_no_sentinel, f"没有 {MISSING}"),
            Check("unique", "one reading per line and minute", clean_unique,
                  "每条产线每分钟一个读数"),
            Check("units", "conveyor speeds in cm/min", clean_units, "传送带速度为 cm/min"),
            Check("clock", "every oven on the minute of the MES clock", clean_clock,
                  "所有炉子与 MES 时钟对齐到整分钟"),
        ),
        hidden_checks=(Check("matches_oven", "the oven as it ran", clean_matches_the_oven,
                             "与炉子实际运行一致"),),
    ),
    Step(
        "join", "Join boards to readings", "把电路板与读数关联",
        "Give every board the oven reading it met: an as-of join on oven entry time plus the "
        "transit time to the peak zone (case.json), backwards, within a few minutes. Add the "
        "AOI verdict as defect (1/0) for inspected boards, empty for the held-out ones.",
        "为每块板找到它经过时的炉温读数：按进炉时间加上到峰值区的传输时间（见 case.json）做 "
        "as-of 关联（向后、几分钟以内）。对已检测的板加上 AOI 判定 defect（1/0），保留板留空。",
        "join_boards", "join_boards(public_dir: Path, clean: pd.DataFrame) -> pd.DataFrame",
        "One row per MES serial: serial, line, oven_in, z1_pv..z7_pv, conv_cm_min, defect.",
        10, inputs=("public_dir", "clean"), output="frame",
        hints=("pandas.merge_asof(..., by='line', direction='backward', tolerance=...)",),
        hints_zh=("pandas.merge_asof(..., by='line', direction='backward', tolerance=...)",),
        public_checks=(
            Check("columns", "has the board columns", join_columns, "包含电路板列"),
            Check("boards", "one row per MES board", join_one_row_per_board, "每块 MES 板一行"),
            Check("readings", "nearly every board has an oven reading", join_readings_found,
                  "几乎每块板都有炉温读数"),
            Check("defects", "defects from AOI, false calls excluded", join_defects,
                  "来自 AOI 的缺陷（排除误报）"),
        ),
        hidden_checks=(Check("matches_boards", "each board's own reading",
                             join_matches_the_boards, "每块板自己的读数"),),
    ),
    Step(
        "model", "A defect model, validated in time order", "按时间顺序验证的缺陷模型",
        "Train a classifier of defects on the inspected boards. Validate it on the last "
        "inspected days after training on the earlier ones (never a random split: boards of "
        "the same hour are alike), report PR-AUC (defects are rare), then predict every "
        "held-out board.",
        "在已检测的板上训练缺陷分类器。用较早的日子训练、最后几天验证（不要随机划分：同一小时的"
        "板很相似），报告 PR-AUC（缺陷很少），然后预测每块保留板。",
        "train_model", "train_model(public_dir: Path, boards: pd.DataFrame) -> dict",
        "{'predictions': {serial: probability}, 'validation': {'pr_auc': float, "
        "'train_until': 'YYYY-MM-DD', 'validate_from': 'YYYY-MM-DD'}}",
        10, inputs=("public_dir", "join"), output="json",
        hints=("HistGradientBoostingClassifier(class_weight='balanced'); "
               "sklearn.metrics.average_precision_score",),
        hints_zh=("HistGradientBoostingClassifier(class_weight='balanced')；"
                  "sklearn.metrics.average_precision_score",),
        public_checks=(
            Check("predictions", "a probability for every held-out board", model_predictions,
                  "每块保留板都有概率"),
            Check("time_order", "validated on later days than trained", model_time_ordered,
                  "验证日期晚于训练日期"),
        ),
        hidden_checks=(Check("holdout_pr_auc", "ranks the held-out defects",
                             model_beats_chance, "能对保留板的缺陷排序"),),
    ),
    Step(
        "fix", "A diagnosis and a fix", "诊断与改进措施",
        "Name the line, the reading behind the defects, the shift where it is worst, and "
        "any recorded change that only coincides with it. Choose actions (interlock, "
        "setpoint, repair, revert): the grader re-runs the batch with them and counts the "
        "cost per good board, so the cheapest fix that removes the cause wins.",
        "指出产线、导致缺陷的读数、最严重的班次，以及只是恰好同时发生的记录变化。选择措施"
        "（interlock、setpoint、repair、revert）：评分程序会用这些措施重新运行这批生产并计算"
        "每块合格板的成本，所以能消除原因且最便宜的措施最好。",
        "diagnose_and_fix",
        "diagnose_and_fix(public_dir: Path, boards: pd.DataFrame, model: dict) -> dict",
        "{'diagnosis': {'line', 'variable', 'shift', 'confounder'}, 'actions': [...]} in the "
        "submission's format (starter README).",
        10, inputs=("public_dir", "join", "model"), output="json",
        hints=("Which reading leaves its set point, from when, on which line? What changed in "
               "the shift reports at that moment?",),
        hints_zh=("哪个读数偏离了设定值？从什么时候、在哪条产线？那时交接班报表里有什么变化？",),
        public_checks=(
            Check("diagnosis", "a diagnosis in the submission's terms", fix_diagnosis_shape,
                  "诊断使用提交格式中的名称"),
            Check("actions", "actions the grader understands", fix_actions_parse,
                  "评分程序能理解的措施"),
        ),
        hidden_checks=(
            Check("cause", "names the cause", fix_names_the_cause, "指出了原因"),
            Check("effective", "brings the batch to about 1 %", fix_brings_it_down,
                  "把这批的缺陷率降到约 1 %"),
        ),
    ),
)
