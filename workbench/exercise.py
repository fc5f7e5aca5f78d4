"""Exercise steps: the work a student does, each step checked by public and hidden checks.

A lab exposes ``steps``: an ordered tuple of frozen :class:`Step`. Each step names the function
the student implements (``function``, ``signature``, ``doc``), the earlier steps whose outputs
it receives (``inputs``; ``"public_dir"`` stands for the student's public folder), the kind of
value it returns (``output``), its points, hints, and two sets of :class:`Check`:

* **public checks** need only the public folder: a student runs them in the notebook with
  :func:`check` and on the command line with ``workbench check``;
* **hidden checks** get the case *with* its answer key (:attr:`CheckContext.case`); only the
  grader runs them, on the student's case and on hidden cases.

Student step functions run only where student code runs: in the sandbox (grading,
``workbench check``) or in the student's own notebook. Each return value is serialised to a
file (:func:`encode_value`: JSON, a DataFrame as CSV plus its dtypes, or text), read back with
bounds (:func:`decode_value`) and checked in the trusted process. A step whose input step
produced nothing is *skipped* ("needs step X"). A check that crashes on an odd value fails
with a message: nothing a student returns can crash the grader.

A lab states its split of points: ``sum(step.points)`` for the steps plus ``outcome_points``
for the outcome metrics (rescaled from the metric weights). A lab without ``steps`` is graded
on its metrics alone, as before.
"""

from __future__ import annotations

import inspect
import io
import json
import math
import os
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from workbench.lab import CASE_FILE, Case

__all__ = [
    "PUBLIC_DIR",
    "RELEASE_PUBLIC",
    "SANDBOX_ENV",
    "Check",
    "CheckContext",
    "CheckResult",
    "Step",
    "StepReport",
    "check",
    "checker",
    "decode_value",
    "encode_value",
    "find_step",
    "lab_steps",
    "outcome_points",
    "public_dir",
    "run_checks",
    "solution_notebook",
    "student_notebook",
    "step_points",
    "validate_steps",
]

OutputKind = Literal["json", "frame", "text"]
OUTPUT_KINDS: tuple[str, ...] = ("json", "frame", "text")
PUBLIC_DIR = "public_dir"  # the input name that stands for the student's public folder
RELEASE_PUBLIC = Path("case") / "public"  # where a release zip puts the public files
CASE_VARIABLE = "CASE_DIR"  # the notebook's parameter cell sets this
SANDBOX_ENV = "WORKBENCH_SANDBOX"  # set inside the sandbox: check() does nothing there
PUBLIC_ENV = "WORKBENCH_PUBLIC"  # the public folder inside the sandbox
LANG_ENV = "WORKBENCH_LANG"
MAX_VALUE_BYTES = 16 * 2**20  # a step's serialised value read back at most this big

# Step outcomes (StepReport.status)
PASSED, FAILED, NOT_DONE, ERROR, SKIPPED, MISSING, NEEDS_CODE, NOT_RUN = (
    "passed",
    "failed",
    "not_done",
    "error",
    "skipped",
    "missing",
    "needs_code",
    "not_run",
)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one step's output."""

    name: str
    passed: bool
    message: str = ""
    hint: str = ""
    hidden: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "hint": self.hint,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class CheckContext:
    """What a check sees besides the step's output.

    ``public`` is the student's public folder and ``info`` its ``case.json``. ``case`` is the
    case *with its answer key* for hidden checks and ``None`` for public checks. ``outputs``
    holds the (deserialised) outputs of the other steps that produced one. ``lang`` is the
    language of messages ("en" or "zh").
    """

    public: Path
    info: Mapping[str, Any] = field(default_factory=dict)
    case: Case | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    lang: str = "en"

    def key(self) -> dict[str, Any]:
        """The answer-key metadata (hidden checks only)."""
        if self.case is None:
            raise PermissionError("a public check cannot read the answer key")
        return self.case.key()


CheckFn = Callable[[Any, CheckContext], "CheckResult | bool | str | None"]


@dataclass(frozen=True)
class Check:
    """One check of a step's output. ``run(output, ctx)`` returns a :class:`CheckResult`, or
    ``True``/``None`` (passed), ``False`` (failed: ``description`` is the message) or a string
    (failed, with that message). An exception inside ``run`` fails the check with a message.
    ``weight`` is its share of the step's points (relative to the step's other checks)."""

    name: str
    description: str
    run: CheckFn
    description_zh: str = ""
    hint: str = ""
    hint_zh: str = ""
    weight: float = 1.0

    def text(self, lang: str) -> str:
        return (self.description_zh or self.description) if lang == "zh" else self.description

    def hint_text(self, lang: str) -> str:
        return (self.hint_zh or self.hint) if lang == "zh" else self.hint


