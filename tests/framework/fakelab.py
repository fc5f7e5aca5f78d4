"""A real, tiny lab for testing the framework: pick numbers close to hidden targets.

The case publishes noisy hints of hidden targets; the baseline picks the mean of all hints for
every target, the reference picks each hint. Metrics: mean absolute error (lower is better,
weight 60) and the share of picks within 1.0 of their target (higher is better, weight 40).
A pick outside [-50, 50] voids the ``hits`` criterion only; a wrong count voids everything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from workbench.lab import (
    Case,
    Claim,
    CodeEntry,
    Metric,
    Problem,
    SubmissionError,
    check_size,
    dump_json,
    relative_change,
    write_case_meta,
)

COUNTS = {"tiny": 5, "class": 12, "large": 200}
LIMIT = 50.0


class FakeLab:
    slug = "fake"
    title = "Fake lab"
    summary = "Pick numbers close to hidden targets from noisy hints."
    metrics = (
        Metric("error", "", higher_is_better=False, weight=60, label="mean error"),
        Metric("hits", "", higher_is_better=True, weight=40, label="hit rate"),
        Metric("count", "", higher_is_better=True, weight=0),
    )
    claims = (Claim("error_drop", "Hints cut the error", "−50 %", relative_change("error"),
                    high=-0.5),)
    submission_suffixes = (".json",)
    code_entry = CodeEntry("pick", "picks.json", "write {'picks': [...]} to out_dir/picks.json")

    def make_case(self, seed: int, size: str = "class", *, out: Path) -> Case:
        n = COUNTS[check_size(size)]
        case = write_case_meta(Path(out), self.slug, seed, size, n=n)
        rng = np.random.default_rng(seed)
        targets = rng.normal(0.0, 5.0, n)
        hints = targets + rng.normal(0.0, 0.3, n)
        dump_json({"hints": [round(float(h), 6) for h in hints]}, case.public / "hints.json")
        dump_json({"targets": [round(float(t), 6) for t in targets]},
                  case.private / "targets.json")
        return case

    def _hints(self, case: Case) -> list[float]:
        return json.loads((case.public / "hints.json").read_text(encoding="utf-8"))["hints"]

    def baseline(self, case: Case) -> dict[str, list[float]]:
        hints = self._hints(case)
        return {"picks": [float(np.mean(hints))] * len(hints)}

    def reference(self, case: Case) -> dict[str, list[float]]:
        return {"picks": list(self._hints(case))}

    def sensitivity_baselines(self, case: Case) -> dict[str, Any]:
        return {"zeros": {"picks": [0.0] * len(self._hints(case))}}

    def read_submission(self, path: Path) -> dict[str, list[float]]:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SubmissionError(Problem("file not found", where=str(path))) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SubmissionError(Problem(f"not a JSON file ({exc})", where=str(path))) from None
        if not isinstance(data, dict) or not isinstance(data.get("picks"), list):
            raise SubmissionError(Problem('expected an object {"picks": [numbers]}',
                                          where=str(path)))
        bad = [Problem("not a number", where=f"{path}: picks[{i}]")
               for i, v in enumerate(data["picks"])
               if not isinstance(v, int | float) or isinstance(v, bool)]
        if bad:
            raise SubmissionError(bad)
        return {"picks": [float(v) for v in data["picks"]]}

    def write_submission(self, solution: Mapping[str, Any], path: Path) -> Path:
        path = Path(path)
        dump_json({"picks": list(solution["picks"])}, path)
        return path

    def validate(self, case: Case, solution: Mapping[str, Any]) -> list[Problem]:
        picks, n = solution["picks"], len(self._hints(case))
        if len(picks) != n:
            return [Problem(f"{len(picks)} picks given, {n} expected", where="picks")]
        return [Problem(f"{v} is outside [-{LIMIT:g}, {LIMIT:g}]", where=f"picks[{i}]",
                        affects=("hits",))
                for i, v in enumerate(picks) if math.isfinite(v) and abs(v) > LIMIT]

    def evaluate(self, case: Case, solution: Mapping[str, Any]) -> dict[str, float]:
        if case.private is None:
            raise FileNotFoundError(f"{case.root}: the metrics need the answer key (private/)")
        targets = np.array(json.loads((case.private / "targets.json").read_text())["targets"])
        picks = np.array(solution["picks"], dtype=float)
        gaps = np.abs(picks - targets)
        return {"error": float(gaps.mean()), "hits": float((gaps <= 1.0).mean()),
                "count": float(len(picks))}

    def figures(self, case: Case, solutions: Mapping[str, Any]) -> list[go.Figure]:
        fig = go.Figure([go.Scatter(y=sol["picks"], name=name, mode="markers")
                         for name, sol in solutions.items()])
        fig.update_layout(title="Picks")
        return [fig]

    def register_pages(self) -> None:
        """The fake lab has no page; the framework tests never render one."""


FAKE = FakeLab()
