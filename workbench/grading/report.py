"""The grading data model: one :class:`GradeReport` per submission, one :class:`Criterion`
per graded metric (modelled on otter-grader's results: points, a message, a hidden flag)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any


def finite_or_none(value: Any) -> float | None:
    """A float for JSON: NaN and infinities become ``None`` (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _metrics_to_json(metrics: dict[str, float]) -> dict[str, float | None]:
    return {k: finite_or_none(v) for k, v in metrics.items()}


def _metrics_from_json(metrics: dict[str, Any] | None) -> dict[str, float]:
    return {k: (math.nan if v is None else float(v)) for k, v in (metrics or {}).items()}


@dataclass(frozen=True)
class Criterion:
    """Points earned on one rubric line (one metric)."""

    name: str
    label: str
    points: float
    max_points: float
    message: str
    hidden: bool = False


@dataclass
class GradeReport:
    """The result of grading one submission against one case.

    ``score`` may exceed ``max_score`` (the sum of the metric weights): beating the reference
    earns a capped bonus on each criterion (see :data:`workbench.grading.grade.BONUS_CAP`).
    ``graded_at`` is informational only and is left out of equality comparisons.
    """

    lab: str
    case_id: str
    submission: str
    valid: bool
    score: float
    max_score: float
    criteria: list[Criterion] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    baseline_metrics: dict[str, float] = field(default_factory=dict)
    reference_metrics: dict[str, float] = field(default_factory=dict)
    graded_at: str = field(default="", compare=False)
    steps: list[dict[str, Any]] = field(default_factory=list)  # StepReport.to_dict() per step

    @property
    def verdict(self) -> str:
        """One English sentence on validity (translate it with ``t``); a code submission can be
        invalid on its own case yet earn its hidden-case points."""
        if self.valid:
            return "The submission is valid."
        if self.score > 0:
            return "Part of the submission is not valid: those parts score 0, the rest is graded."
        return "The submission is not valid, so it scores 0."

    @property
    def percent(self) -> float:
        """Score as a percentage of ``max_score`` (may exceed 100 with bonus)."""
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (NaN and infinities become ``None``)."""
        data = asdict(self)
        for key in ("metrics", "baseline_metrics", "reference_metrics"):
            data[key] = _metrics_to_json(data[key])
        data["score"] = finite_or_none(self.score)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """Rebuild a report from :meth:`to_dict` output (e.g. read back from the gradebook)."""
        # Unknown keys (e.g. "student" in CLI output, fields of a newer version) are ignored.
        values = {k: v for k, v in data.items() if k in _FIELDS}
        values["criteria"] = [Criterion(**{k: v for k, v in c.items() if k in _CRITERION})
                              for c in values.get("criteria", [])]
        for key in ("metrics", "baseline_metrics", "reference_metrics"):
            values[key] = _metrics_from_json(values.get(key))
        values["score"] = float(values.get("score") or 0.0)
        values["max_score"] = float(values["max_score"])
        values["problems"] = list(values.get("problems", []))
        values["steps"] = [dict(s) for s in values.get("steps") or [] if isinstance(s, dict)]
        return cls(**values)


_FIELDS = {f.name for f in fields(GradeReport)}
_CRITERION = {f.name for f in fields(Criterion)}
