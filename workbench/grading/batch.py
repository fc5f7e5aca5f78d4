"""Grade a folder's worth of submission files: store, resume, write feedback pages.

A crash in one submission scores it 0 with the error and the batch goes on; with a gradebook,
each grade is committed as soon as it is computed, so a rerun with ``resume=True`` skips the
files already graded (same student, same file content) and continues where it stopped.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from workbench.grading.feedback import write_feedback
from workbench.grading.grade import References, grade_file, references
from workbench.grading.report import GradeReport
from workbench.lab import Case, Lab
from workbench.store import Gradebook


def student_keys(paths: Sequence[Path]) -> list[str]:
    """One gradebook key per file: its name without suffix, or its folder's name when names
    collide (LMS bulk downloads put each student's ``solution.json`` in a folder of their own).
    """
    stems = [Path(p).stem for p in paths]
    repeated = {s for s, n in Counter(stems).items() if n > 1}
    keys = [Path(p).parent.name if s in repeated else s for p, s in zip(paths, stems, strict=True)]
    clashes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if clashes:
        raise ValueError(f"several submissions would be stored under the same student "
                         f"{clashes[0]!r}; give one file per student or rename them")
    return keys


def file_digest(path: Path) -> str:
    """sha256 of a submission file ("" if it is not a readable file)."""
    try:
        with Path(path).open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


def grade_batch(lab: Lab, case: Case, paths: Sequence[str | Path], *,
                gradebook: Gradebook | None = None, resume: bool = False,
                feedback_dir: str | Path | None = None, refs: References | None = None,
                progress: bool = True) -> list[tuple[str, GradeReport]]:
    """Grade every file; return ``(student, report)`` pairs in the order given.

    With ``resume`` and a gradebook, a file whose student already has a grade for this very
    file content is not graded again: the stored report is returned.
    """
    paths = [Path(p) for p in paths]
    keys = student_keys(paths)
    if refs is None:
        if progress:
            print(f"Solving the baseline and reference of case {case.case_id}…", file=sys.stderr)
        refs = references(lab, case)
    graded = []
    for student, path in tqdm(list(zip(keys, paths, strict=True)), desc="grading", unit="file",
                              file=sys.stderr, disable=not progress):
        digest = file_digest(path)
        stored = (gradebook.get(lab.slug, case.case_id, student)
                  if gradebook is not None and resume else None)
        if stored is not None and digest and stored.digest == digest:
            graded.append((student, stored.report))
            continue
        report = grade_file(lab, case, path, refs=refs)
        if gradebook is not None:
            gradebook.record(report, student=student, digest=digest)
        if feedback_dir is not None:
            _feedback(lab, case, report, path, refs, Path(feedback_dir) / f"{student}.html")
        graded.append((student, report))
    return graded


def _feedback(lab: Lab, case: Case, report: GradeReport, path: Path, refs: References,
              out: Path) -> None:
    solutions = {"baseline": refs.baseline_solution, "reference": refs.reference_solution}
    if report.valid:
        solutions = {"you": lab.read_submission(path), **solutions}
    write_feedback(lab, case, report, solutions, out)