@dataclass(frozen=True)
class Step:
    """One graded step of a lab's exercise (see the module docstring)."""

    id: str
    title: str
    title_zh: str
    instructions: str
    instructions_zh: str
    function: str
    signature: str
    doc: str
    points: float
    inputs: tuple[str, ...] = ()
    output: str = "json"
    hints: tuple[str, ...] = ()
    hints_zh: tuple[str, ...] = ()
    public_checks: tuple[Check, ...] = ()
    hidden_checks: tuple[Check, ...] = ()

    def __post_init__(self) -> None:
        if not self.id.isidentifier():
            raise ValueError(f"step id {self.id!r} must be an identifier")
        if not self.function.isidentifier():
            raise ValueError(f"step {self.id}: function {self.function!r} is not a Python name")
        if self.output not in OUTPUT_KINDS:
            raise ValueError(
                f"step {self.id}: output {self.output!r} not understood; use one "
                f"of {', '.join(OUTPUT_KINDS)}"
            )
        if not (
            isinstance(self.points, int | float) and math.isfinite(self.points) and self.points >= 0
        ):
            raise ValueError(f"step {self.id}: points must be a number >= 0")
        if not self.public_checks and not self.hidden_checks:
            raise ValueError(f"step {self.id}: give at least one public or hidden check")
        names = [c.name for c in self.public_checks + self.hidden_checks]
        if len(set(names)) != len(names):
            raise ValueError(f"step {self.id}: check names repeat: {names}")

    def title_in(self, lang: str) -> str:
        return (self.title_zh or self.title) if lang == "zh" else self.title

    def instructions_in(self, lang: str) -> str:
        return (self.instructions_zh or self.instructions) if lang == "zh" else self.instructions

    def hints_in(self, lang: str) -> tuple[str, ...]:
        return (self.hints_zh or self.hints) if lang == "zh" else self.hints

    @property
    def step_inputs(self) -> tuple[str, ...]:
        """The earlier steps this one needs (``inputs`` without ``public_dir``)."""
        return tuple(i for i in self.inputs if i != PUBLIC_DIR)

    def spec(self) -> dict[str, Any]:
        """What the sandbox needs to run the step (plain JSON: no checks, no texts)."""
        return {
            "id": self.id,
            "function": self.function,
            "inputs": list(self.inputs),
            "output": self.output,
        }


@dataclass(frozen=True)
class StepReport:
    """What happened to one step: its status, points and each check's result.

    ``status``: ``passed`` (every check passed), ``failed`` (some failed), ``not_done`` (the
    function raises NotImplementedError), ``error`` (it raised something else), ``missing``
    (no such function), ``skipped`` (an input step produced nothing), ``needs_code`` (a data
    submission), ``not_run`` (the code did not run, e.g. it was stopped). ``output`` is the
    deserialised value (kept in the notebook, never stored in a grade).
    """

    id: str
    title: str
    status: str
    points: float
    max_points: float
    message: str = ""
    results: tuple[CheckResult, ...] = ()
    hints: tuple[str, ...] = ()
    output: Any = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
            "results": [r.to_dict() for r in self.results],
            "hints": list(self.hints),
        }


# ----------------------------------------------------------------------------- lab helpers


def lab_folder(lab: Any) -> Path | None:
    """The folder of the lab's package (where ``steps.py``, ``starter/`` and ``solution/``
    live), ``None`` if the lab is not a module on disk."""
    import sys

    module = sys.modules.get(type(lab).__module__)
    file = getattr(module, "__file__", None)
    return Path(file).parent if file else None


def _exercise_file(lab: Any, attribute: str, *default: str) -> Path | None:
    declared = getattr(lab, attribute, None)
    if declared:
        return Path(declared)
    folder = lab_folder(lab)
    path = folder.joinpath(*default) if folder is not None else None
    return path if path is not None and path.is_file() else None


def student_notebook(lab: Any) -> Path | None:
    """The notebook handed out (``lab.student_notebook``, else ``starter/notebook.ipynb``)."""
    return _exercise_file(lab, "student_notebook", "starter", "notebook.ipynb")


def solution_notebook(lab: Any) -> Path | None:
    """The instructor's solution (``lab.solution_notebook``, else
    ``solution/notebook.ipynb``): a notebook or a module; never handed out."""
    return _exercise_file(lab, "solution_notebook", "solution", "notebook.ipynb")


