"""The Lab protocol: the one plug-in point of the workbench, and its small value types.

A lab is any object with the attributes and methods of :class:`Lab`. The framework (grading,
store, CLI, app) only ever talks to labs through this protocol, so a new lab is a new package
with an entry point in the ``workbench.labs`` group and nothing else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

SIZES = ("tiny", "class", "large")
CASE_FILE = "case.json"
KEY_FILE = "key.json"


class SubmissionError(ValueError):
    """A submission that cannot be read at all; carries every problem found."""

    def __init__(self, problems: Sequence[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "invalid submission")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, in words a student can act on.

    ``where`` names the file, row, field, vehicle or stop. ``affects`` lists the metric names
    that cannot be credited because of it; ``None`` means the whole submission.

    Given ``params``, ``message`` and ``where`` are English templates marked for the catalogue
    (``Problem(N_("field {field} = {value!r} is not a whole number"), "{file}: " +
    N_("row {row}"), params={...})``; data such as a file name goes in ``params``, never in the
    template): they are kept as ``template`` / ``where_template`` and formatted, so
    ``message``, ``str()`` and ``to_dict()`` stay English, and :meth:`text` shows the problem in
    the reader's language with the data (file names, values) as it is.
    """

    message: str
    where: str = ""
    affects: tuple[str, ...] | None = None
    params: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    template: str = field(default="", compare=False, repr=False)
    where_template: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.params is not None and not self.template:
            params = dict(self.params)
            object.__setattr__(self, "params", params)
            object.__setattr__(self, "template", self.message)
            object.__setattr__(self, "message", self.message.format(**params))
            if self.where:
                object.__setattr__(self, "where_template", self.where)
                object.__setattr__(self, "where", self.where.format(**params))

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def text(self) -> str:
        """The problem in the current language (English: ``str(self)``)."""
        from workbench.i18n import problem_text

        return problem_text(self)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "where": self.where,
                               "affects": list(self.affects) if self.affects is not None
                               else None}
        if self.template:
            out.update(template=self.template, where_template=self.where_template,
                       params={k: _plain(v) for k, v in (self.params or {}).items()})
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        """A problem from :meth:`to_dict` (also one stored before problems had templates)."""
        affects = data.get("affects")
        return cls(str(data.get("message", "")), str(data.get("where", "")),
                   tuple(affects) if affects is not None else None,
                   params=data.get("params") if data.get("template") else None,
                   template=str(data.get("template", "")),
                   where_template=str(data.get("where_template", "")))


def _plain(value: Any) -> Any:
    """A parameter as a JSON value: numpy scalars as Python numbers, anything else as text."""
    value = value.item() if hasattr(value, "item") and callable(value.item) else value
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


@dataclass(frozen=True)
class Metric:
    """A measured quantity. ``weight`` is its share of the rubric (0: reported, not graded)."""

    name: str
    unit: str
    higher_is_better: bool
    weight: float = 0.0
    label: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"metric name {self.name!r} must be an identifier")
        if self.weight < 0:
            raise ValueError(f"metric {self.name}: weight < 0 not understood")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")


MetricValues = Mapping[str, float]


