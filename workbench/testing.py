"""``check_lab``: the conformance suite every lab must pass (like sklearn's check_estimator)."""

from __future__ import annotations

import filecmp
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from workbench.lab import CASE_FILE, KEY_FILE, Case, Lab, SubmissionError

Check = Callable[[Lab, Path], None]


class NotApplicable(Exception):  # noqa: N818 - reads as "the check is not applicable"
    """A check that does not apply to this lab yet (e.g. no exercise steps); the reason says
    why. The conformance suite reports it as skipped, never as passed."""


def _same_tree(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two folders (missing on either side or other bytes)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    diff = sorted(str(p) for p in files_a ^ files_b)
    diff += sorted(str(p) for p in files_a & files_b
                   if not filecmp.cmp(a / p, b / p, shallow=False))
    return diff


def check_determinism(lab: Lab, tmp: Path) -> None:
    a = lab.make_case(7, "tiny", out=tmp / "det_a")
    b = lab.make_case(7, "tiny", out=tmp / "det_b")
    diff = _same_tree(a.root, b.root)
    assert not diff, f"{lab.slug}: seed 7 gave different files: {diff[:5]}"
    c = lab.make_case(8, "tiny", out=tmp / "det_c")
    assert _same_tree(a.public, c.public), f"{lab.slug}: seeds 7 and 8 gave the same case"


def check_separation(lab: Lab, tmp: Path) -> None:
    case = lab.make_case(3, "tiny", out=tmp / "sep")
    meta = json.loads((case.public / CASE_FILE).read_text(encoding="utf-8"))
    assert "seed" not in meta, f"{lab.slug}: the public case file reveals the seed"
    assert case.private is not None and (case.private / KEY_FILE).is_file()
    assert Case.load(case.root).case_id == case.case_id
    public_names = {p.name for p in case.public.rglob("*")} - {CASE_FILE}
    private_names = {p.name for p in case.private.rglob("*")} - {KEY_FILE}
    leaked = public_names & private_names
    assert not leaked, f"{lab.slug}: private files also in public/: {sorted(leaked)}"


def check_methods_are_valid_submissions(lab: Lab, tmp: Path) -> None:
    case = lab.make_case(5, "tiny", out=tmp / "valid")
    for name, method in (("baseline", lab.baseline), ("reference", lab.reference)):
        solution = method(case)
        problems = lab.validate(case, solution)
        assert not problems, f"{lab.slug} {name}: {[str(p) for p in problems]}"
        path = lab.write_submission(solution, tmp / f"{name}{lab.submission_suffixes[0]}")
        again = lab.read_submission(path)
        assert not lab.validate(case, again), f"{lab.slug} {name}: invalid after round trip"
        m1, m2 = lab.evaluate(case, solution), lab.evaluate(case, again)
        assert m1.keys() >= {m.name for m in lab.metrics}, f"{lab.slug}: metrics missing"
        for k in m1:
            assert abs(m1[k] - m2[k]) <= 1e-6 * max(1.0, abs(m1[k])), (
                f"{lab.slug} {name}: metric {k} changed after a file round trip")


def check_malformed_submissions(lab: Lab, tmp: Path) -> None:
    case = lab.make_case(5, "tiny", out=tmp / "bad")
    good = lab.write_submission(lab.baseline(case), tmp / f"good{lab.submission_suffixes[0]}")
    raw = good.read_bytes()
    bad = {"empty": b"", "garbage": b"\x00\xff\xfe not a submission \x80",
           "truncated": raw[: len(raw) // 2], "json_list": b"[1, 2, 3]",
           "text": "这不是答案\n".encode()}
    for name, content in bad.items():
        path = tmp / f"{name}{lab.submission_suffixes[0]}"
        path.write_bytes(content)
        try:
            solution = lab.read_submission(path)
        except SubmissionError as exc:
            assert exc.problems and all(str(p) for p in exc.problems), f"{name}: no message"
            continue
        problems = lab.validate(case, solution)
        assert problems, f"{lab.slug}: malformed submission {name!r} was accepted as valid"
    missing = tmp / "does-not-exist.json"
    try:
        lab.read_submission(missing)
    except SubmissionError as exc:
        assert "does-not-exist" in str(exc), "the message must name the file"
    else:
        raise AssertionError(f"{lab.slug}: reading a missing file did not fail")


def check_claims_on_default_case(lab: Lab, tmp: Path) -> None:
    from workbench.datasets import default_case

    case = default_case(lab)
    base, ref = lab.evaluate(case, lab.baseline(case)), lab.evaluate(case, lab.reference(case))
    failed = []
    for claim in lab.claims:
        value = claim.measure(base, ref)
        if not claim.holds(value):
            failed.append(f"{claim.name}={value:.4g} (claimed {claim.claimed})")
    assert not failed, f"{lab.slug}: claims fail on the default case: {failed}"


def check_page_renders(lab: Lab, tmp: Path) -> None:
    from workbench.app import create_app

    app = create_app()
    import dash

    pages = [p for p in dash.page_registry.values() if p["module"].startswith(f"labs.{lab.slug}")]
    assert pages, f"{lab.slug}: no Dash page registered"
    with app.server.test_request_context("/"):
        for page in pages:
            layout = page["layout"]() if callable(page["layout"]) else page["layout"]
            assert layout is not None and layout.to_plotly_json(), f"{page['path']} is empty"


def _steps_or_skip(lab: Lab) -> tuple:
    from workbench.exercise import lab_folder, lab_steps

    steps = lab_steps(lab)
    if steps:
        return steps
    folder = lab_folder(lab)
    has_file = folder is not None and (folder / "steps.py").is_file()
    raise NotApplicable(f"{lab.slug} declares no exercise steps yet ("
                        + ("steps.py exists but LAB.steps is empty"
                           if has_file else f"no labs/{lab.slug}/steps.py") + ")")


def check_steps_declared(lab: Lab, tmp: Path) -> None:
    """Steps are well formed: unique ids and functions, inputs naming earlier steps, both
    languages given, points split between the steps and the outcome."""
    from workbench.exercise import outcome_points, validate_steps

    steps = _steps_or_skip(lab)
    problems = validate_steps(steps)
    assert not problems, f"{lab.slug}: {problems}"
    for step in steps:
        for name in ("title", "title_zh", "instructions", "instructions_zh", "signature"):
            assert str(getattr(step, name)).strip(), f"{lab.slug} step {step.id}: {name} empty"
        assert step.public_checks, f"{lab.slug} step {step.id}: no public check a student " \
            "can run"
    assert outcome_points(lab) > 0, f"{lab.slug}: outcome_points must be > 0"
    entry = lab.code_entry.function
    assert entry not in {s.function for s in steps}, (
        f"{lab.slug}: the entry function {entry} must not also be a step function")


def _grade_code(lab: Lab, path: Path, tmp: Path) -> object:
    from workbench.grading.grade import references
    from workbench.grading.sandbox import Limits
    from workbench.grading.task import grade_any

    case = lab.make_case(13, "tiny", out=tmp / "steps_case")
    report, _ = grade_any(lab, case, path, lambda c: references(lab, c),
                          limits=Limits(wall_s=300, cpu_s=300))
    return report


def check_solution_passes_steps(lab: Lab, tmp: Path) -> None:
    """The lab's solution (notebook or module, run in the sandbox like a student's code)
    passes every public and hidden check of every step and gives a valid outcome."""
    from workbench.exercise import solution_notebook

    _steps_or_skip(lab)
    path = solution_notebook(lab)
    if path is None or not path.is_file():
        raise NotApplicable(f"{lab.slug} has steps but no solution notebook yet "
                            f"(solution/notebook.ipynb or LAB.solution_notebook)")
    report = _grade_code(lab, path, tmp)
    failed = [f"{s['id']}: {s['status']} {s['message']} "
              + "; ".join(r["message"] for r in s["results"] if not r["passed"])
              for s in report.steps if s["status"] != "passed"]
    assert not failed, f"{lab.slug}: the solution fails steps: {failed}"
    assert report.valid, f"{lab.slug}: the solution's outcome is not valid: {report.problems}"


def check_scaffold_fails_steps(lab: Lab, tmp: Path) -> None:
    """The unmodified student notebook fails every step with a message, and grading it
    never crashes."""
    from workbench.exercise import student_notebook

    steps = _steps_or_skip(lab)
    path = student_notebook(lab)
    if path is None or not path.is_file():
        raise NotApplicable(f"{lab.slug} has steps but no student notebook yet "
                            f"(starter/notebook.ipynb or LAB.student_notebook)")
    report = _grade_code(lab, path, tmp)
    by_id = {s["id"]: s for s in report.steps}
    assert set(by_id) == {s.id for s in steps}, f"{lab.slug}: steps missing from the report"
    passed = [i for i, s in by_id.items() if s["status"] == "passed" or s["points"] > 0]
    assert not passed, f"{lab.slug}: the empty scaffold earns points on steps {passed}"
    silent = [i for i, s in by_id.items() if not (s["message"] or s["results"])]
    assert not silent, f"{lab.slug}: steps {silent} fail without a message"


CHECKS: tuple[Check, ...] = (
    check_determinism,
    check_separation,
    check_methods_are_valid_submissions,
    check_malformed_submissions,
    check_claims_on_default_case,
    check_page_renders,
    check_steps_declared,
    check_solution_passes_steps,
    check_scaffold_fails_steps,
)


def known_failures(lab: Lab) -> dict[str, str]:
    """Checks a lab declares it fails, with the reason (like sklearn's ``_xfail_checks``).

    A lab sets ``known_failures = {"check_name": "why"}``. The check still runs: it must fail
    (a declared failure that passes is an error, so the declaration is removed once fixed).
    """
    declared = dict(getattr(lab, "known_failures", {}) or {})
    names = {c.__name__ for c in CHECKS}
    unknown = sorted(set(declared) - names)
    if unknown:
        raise ValueError(f"{lab.slug}: known_failures names unknown checks {unknown}")
    empty = sorted(k for k, why in declared.items() if not str(why).strip())
    if empty:
        raise ValueError(f"{lab.slug}: known failures need a reason: {empty}")
    return declared


def run_check(lab: Lab, check: Check, tmp: Path) -> str | None:
    """Run one check honouring declared failures; return the reason if it failed as declared.
    Raises :class:`NotApplicable` for a check that does not apply to the lab yet."""
    reason = known_failures(lab).get(check.__name__)
    if reason is None:
        check(lab, tmp)
        return None
    try:
        check(lab, tmp)
    except AssertionError:
        return reason
    raise AssertionError(f"{lab.slug}: {check.__name__} is declared a known failure "
                         f"({reason}) but passes; remove the declaration")


def check_lab(lab: Lab) -> dict[str, str]:
    """Run every conformance check on ``lab``; raise AssertionError on the first unexpected
    failure. Returns the declared known failures that failed as declared, and the checks that
    do not apply yet ("not applicable: ..."), with reasons."""
    failed_as_declared = {}
    with tempfile.TemporaryDirectory() as d:
        for check in CHECKS:
            sub = Path(d) / check.__name__
            sub.mkdir()
            try:
                reason = run_check(lab, check, sub)
            except NotApplicable as exc:
                failed_as_declared[check.__name__] = f"not applicable: {exc}"
                continue
            if reason is not None:
                failed_as_declared[check.__name__] = reason
    return failed_as_declared