def lab_steps(lab: Any) -> tuple[Step, ...]:
    """The lab's steps (``()`` for a lab without an exercise)."""
    return tuple(getattr(lab, "steps", ()) or ())


def step_points(lab: Any) -> float:
    return float(sum(s.points for s in lab_steps(lab)))


def outcome_points(lab: Any) -> float:
    """Points of the outcome metrics: the lab's ``outcome_points``; without steps, the sum of
    the metric weights (the grade as it was before steps)."""
    declared = getattr(lab, "outcome_points", None)
    if declared is not None:
        return float(declared)
    if lab_steps(lab):
        raise ValueError(
            f"lab {lab.slug}: it has steps, so state outcome_points (the share "
            "of the grade earned by the metrics)"
        )
    return float(sum(m.weight for m in lab.metrics))


def validate_steps(steps: Sequence[Step]) -> list[str]:
    """Mistakes in a lab's step list (empty when fine): ids and functions unique, inputs
    naming earlier steps or ``public_dir``."""
    problems, seen, functions = [], set(), set()
    for step in steps:
        if not isinstance(step, Step):
            problems.append(f"{step!r} is not a workbench.exercise.Step")
            continue
        if step.id in seen:
            problems.append(f"step id {step.id!r} repeats")
        if step.function in functions:
            problems.append(f"step {step.id}: function {step.function!r} repeats")
        for name in step.step_inputs:
            if name not in seen:
                problems.append(
                    f"step {step.id}: input {name!r} is not an earlier step (or {PUBLIC_DIR!r})"
                )
        seen.add(step.id)
        functions.add(step.function)
    return problems


def find_step(steps: Sequence[Step], step_id: str) -> Step:
    for step in steps:
        if step.id == step_id:
            return step
    known = ", ".join(s.id for s in steps) or "none"
    raise KeyError(f"no step {step_id!r}; the steps are: {known}")


# ------------------------------------------------------------------------ values <-> files


def encode_value(value: Any, kind: str) -> tuple[str, bytes, dict[str, Any]]:
    """``(suffix, bytes, meta)`` of a step's return value; raise TypeError/ValueError when the
    value is not of the step's kind. The sandbox uses the same function (see runner.py)."""
    from workbench.grading.runner import encode_value as encode

    return encode(value, kind)


def decode_value(data: bytes, kind: str, meta: Mapping[str, Any] | None = None) -> Any:
    """The value back from :func:`encode_value`'s bytes (bounded; raise ValueError if the
    bytes are not what the kind says)."""
    if len(data) > MAX_VALUE_BYTES:
        raise ValueError(f"the value is {len(data)} bytes, more than {MAX_VALUE_BYTES} allowed")
    meta = dict(meta or {})
    if kind == "text":
        return data.decode("utf-8", errors="replace")
    if kind == "json":
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ValueError(f"not readable as JSON ({type(exc).__name__})") from None
    if kind == "frame":
        return _read_frame(data, meta)
    raise ValueError(f"output kind {kind!r} not understood")


