"""``make_case``: write a production batch as the raw logs a line has, plus the answer key.

public/logs/  oven/, spi/, aoi/ (inspected days only), mes/, env/, shift_reports/
public/holdout.csv  the boards whose defect probability a submission predicts
private/answers.csv their true defect flags and hidden probabilities
private/batch.json  the fault behind the bad batch and the batch's expected rates
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from labs.welding import physics as ph
from labs.welding.batch import Plan, environment, make_chunk
from labs.welding.rawlogs import (
    aoi_codes,
    date_of,
    day_label,
    write_aoi,
    write_environment,
    write_mes,
    write_oven,
    write_spi,
)
from labs.welding.shiftreport import shift_row, write_shift_report
from labs.welding.simulate import realise
from workbench.lab import Case, check_size, dump_json, write_case_meta

SLUG = "welding"
TRUE_DIAGNOSIS = {"line": ph.SAG_LINE, "variable": "z7_pv", "shift": ph.SAG_SHIFT,
                  "confounder": "conv_cm_min"}


def make_case(seed: int, size: str = "class", *, out: Path) -> Case:
    """Generate one batch: raw logs in ``out/public``, answer key in ``out/private``."""
    check_size(size)
    out = Path(out)
    plan = Plan.of(size)
    case = write_case_meta(
        out, SLUG, seed, size, lines=list(ph.LINES), days=plan.days,
        first_day=date_of(0).date().isoformat(),
        first_holdout_day=date_of(plan.first_holdout_day).date().isoformat(),
        transit_s=ph.TRANSIT_S, zone_setpoints=list(ph.ZONE_SP), conveyor_setpoint=ph.SPEED_SP)
    logs = case.public / "logs"
    dirt = np.random.default_rng([seed, 77])
    resend_oven = (ph.LINES[dirt.integers(3)], int(dirt.integers(plan.days)))
    resend_aoi = (ph.LINES[dirt.integers(3)], int(dirt.integers(plan.first_holdout_day)))
    reports: dict[str, list[dict]] = {line: [] for line in ph.LINES}
    holdout, answers = ["serial"], ["serial,defect,p_true"]
    for day in range(plan.days):
        rh = environment(seed, day)
        write_environment(day, rh, logs / "env", np.random.default_rng([seed, 60, day]))
        chunks, speeds = [], []
        for k, line in enumerate(ph.LINES):
            chunk = make_chunk(seed, plan, line, day, rh)
            rng = np.random.default_rng([seed, 50 + k, day])
            asis = realise(chunk)
            defect = chunk.u_defect < asis["p"]
            oven = write_oven(chunk, chunk.oven_minutes(), logs / "oven", rng)
            if (line, day) == resend_oven:
                shutil.copyfile(oven, oven.with_name(f"{oven.stem} (1){oven.suffix}"))
            write_spi(chunk, logs / "spi", rng)
            inspected = day < plan.first_holdout_day
            if inspected:
                codes = aoi_codes(asis["terms"], defect, chunk.u_code)
                aoi = write_aoi(chunk, defect, codes, logs / "aoi", rng)
                if (line, day) == resend_aoi:
                    shutil.copyfile(aoi, aoi.with_name(f"{aoi.stem}_resend.csv"))
            else:
                holdout += chunk.serials
                answers += [f"{s},{int(d)},{p:.6f}"
                            for s, d, p in zip(chunk.serials, defect, asis["p"], strict=True)]
            reports[line] += _shift_rows(chunk, defect, inspected, rng)
            chunks.append(chunk)
            speeds.append(asis["speed"])
        write_mes(day, chunks, speeds, logs / "mes")
    for line, rows in reports.items():
        write_shift_report(line, rows, logs / "shift_reports" / f"{line}_shift_report.xlsx")
    (case.public / "holdout.csv").write_text("\n".join(holdout) + "\n", encoding="utf-8")
    (case.private / "answers.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    dump_json({"diagnosis": TRUE_DIAGNOSIS, "fault_days": [day_label(d) for d in plan.fault_days],
               "resent_files": {"oven": list(resend_oven), "aoi": list(resend_aoi)}},
              case.private / "batch.json")
    return case


def _shift_rows(chunk, defect: np.ndarray, inspected: bool, rng: np.random.Generator
                ) -> list[dict]:
    rows = []
    speedup = chunk.speedup()
    for s, shift in enumerate(ph.SHIFTS):
        mask = chunk.shift == s
        speed_sp = ph.SPEED_SP + float(speedup[s * 480:(s + 1) * 480].max())
        notes = ""
        if speed_sp > ph.SPEED_SP and rng.random() < 0.6:
            notes = "conveyor raised to hold output"
        elif rng.random() < 0.08:
            notes = str(rng.choice(["nozzle cleaned", "stencil wiped", "feeder swap"]))
        rows.append(shift_row(chunk.line, date_of(chunk.day).date().isoformat(), shift,
                              speed_sp, int(mask.sum()),
                              int(defect[mask].sum()) if inspected else None,
                              f"PL-{chunk.day // 2 + 1:03d}", notes))
    return rows
