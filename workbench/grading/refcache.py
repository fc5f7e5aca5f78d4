"""Baseline and reference results of a case, cached on disk on the instructor's side.

The reference solve can take a while (about 30 s on a class-size logistics case), and a batch
grades every student against their own case from several worker processes, then again on a
rerun: each case is solved once, by whichever worker needs it first. The cache of a case is
``<folder>/<case_id>/``: the baseline and reference solutions as submission files, and
``refs.json`` (metrics, written last, so a half-written entry is never read).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from workbench.grading.grade import References, references
from workbench.lab import Case, Lab

REFS_FILE = "refs.json"
_MEMO: dict[tuple[str, str, str], References] = {}


def cached_references(lab: Lab, case: Case, folder: str | Path, *, grader: str = "",
                      ) -> References:
    """The case's :class:`References`, from ``folder`` if computed by the same ``grader``
    (a fingerprint of the grading code), else solved now and stored there."""
    entry = Path(folder) / case.case_id
    key = (str(entry.resolve()), case.case_id, grader)
    if key not in _MEMO:
        _MEMO[key] = _load(lab, entry, grader) or _store(lab, case, entry, grader)
    return _MEMO[key]


def _load(lab: Lab, entry: Path, grader: str) -> References | None:
    try:
        data = json.loads((entry / REFS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("grader") != grader:
        return None
    suffix = lab.submission_suffixes[0]
    try:
        base = lab.read_submission(entry / f"baseline{suffix}")
        ref = lab.read_submission(entry / f"reference{suffix}")
    except Exception:  # a damaged cache entry is solved again, never trusted
        return None
    return References(data["baseline"], data["reference"], data.get("sensitivity", {}),
                      base, ref)


def _store(lab: Lab, case: Case, entry: Path, grader: str) -> References:
    refs = references(lab, case)
    entry.mkdir(parents=True, exist_ok=True)
    suffix = lab.submission_suffixes[0]
    for name, solution in (("baseline", refs.baseline_solution),
                           ("reference", refs.reference_solution)):
        tmp = entry / f".{name}.{os.getpid()}{suffix}"
        lab.write_submission(solution, tmp)
        os.replace(tmp, entry / f"{name}{suffix}")
    data = {"grader": grader, "baseline": refs.baseline_metrics,
            "reference": refs.reference_metrics, "sensitivity": refs.sensitivity_metrics}
    tmp = entry / f".{REFS_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, entry / REFS_FILE)  # atomic: concurrent workers write identical content
    return refs