def _read_frame(data: bytes, meta: Mapping[str, Any]) -> Any:
    import pandas as pd

    dtypes = meta.get("dtypes") if isinstance(meta.get("dtypes"), dict) else {}
    text_columns = {
        c: "string"
        for c, d in dtypes.items()
        if isinstance(d, str) and (d in ("object", "str") or d.startswith("string"))
    }
    if not data.strip():
        return pd.DataFrame(columns=[str(c) for c in meta.get("columns", [])])
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=text_columns or None, keep_default_na=True)
    except Exception as exc:  # pandas raises many types on bad CSV
        raise ValueError(
            f"not readable as a table ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None
    for column, dtype in dtypes.items():
        if column not in frame.columns or not isinstance(dtype, str):
            continue
        if dtype.startswith("datetime64"):
            tz = "UTC" if "UTC" in dtype or "+" in dtype else None
            frame[column] = pd.to_datetime(
                frame[column], errors="coerce", utc=tz == "UTC", format="mixed"
            )
        elif dtype.startswith("timedelta"):
            frame[column] = pd.to_timedelta(frame[column], errors="coerce")
        elif dtype in ("bool", "boolean") and frame[column].dtype != bool:
            frame[column] = frame[column].map(
                {"True": True, "False": False, True: True, False: False}
            )
    return frame


# ------------------------------------------------------------------------------- checking


def _as_result(check: Check, raw: Any, lang: str, hidden: bool) -> CheckResult:
    hint = check.hint_text(lang)
    if isinstance(raw, CheckResult):
        return replace(
            raw,
            name=raw.name or check.name,
            hidden=hidden,
            hint=raw.hint or (hint if not raw.passed else ""),
        )
    if raw is None or raw is True:
        return CheckResult(check.name, True, check.text(lang), "", hidden)
    if raw is False:
        return CheckResult(check.name, False, check.text(lang), hint, hidden)
    if isinstance(raw, str):
        return CheckResult(check.name, False, raw, hint, hidden)
    return CheckResult(
        check.name,
        False,
        f"{check.text(lang)} (the check returned "
        f"{type(raw).__name__}; a lab bug, tell the instructor)",
        hint,
        hidden,
    )


def run_checks(step: Step, output: Any, ctx: CheckContext, *, hidden: bool) -> list[CheckResult]:
    """Run the step's public checks (and hidden ones when ``hidden``) on ``output``. A check
    that raises fails with a sentence; nothing here raises for a student's value."""
    from workbench.i18n import t

    checks = [(c, False) for c in step.public_checks]
    if hidden:
        checks += [(c, True) for c in step.hidden_checks]
    public_ctx = replace(ctx, case=None)  # a public check never sees the answer key
    results = []
    for check_, is_hidden in checks:
        try:
            raw = check_.run(output, ctx if is_hidden else public_ctx)
        except Exception as exc:  # a student's odd value must give a sentence, not a crash
            raw = CheckResult(
                check_.name,
                False,
                t(
                    "{check}: your output could not be checked ({error}); return what the step "
                    "asks for",
                    check=check_.text(ctx.lang),
                    error=f"{type(exc).__name__}: {str(exc)[:160]}",
                ),
            )
        results.append(_as_result(check_, raw, ctx.lang, is_hidden))
    return results


def score_step(step: Step, results: Sequence[CheckResult], *, with_hidden: bool) -> float:
    """The step's points earned by ``results`` (checks weighted by ``Check.weight``)."""
    checks = list(step.public_checks) + (list(step.hidden_checks) if with_hidden else [])
    total = sum(c.weight for c in checks)
    if total <= 0:
        return 0.0
    passed = {r.name for r in results if r.passed}
    return step.points * sum(c.weight for c in checks if c.name in passed) / total


def step_report(step: Step, output: Any, ctx: CheckContext, *, hidden: bool) -> StepReport:
    """Check one produced output; ``passed`` when every check run passed."""
    results = run_checks(step, output, ctx, hidden=hidden)
    ok = all(r.passed for r in results)
    return StepReport(
        step.id,
        step.title_in(ctx.lang),
        PASSED if ok else FAILED,
        score_step(step, results, with_hidden=hidden),
        step.points,
        "",
        tuple(results),
        () if ok else step.hints_in(ctx.lang),
        output,
    )


def missing_function_report(step: Step, lang: str = "en") -> StepReport:
    """The report of a step whose function the student has not defined."""
    from workbench.i18n import t

    message = t(
        "define the function {signature} (it is not in your notebook or module)",
        signature=step.signature or step.function,
    )
    return unrun_report(step, MISSING, message, lang)


def unrun_report(step: Step, status: str, message: str, lang: str = "en") -> StepReport:
    """A step that produced no output (not done, error, missing, skipped...): 0 points."""
    return StepReport(
        step.id,
        step.title_in(lang),
        status,
        0.0,
        step.points,
        message,
        (),
        step.hints_in(lang) if status in (NOT_DONE, ERROR, FAILED) else (),
    )


# --------------------------------------------------------------------- in the notebook


def in_sandbox() -> bool:
    return os.environ.get(SANDBOX_ENV) == "1"


def public_dir(default: str | Path = RELEASE_PUBLIC) -> Path:
    """The public folder to work on: the sandbox's when graded, else ``default`` (a public
    folder, or a case folder holding ``public/``)."""
    inside = os.environ.get(PUBLIC_ENV)
    if in_sandbox() and inside:
        return Path(inside)
    return _public_of(Path(default))


def _public_of(folder: Path) -> Path:
    if (folder / "public" / CASE_FILE).is_file():
        return folder / "public"
    return folder


def student_language(lang: str | None = None) -> str:
    """``lang``, else the ``WORKBENCH_LANG`` environment variable, as ``en`` or ``zh``."""
    code = lang or os.environ.get(LANG_ENV) or "en"
    code = code.split("_")[0].split("-")[0].lower()
    return code if code in ("en", "zh") else "en"


def check(
    step_id: str,
    *,
    lab: Any = None,
    case: str | Path | None = None,
    lang: str | None = None,
    namespace: Mapping[str, Any] | None = None,
    quiet: bool = False,
) -> StepReport:
    """Run one step's public checks on the student's function, in the notebook.

    The function is looked up in ``namespace`` (default: the caller's globals, i.e. the
    notebook). Its inputs come from the earlier steps' functions, run the same way. The data
    is the public folder ``case`` (default: the notebook's ``CASE_DIR`` variable, else the
    release layout ``case/public``). Prints what passed, what failed and a hint in the
    student's language (``lang``, else ``WORKBENCH_LANG``, else English) and returns the
    :class:`StepReport`. A ``NotImplementedError`` means "not done yet". Inside the sandbox
    it does nothing: the grader runs the checks itself.
    """
    from workbench.i18n import language, t

    code = student_language(lang)
    if in_sandbox():
        return StepReport(step_id, step_id, NOT_RUN, 0.0, 0.0, "checked by the grader")
    if namespace is None:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
    with language(code):
        try:
            the_lab = _resolve_lab(lab, namespace, step_id)
            steps = lab_steps(the_lab)
            step = find_step(steps, step_id)
        except (KeyError, LookupError, ValueError) as exc:
            message = str(exc.args[0] if exc.args else exc)
            if not quiet:
                print(t("Cannot check {step}: {reason}", step=step_id, reason=message))
            return StepReport(step_id, step_id, ERROR, 0.0, 0.0, message)
        folder = public_dir(
            case if case is not None else namespace.get(CASE_VARIABLE, RELEASE_PUBLIC)
        )
        if not (folder / CASE_FILE).is_file():
            message = t(
                "{folder} is not your case's public folder (no {file}); set {var} in "
                "the parameter cell to the folder of your case",
                folder=str(folder),
                file=CASE_FILE,
                var=CASE_VARIABLE,
            )
            report = unrun_report(step, NOT_RUN, message, code)
        else:
            report = _check_in_process(the_lab, steps, step, folder, namespace, code)
        if not quiet:
            print(format_step_report(report, steps=steps))
    return report


def checker(lab: str) -> Callable[..., StepReport]:
    """``check`` bound to one lab, for a lab's kit: ``check = checker("welding")``."""

    def check_step(step_id: str, **options: Any) -> StepReport:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        options.setdefault("namespace", caller.f_globals if caller is not None else {})
        return check(step_id, lab=lab, **options)

    check_step.__doc__ = check.__doc__
    return check_step


def _resolve_lab(lab: Any, namespace: Mapping[str, Any], step_id: str) -> Any:
    """A Lab object, a registered slug, or ``module:attribute`` (a lab not installed)."""
    if lab is not None and not isinstance(lab, str):
        return lab
    slug = lab or namespace.get("LAB_SLUG") or os.environ.get("WORKBENCH_LAB")
    from workbench import registry

    if slug and ":" in str(slug):
        import importlib

        module, _, attr = str(slug).partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise LookupError(f"lab {slug!r} cannot be loaded ({exc})") from None
    if slug:
        return registry.get_lab(str(slug))
    owners = [x for x in registry.labs().values() if any(s.id == step_id for s in lab_steps(x))]
    if len(owners) == 1:
        return owners[0]
    raise LookupError("say which lab: check(step, lab='SLUG') or set LAB_SLUG in the notebook")


def _check_in_process(
    lab: Any,
    steps: Sequence[Step],
    step: Step,
    public: Path,
    namespace: Mapping[str, Any],
    lang: str,
) -> StepReport:
    """Run ``step`` and the steps it needs on ``public`` in this process; check the result.

    The values of the steps it needs are kept in the notebook (``_workbench_check_cache``) and
    reused while their functions and inputs are the same objects: checking the last step does
    not redo a long optimisation an earlier check already ran. The checked step always runs.
    """
    from workbench.i18n import t

    produced: dict[str, Any] = {}
    failed: dict[str, StepReport] = {}
    cache = _check_cache(namespace)

    def produce(s: Step) -> Any:
        if s.id in produced or s.id in failed:
            return
        for name in s.step_inputs:
            produce(find_step(steps, name))
        blocked = [n for n in s.step_inputs if n not in produced]
        if blocked:
            failed[s.id] = unrun_report(
                s, SKIPPED, t("skipped: needs step {step} first", step=blocked[0]), lang
            )
            return
        key = (
            namespace.get(s.function),
            str(public),
            tuple(id(produced[n]) for n in s.step_inputs),
        )
        kept = cache.get(s.id)
        if s.id != step.id and kept is not None and kept[0] == key and key[0] is not None:
            produced[s.id] = kept[1]
            return
        outcome = call_step(s, namespace, public, produced, lang)
        if isinstance(outcome, StepReport):
            failed[s.id] = outcome
            cache.pop(s.id, None)
        else:
            produced[s.id] = outcome
            cache[s.id] = (key, outcome)

    produce(step)
    if step.id in failed:
        return failed[step.id]
    info = _public_info(public)
    ctx = CheckContext(public=public, info=info, case=None, outputs=dict(produced), lang=lang)
    return step_report(step, produced[step.id], ctx, hidden=False)


def _check_cache(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's cache of step values (a throwaway one if the namespace is read-only)."""
    if isinstance(namespace, dict):
        return namespace.setdefault("_workbench_check_cache", {})
    return {}


def call_step(
    step: Step, namespace: Mapping[str, Any], public: Path, produced: Mapping[str, Any], lang: str
) -> Any:
    """Call the student's function of ``step`` and round-trip its value through the grader's
    serialisation; a :class:`StepReport` (0 points) when there is no value."""
    from workbench.i18n import t

    function = namespace.get(step.function)
    if not callable(function):
        return missing_function_report(step, lang)
    args = [public if name == PUBLIC_DIR else produced[name] for name in step.inputs]
    try:
        value = function(*args)
    except NotImplementedError:
        return unrun_report(
            step,
            NOT_DONE,
            t("not done yet: {function} raises NotImplementedError", function=step.function),
            lang,
        )
    except Exception as exc:
        return unrun_report(
            step,
            ERROR,
            t(
                "{function} stopped with an error: {error}",
                function=step.function,
                error=describe_error(exc),
            ),
            lang,
        )
    try:
        _, data, meta = encode_value(value, step.output)
        return decode_value(data, step.output, meta)
    except Exception as exc:
        return unrun_report(
            step,
            ERROR,
            t(
                "{function} returned something the grader cannot store: {error}",
                function=step.function,
                error=str(exc)[:200],
            ),
            lang,
        )


def describe_error(exc: BaseException) -> str:
    """``TypeError: ... (line 12 of your code)``: one line, no traceback."""
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        where = f" (line {last.lineno} of {Path(last.filename).name})"
    return f"{type(exc).__name__}: {str(exc)[:200]}{where}"


def _public_info(public: Path) -> dict[str, Any]:
    try:
        data = json.loads((public / CASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# ----------------------------------------------------------------------------- printing

_MARK = {
    PASSED: "✔",
    FAILED: "✘",
    NOT_DONE: "…",
    ERROR: "✘",
    MISSING: "✘",
    SKIPPED: "–",
    NEEDS_CODE: "–",
    NOT_RUN: "–",
}


def status_text(status: str) -> str:
    from workbench.i18n import t

    texts = {
        PASSED: t("passed"),
        FAILED: t("failed"),
        NOT_DONE: t("not done yet"),
        ERROR: t("error"),
        MISSING: t("missing"),
        SKIPPED: t("skipped"),
        NEEDS_CODE: t("needs your code"),
        NOT_RUN: t("not run"),
    }
    return texts.get(status, status)


def format_step_report(
    report: StepReport, *, steps: Sequence[Step] = (), public_only: bool = True
) -> str:
    """The report of one step as text lines for a notebook or a terminal."""
    from workbench.i18n import t

    head = f"{_MARK.get(report.status, '?')} {report.title}: {status_text(report.status)}"
    lines = [head]
    if report.message:
        lines.append(f"    {report.message}")
    for r in report.results:
        mark = "✔" if r.passed else "✘"
        lines.append(f"    {mark} {r.message or r.name}")
        if not r.passed and r.hint:
            lines.append("      " + t("hint: {hint}", hint=r.hint))
    step = next((s for s in steps if s.id == report.id), None)
    if step is not None and step.hidden_checks and public_only and report.results:
        lines.append(
            "    "
            + t(
                "{n} more check(s) need the answer key: graded by your instructor",
                n=len(step.hidden_checks),
            )
        )
    if report.status != PASSED and report.hints and not any(r.hint for r in report.results):
        lines.append("    " + t("hint: {hint}", hint=report.hints[0]))
    return "\n".join(lines)
