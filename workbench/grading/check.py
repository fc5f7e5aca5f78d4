"""A student's self-check (``workbench check``): does my submission work on my case?

It takes what a student may hand in — a data file, a ``.py`` module, a notebook, or a
zip/folder of them — the same way the grader does (:mod:`workbench.grading.intake`). Code runs
in the sandbox on the case's public folder, exactly as when graded; each exercise step is then
checked by its **public** checks in this process, and the checks that need the answer key are
named as "graded by your instructor". The outcome file (a data file, or the one the code
wrote) is read and validated, with the metrics the lab can compute without the key.

With the full case (``private/`` present, e.g. one the student generated to practise) the
result is the full grade report instead.

Long lists of problems are summed up first (:func:`summarise`, or the lab's own
``summarise_problems``), details after. A data file that names another case (its case id) gets
one sentence saying so.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.exercise import StepReport, lab_steps, status_text
from workbench.grading.grade import references
from workbench.grading.intake import IntakeError, classify
from workbench.grading.report import finite_or_none
from workbench.i18n import N_
from workbench.lab import Case, Lab, Problem, SubmissionError

NEEDS_KEY = "the metrics need the answer key; the instructor's grader computes them"
NEEDS_KEY_TO_VALIDATE = (
    "the file is readable; checking it against your case needs the "
    "answer key: graded by your instructor"
)
SUMMARY_AT = 5  # more problems than this are summed up first
KINDS = {"data": N_("data file"), "code": N_("code"), "refused": N_("refused")}  # of a file
MAX_CASE_ID_BYTES = 20 * 2**20


def self_check(
    lab: Lab, case: Case, path: str | Path, *, limits: Any = None, lang: str = "en"
) -> dict[str, Any]:
    """``{"submission", "kind", "case_id", "valid", "problems", "summary", "metrics",
    "steps", "note"}`` as plain JSON types; never raises for a bad submission. With the
    answer key it is the full grade report (``score``/``max_score`` included)."""
    from workbench.i18n import language

    path = Path(path)
    with language(lang):
        if case.private is not None:
            return _full(lab, case, path, limits, lang)
        result: dict[str, Any] = {
            "submission": str(path),
            "kind": "refused",
            "case_id": case.case_id,
            "valid": False,
            "problems": [],
            "summary": [],
            "metrics": {},
            "steps": [],
            "note": "",
        }
        with tempfile.TemporaryDirectory(prefix="workbench-check-") as tmp:
            try:
                intake = classify(
                    path, data_suffixes=tuple(lab.submission_suffixes), dest=Path(tmp) / "intake"
                )
            except IntakeError as exc:
                result["problems"] = [str(exc)]
                return result
            result["kind"] = intake.kind
            if intake.kind == "data":
                assert intake.data_file is not None
                other = other_case(lab, intake.data_file, case)
                if other:
                    result["problems"] = [other]
                    return result
                from workbench.grading.steps import needs_code

                result["steps"] = [s.to_dict() for s in needs_code(lab, lang)]
                _outcome(lab, case, intake.data_file, path.name, result)
                return result
            _code(lab, case, path, Path(tmp) / "run", limits, lang, result)
        return result


def _full(lab: Lab, case: Case, path: Path, limits: Any, lang: str) -> dict[str, Any]:
    from workbench.grading.task import grade_any

    with tempfile.TemporaryDirectory(prefix="workbench-check-") as tmp:
        try:
            classify_kind = classify(
                path, data_suffixes=tuple(lab.submission_suffixes), dest=Path(tmp)
            ).kind
        except IntakeError:
            classify_kind = "refused"
    if classify_kind == "data":
        other = other_case(lab, path, case)
        if other:
            return {
                "submission": str(path),
                "kind": "data",
                "case_id": case.case_id,
                "valid": False,
                "problems": [other],
                "summary": [],
                "metrics": {},
                "steps": [],
                "note": "",
            }
    report, _ = grade_any(lab, case, path, lambda c: references(lab, c), limits=limits, lang=lang)
    data = report.to_dict()
    data.update(kind=classify_kind, summary=summarise(lab, report.problems))
    return data


def _code(
    lab: Lab, case: Case, path: Path, workdir: Path, limits: Any, lang: str, result: dict[str, Any]
) -> None:
    from workbench.grading.sandbox import run_submission_steps
    from workbench.grading.steps import grade_steps

    run = run_submission_steps(lab, path, case.public, limits=limits, workdir=workdir)
    steps = grade_steps(
        lab,
        case,
        run.files,
        with_key=False,
        lang=lang,
        why_not_run=run.reasons[0] if run.reasons and not run.ran else "",
    )
    result["steps"] = [_public_step(lab, s) for s in steps]
    if run.output is None:
        result["problems"] = list(run.reasons) or [
            N_("Your code wrote no {output}; nothing was checked.").format(
                output=lab.code_entry.output
            )
        ]
        result["summary"] = summarise(lab, result["problems"])
        return
    _outcome(
        lab,
        case,
        run.output,
        N_("{file} (written by your code)").format(file=lab.code_entry.output),
        result,
    )
    result["problems"] = list(run.reasons) + result["problems"]


def _public_step(lab: Lab, report: StepReport) -> dict[str, Any]:
    """A step's report for a public-only check: no points (the key decides them), the number
    of checks left to the instructor."""
    step = next(s for s in lab_steps(lab) if s.id == report.id)
    data = report.to_dict()
    data.pop("points")
    data["hidden_checks"] = len(step.hidden_checks)
    return data


def _outcome(lab: Lab, case: Case, file: Path, shown: str, result: dict[str, Any]) -> None:
    """Read and validate the outcome file; metrics when they need no key."""
    try:
        solution = lab.read_submission(file)
    except SubmissionError as exc:
        result["problems"] = [str(p).replace(str(file), shown) for p in exc.problems]
        result["summary"] = summarise(lab, exc.problems)
        return
    except Exception as exc:  # a student's odd file must get an answer, not a traceback
        result["problems"] = [
            f"{shown}: "
            + N_("the submission could not be read ({error})").format(
                error=f"{type(exc).__name__}: {exc}"
            )
        ]
        return
    try:
        problems: list[Problem] = list(lab.validate(case, solution))
    except FileNotFoundError:  # this lab validates against the key: the grader does that
        result["valid"], result["note"] = True, NEEDS_KEY_TO_VALIDATE
        return
    except Exception as exc:
        result["problems"] = [
            f"{shown}: "
            + N_("the submission could not be checked ({error})").format(
                error=f"{type(exc).__name__}: {exc}"
            )
        ]
        return
    result["problems"] = [str(p).replace(str(file), shown) for p in problems]
    result["summary"] = summarise(lab, problems)
    result["valid"] = not any(p.affects is None for p in problems)
    if result["valid"]:
        try:
            metrics = lab.evaluate(case, solution)
            result["metrics"] = {k: finite_or_none(v) for k, v in metrics.items()}
        except Exception:  # public cases lack the answer key that some metrics need
            result["note"] = NEEDS_KEY


# ------------------------------------------------------------------------------ case ids


def submission_case_id(lab: Lab, path: Path) -> str | None:
    """The case id a submission file names: the lab's ``submission_case_id(path)``, else a
    top-level ``case_id`` string of a JSON file; ``None`` when it names none."""
    hook = getattr(lab, "submission_case_id", None)
    if callable(hook):
        try:
            found = hook(path)
        except Exception:  # an unreadable file is reported by read_submission
            return None
        return str(found) if found else None
    if (
        path.suffix.lower() != ".json"
        or not path.is_file()
        or path.stat().st_size > MAX_CASE_ID_BYTES
    ):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, OSError):
        return None
    found = data.get("case_id") if isinstance(data, dict) else None
    return found if isinstance(found, str) and found else None


def stamp_case_id(lab: Lab, path: Path, case_id: str) -> bool:
    """Write ``case_id`` into a JSON submission file (a top-level ``case_id`` field) when the
    lab still reads the file afterwards; restore the file otherwise. True when stamped."""
    path = Path(path)
    if (
        not case_id
        or path.suffix.lower() != ".json"
        or not path.is_file()
        or path.stat().st_size > MAX_CASE_ID_BYTES
    ):
        return False
    original = path.read_bytes()
    try:
        data = json.loads(original.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if not isinstance(data, dict) or "case_id" in data:
        return False
    path.write_text(
        json.dumps({"case_id": case_id, **data}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    try:
        lab.read_submission(path)
    except Exception:  # a strict reader: keep the file as the lab wrote it
        path.write_bytes(original)
        return False
    return True


def other_case_sentence(file_case: str, shown_case: str, *, against: str = "checked") -> str:
    """The one sentence for a file made for another case."""
    from workbench.i18n import t

    if against == "page":
        return t(
            "This file is for case {file_case}; the page shows case {case}.",
            file_case=file_case,
            case=shown_case,
        )
    if against == "graded":
        return t(
            "This file is for case {file_case}; your case is {case}, so it was not graded.",
            file_case=file_case,
            case=shown_case,
        )
    return t(
        "This file is for case {file_case}; you checked it against case {case}.",
        file_case=file_case,
        case=shown_case,
    )


def other_case(lab: Lab, path: Path, case: Case, *, against: str = "checked") -> str | None:
    """One sentence when the file names another case than ``case``, else ``None``
    (``against``: "checked", "graded" or "page", see :func:`other_case_sentence`)."""
    found = submission_case_id(lab, path)
    if found and case.case_id and found != case.case_id:
        return other_case_sentence(found, case.case_id, against=against)
    return None


# ----------------------------------------------------------------------------- summaries

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def summarise(lab: Lab, problems: Sequence[Problem | str]) -> list[str]:
    """A few sentences summing up a long list of problems (empty when short).

    The lab's ``summarise_problems(problems)`` decides when it has one; otherwise problems
    whose messages differ only in numbers are grouped: "37 problems like: stop 12 is late by
    600 min".
    """
    if len(problems) <= SUMMARY_AT:
        return []
    hook = getattr(lab, "summarise_problems", None)
    if callable(hook):
        try:
            return [str(line) for line in hook(list(problems))]
        except Exception:  # a lab's summary must not hide the problems themselves
            pass
    return group_problems(problems)


def group_problems(problems: Sequence[Problem | str], *, limit: int = 5) -> list[str]:
    """Problems of the same shape (same message once numbers are masked) counted together,
    most frequent first, with the largest number seen."""
    from workbench.i18n import problem_text, t

    groups: Counter[str] = Counter()
    example: dict[str, str] = {}
    largest: dict[str, float] = {}
    for p in problems:
        message = p.message if isinstance(p, Problem) else str(p).rsplit(": ", 1)[-1]
        shape = _NUMBER.sub("#", message)
        groups[shape] += 1
        if shape not in example:
            example[shape] = problem_text(p)  # in the reader's language, its data as it is
        numbers = [abs(float(x)) for x in _NUMBER.findall(message)]
        if numbers:
            largest[shape] = max(largest.get(shape, 0.0), max(numbers))
    lines = [t("{n} problems in all; the most frequent first, details below.", n=len(problems))]
    for shape, count in groups.most_common(limit):
        line = (
            t("{count} × {example}", count=count, example=example[shape])
            if count > 1
            else example[shape]
        )
        if count > 1 and shape in largest and "#" in shape:
            line += " " + t("(largest number: {value:g})", value=largest[shape])
        lines.append(line)
    rest = len(groups) - limit
    if rest > 0:
        lines.append(t("and {n} other kinds of problems", n=rest))
    return lines


# ------------------------------------------------------------------------------- display


def format_check(result: dict[str, Any]) -> str:
    """The self-check as text for a terminal (in the current language)."""
    from workbench.i18n import t, translate_message

    lines = [
        t(
            "{submission} ({kind}) on case {case}:",
            submission=result["submission"],
            kind=t(KINDS[result["kind"]]) if result.get("kind") in KINDS else "?",
            case=result.get("case_id", "?"),
        )
    ]
    if result.get("steps"):
        lines.append(t("Steps:"))
        for step in result["steps"]:
            lines += _step_lines(step)
    state = t("valid") if result["valid"] else t("NOT VALID")
    lines.append(t("Outcome: {state}", state=state))
    for line in result.get("summary") or []:
        lines.append(f"  {line}")
    for problem in result["problems"]:
        lines.append("  " + t("problem: {problem}", problem=translate_message(problem)))
    for name, value in (result.get("metrics") or {}).items():
        lines.append(f"  {name} = {value}")
    if "score" in result and result.get("score") is not None:
        lines.append(
            "  " + t("score {score:.2f} / {max:g}", score=result["score"], max=result["max_score"])
        )
    if result.get("note"):
        lines.append("  " + t("note: {note}", note=t(result["note"])))
    return "\n".join(lines)


def _step_lines(step: dict[str, Any]) -> list[str]:
    from workbench.i18n import stored_text, t

    mark = {"passed": "✔", "failed": "✘", "error": "✘", "missing": "✘"}.get(step["status"], "–")
    points = f" ({step['points']:.1f} / {step['max_points']:g})" if "points" in step else ""
    title = stored_text(step["title"])  # stored in the language it was graded in
    lines = [f"  {mark} {title}: {status_text(step['status'])}{points}"]
    if step.get("message"):
        lines.append(f"      {stored_text(step['message'])}")
    for r in step.get("results", []):
        lines.append(
            f"      {'✔' if r['passed'] else '✘'} {stored_text(r['message'] or r['name'])}"
        )
        if not r["passed"] and r.get("hint"):
            lines.append("        " + t("hint: {hint}", hint=stored_text(r["hint"])))
    if step.get("hidden_checks") and step["status"] in ("passed", "failed"):
        lines.append(
            "      "
            + t(
                "{n} more check(s) need the answer key: graded by your instructor",
                n=step["hidden_checks"],
            )
        )
    if (
        step["status"] not in ("passed", "needs_code")
        and step.get("hints")
        and not any(r.get("hint") for r in step.get("results", []))
    ):
        lines.append("      " + t("hint: {hint}", hint=stored_text(step["hints"][0])))
    return lines
