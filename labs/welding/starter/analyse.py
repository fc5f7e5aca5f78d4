"""Starter: from the raw logs of a welding case to ``submission.json``.

Run it:  python analyse.py path/to/case/public out/
Each step is a place to do better than the starter does:
  1. collect  - the bot joins every oven reading to its board (read its report!)
  2. model    - a defect probability per held-out board (the starter: gradient boosting)
  3. diagnose - which line, variable and shift; which variable only moves along with it
  4. fix      - interlocks and set points; they are graded by re-running the batch
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from labs.welding.collect import collect

FEATURES = ["z1_pv", "z2_pv", "z3_pv", "z4_pv", "z5_pv", "z6_pv", "z7_pv", "conv_cm_min",
            "o2_ppm", "paste_pct", "rh_pct", "thickness_mm"]
NOMINAL = {"z1_pv": 120, "z2_pv": 150, "z3_pv": 170, "z4_pv": 180, "z5_pv": 190,
           "z6_pv": 215, "z7_pv": 250, "conv_cm_min": 75}


def predict(boards: pd.DataFrame) -> dict[str, float]:
    """Train on the inspected boards, predict P(defect) for the held-out ones."""
    train = boards[(boards["split"] == "train") & boards["defect"].notna()]
    holdout = boards[boards["split"] == "holdout"]
    model = HistGradientBoostingClassifier(class_weight="balanced", max_iter=200,
                                           learning_rate=0.05, random_state=0)
    model.fit(train[FEATURES], train["defect"].astype(int))
    risk = model.predict_proba(holdout[FEATURES])[:, 1].round(6)
    return dict(zip(holdout["serial"], risk, strict=True))


def diagnose(boards: pd.DataFrame) -> dict[str, str]:
    """Where defects are highest, and the reading most correlated with them.

    A first guess only: a variable the operators moved *because of* the fault correlates
    too. Check it with the model (permutation importance, partial dependence) and name the
    variable that only moves along with the cause as the confounder.
    """
    inspected = boards[boards["defect"].notna()]
    line, shift = inspected.groupby(["line", "shift"])["defect"].mean().idxmax()
    corr = inspected[list(NOMINAL)].corrwith(inspected["defect"]).abs()
    return {"line": line, "variable": corr.idxmax(), "shift": shift, "confounder": "none"}


def fix(diagnosis: dict[str, str]) -> list[dict]:
    """No action yet: the batch re-runs as it ran. Add interlocks or set points here, e.g.
    {"type": "interlock", "variable": "z7_pv", "line": "all", "shift": "all",
     "min": 240, "max": None} or {"type": "setpoint", "variable": "conv_cm_min",
     "line": "L1", "shift": "D", "value": 75}. Read the window off your model."""
    return []


def analyse(public_dir: Path, out_dir: Path) -> None:
    """The function the grader calls: read ``public_dir``, write ``out_dir/submission.json``."""
    boards, report = collect(Path(public_dir))
    diagnosis = diagnose(boards)
    submission = {"format": "welding-submission/1", "predictions": predict(boards),
                  "diagnosis": diagnosis, "actions": fix(diagnosis)}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "submission.json").write_text(json.dumps(submission, indent=1), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python analyse.py CASE/public OUT_DIR")
    analyse(Path(sys.argv[1]), Path(sys.argv[2]))