@dataclass(frozen=True)
class Claim:
    """A figure from the case study, stated as data so it can be reproduced and checked.

    ``measure(baseline_metrics, reference_metrics)`` turns the two metric sets of one case into
    the claimed quantity (a relative change, a rate, a ratio). The claim holds when that
    quantity lies within ``[low, high]`` (either bound may be ``None``).
    """

    name: str
    description: str
    claimed: str
    measure: Callable[[MetricValues, MetricValues], float]
    low: float | None = None
    high: float | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError(f"claim {self.name}: give low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"claim {self.name}: low > high")

    def holds(self, value: float) -> bool:
        if value is None or math.isnan(value):
            return False
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


def relative_change(metric: str) -> Callable[[MetricValues, MetricValues], float]:
    """Claim measure: (reference − baseline) / baseline of one metric."""

    def measure(baseline: MetricValues, reference: MetricValues) -> float:
        b = float(baseline[metric])
        return (float(reference[metric]) - b) / b if b else math.nan

    measure.__name__ = f"relative_change_{metric}"
    return measure


def ratio(metric: str) -> Callable[[MetricValues, MetricValues], float]:
    """Claim measure: baseline / reference of one metric (e.g. a speed-up from times)."""

    def measure(baseline: MetricValues, reference: MetricValues) -> float:
        r = float(reference[metric])
        return float(baseline[metric]) / r if r else math.inf

    measure.__name__ = f"ratio_{metric}"
    return measure


def value_of(metric: str, of: str = "reference") -> Callable[[MetricValues, MetricValues], float]:
    """Claim measure: the plain value of one metric of the baseline or the reference."""
    if of not in ("baseline", "reference"):
        raise ValueError("of must be 'baseline' or 'reference'")

    def measure(baseline: MetricValues, reference: MetricValues) -> float:
        return float((reference if of == "reference" else baseline)[metric])

    measure.__name__ = f"{of}_{metric}"
    return measure


@dataclass(frozen=True)
class CodeEntry:
    """How a code submission is run: the sandbox imports the student's module, calls
    ``function(public_dir: Path, out_dir: Path)``, and the trusted parent then reads
    ``out_dir / output`` with the lab's ``read_submission``."""

    function: str
    output: str
    doc: str = ""


@dataclass(frozen=True)
class Case:
    """A generated case on disk: ``root/public`` (what a student may see) and ``root/private``
    (answer key, hidden simulator parameters). ``private`` is ``None`` on a student's machine."""

    lab: str
    root: Path
    size: str = "class"
    case_id: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def public(self) -> Path:
        return self.root / "public"

    @property
    def private(self) -> Path | None:
        p = self.root / "private"
        return p if p.is_dir() else None

    def key(self) -> dict[str, Any]:
        """The private answer-key metadata (seed and generator parameters)."""
        if self.private is None:
            raise FileNotFoundError(
                f"{self.root}: this case has no private/ folder (answer key); "
                "only the instructor's copy can be scored in full")
        return json.loads((self.private / KEY_FILE).read_text(encoding="utf-8"))

    @classmethod
    def load(cls, root: str | Path, lab: str | None = None) -> Case:
        """Open a case folder written by ``make_case`` (or the ``public`` folder itself)."""
        root = Path(root)
        if root.name == "public" and (root / CASE_FILE).is_file():
            root = root.parent
        meta_path = root / "public" / CASE_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(
                f"{root}: not a case folder (expected {meta_path}); create one with "
                "`workbench data generate LAB --seed N --out DIR`")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if lab is not None and meta.get("lab") != lab:
            raise ValueError(f"{root} is a case of lab {meta.get('lab')!r}, not {lab!r}")
        return cls(lab=meta["lab"], root=root, size=meta.get("size", "class"),
                   case_id=meta.get("case_id", ""), info=meta)


def write_case_meta(root: Path, lab: str, seed: int, size: str, **info: Any) -> Case:
    """Write the public and private metadata files of a freshly generated case.

    The public file carries an opaque case id, never the seed: a per-student seed must stay
    secret or the answer key could be regenerated from the open-source generator.
    """
    import hashlib

    case_id = hashlib.sha256(f"{lab}:{seed}:{size}".encode()).hexdigest()[:12]
    (root / "public").mkdir(parents=True, exist_ok=True)
    (root / "private").mkdir(parents=True, exist_ok=True)
    meta = {"lab": lab, "size": size, "case_id": case_id, **info}
    dump_json(meta, root / "public" / CASE_FILE)
    dump_json({"lab": lab, "seed": seed, "size": size}, root / "private" / KEY_FILE)
    return Case(lab=lab, root=root, size=size, case_id=case_id, info=meta)


def dump_json(obj: Any, path: Path) -> None:
    """Write JSON deterministically (sorted keys, fixed separators, trailing newline)."""
    path.write_text(json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def check_size(size: str) -> str:
    if size not in SIZES:
        raise ValueError(f"size {size!r} not understood; use one of {', '.join(SIZES)}")
    return size


@runtime_checkable
class Lab(Protocol):
    """What every lab provides. Solutions are lab-specific plain objects.

    Optional, for a lab with an exercise (see :mod:`workbench.exercise` and
    docs/adding-a-lab.md): ``steps`` (a tuple of :class:`~workbench.exercise.Step`, the work
    the student writes), ``outcome_points`` (the grade's share earned by the metrics; the
    steps earn the sum of their points), ``student_notebook`` and ``solution_notebook`` (paths
    of the scaffold handed out and of the instructor's solution; by default
    ``starter/notebook.ipynb`` and ``solution/notebook.ipynb`` in the lab's package) and
    ``summarise_problems(problems) -> list[str]`` (a few sentences that sum up a long list of
    problems). They are not protocol members, so a lab without them stays a Lab.
    """

    slug: str
    title: str
    summary: str  # one paragraph: what the lab teaches
    metrics: tuple[Metric, ...]
    claims: tuple[Claim, ...]
    submission_suffixes: tuple[str, ...]  # file suffixes a submission may have, e.g. (".json",)
    code_entry: CodeEntry  # the function a code submission implements

    def make_case(self, seed: int, size: str = "class", *, out: Path) -> Case: ...

    def baseline(self, case: Case) -> Any: ...

    def reference(self, case: Case) -> Any: ...

    def sensitivity_baselines(self, case: Case) -> dict[str, Any]:
        """Further baselines shown for the honest lesson that effects depend on the control."""
        ...

    def read_submission(self, path: Path) -> Any:
        """Read a submission file; raise SubmissionError listing every problem."""
        ...

    def write_submission(self, solution: Any, path: Path) -> Path: ...

    def validate(self, case: Case, solution: Any) -> list[Problem]:
        """Problems of a readable solution against a case (feasibility, coverage...)."""
        ...

    def evaluate(self, case: Case, solution: Any) -> dict[str, float]: ...

    def figures(self, case: Case, solutions: Mapping[str, Any]) -> list[Any]:
        """Plotly figures that show why a solution scored as it did (feedback pages)."""
        ...

    def register_pages(self) -> None:
        """Register the lab's Dash page(s); called by the app shell after the app exists."""
        ...


def __getattr__(name: str) -> Any:
    """``Step``, ``Check`` and ``CheckResult`` live in :mod:`workbench.exercise`; importing
    them from here works too (lazily: that module imports this one)."""
    if name in ("Step", "Check", "CheckResult", "CheckContext", "StepReport"):
        from workbench import exercise

        return getattr(exercise, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
