"""``make_case``: write a production batch as the raw logs a line has, plus the answer key.

public/logs/  oven/, spi/, aoi/ (inspected days only), mes/, env/, shift_reports/
public/holdout.csv  the boards whose defect probability a submission predicts
private/answers.csv their true defect flags and hidden probabilities
private/batch.json  the fault behind the bad batch (line, zone, worst shift, onset) and the
                    diagnosis it implies
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from labs.welding import physics as ph
from labs.welding.batch import SHIFT_MIN, Fault, Plan, draw_fault, environment, make_chunk
from labs.welding.rawlogs import (
    aoi_codes,
    date_of,
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
SUSPECT = "paste_lot"


def true_diagnosis(fault: Fault) -> dict[str, str]:
    """What a right diagnosis names: the line, the reading that carries the cause, the shift
    where it is worst, and the change that only coincides with it (the new paste lot)."""
    return {"line": fault.line, "variable": f"{fault.zone}_pv", "shift": fault.shift,
            "confounder": SUSPECT}


def make_case(seed: int, size: str = "class", *, out: Path) -> Case:
    """Generate one batch: raw logs in ``out/public``, answer key in ``out/private``."""
    check_size(size)
    out = Path(out)
    plan = Plan.of(size)
    fault = draw_fault(seed, plan)
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
            chunk = make_chunk(seed, plan, line, day, rh, fault)
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
    dump_json({"diagnosis": true_diagnosis(fault), "fault": fault.to_json(),
               "resent_files": {"oven": list(resend_oven), "aoi": list(resend_aoi)}},
              case.private / "batch.json")
    return case


def paste_lots(chunk) -> list[str]:
    """The paste lot each shift of a chunk ran on (the last one opened in that shift).

    Every line opens a jar of the regular supplier's current lot; the faulty line switched
    to a new supplier's lot in the shift its heater failed (the coincidence the control class
    sees)."""
    regular = f"A{date_of(0):%y%m}-{chunk.day // 2 + 1:02d}"
    fault = chunk.fault
    lots = []
    for s in range(len(ph.SHIFTS)):
        end = (s + 1) * SHIFT_MIN
        new = chunk.line == fault.line and (
            chunk.day > fault.onset_day
            or (chunk.day == fault.onset_day and fault.lot_change_minute < end))
        lots.append(f"B{date_of(fault.onset_day):%y%m}-{(chunk.day - fault.onset_day) // 3 + 1:02d}"
                    if new else regular)
    return lots


def _shift_rows(chunk, defect: np.ndarray, inspected: bool, rng: np.random.Generator
                ) -> list[dict]:
    rows = []
    lots = paste_lots(chunk)
    fault = chunk.fault
    for s, shift in enumerate(ph.SHIFTS):
        mask = chunk.shift == s
        notes = ""
        if (chunk.line == fault.line and chunk.day == fault.onset_day
                and fault.lot_change_minute // SHIFT_MIN == s):
            notes = "new paste supplier: first jar of lot " + lots[s]
        elif s and lots[s] != lots[s - 1] and rng.random() < 0.5:
            notes = f"paste lot {lots[s]} opened"
        elif chunk.sag_c[s * SHIFT_MIN:(s + 1) * SHIFT_MIN].mean() > 0 and rng.random() < 0.3:
            notes = str(rng.choice(["more AOI calls than usual", "COLD calls up at AOI",
                                    "stencil wiped, calls persist"]))
        elif rng.random() < 0.08:
            notes = str(rng.choice(["nozzle cleaned", "stencil wiped", "feeder swap",
                                    "oven warnings acknowledged"]))
        rows.append(shift_row(chunk.line, date_of(chunk.day).date().isoformat(), shift,
                              ph.SPEED_SP, int(mask.sum()),
                              int(defect[mask].sum()) if inspected else None, lots[s], notes))
    return rows
