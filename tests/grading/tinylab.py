"""A tiny stand-in lab for the sandbox tests: the answer is the sum of public numbers.

``read_submission`` is a strict, trusted reader: JSON only, ``{"value": finite number}``;
extra keys are ignored (hostile tests use them to report what they found). ``points`` is the
honest score: 100 for the right sum, else 0.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from workbench.lab import CodeEntry, SubmissionError

SECRET = "TOP-SECRET-ANSWER-KEY-7f3a9c"
OTHER_STUDENT = "OTHER-STUDENT-WORK-51e2d0"
NUMBERS = [3, 5, 8, 13, 13]
ANSWER = sum(NUMBERS)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


class TinyLab:
    slug = "tiny"
    submission_suffixes = (".json",)
    code_entry = CodeEntry("solve", "plan.json", "write {'value': sum of numbers}")

    def read_submission(self, path: Path) -> float:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"),
                             parse_constant=_refuse_constant)
        except FileNotFoundError as exc:
            raise SubmissionError(f"{Path(path).name}: file not found") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise SubmissionError(f"{Path(path).name}: not valid JSON ({exc})") from exc
        value = raw.get("value") if isinstance(raw, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SubmissionError(f"{Path(path).name}: field 'value' must be a number")
        if not math.isfinite(value):
            raise SubmissionError(f"{Path(path).name}: field 'value' is not finite")
        return float(value)


LAB = TinyLab()


def points(path: Path | None) -> tuple[int, list[str]]:
    """The trusted grader of the tiny lab: read the file, compare with the answer."""
    if path is None:
        return 0, []
    try:
        value = LAB.read_submission(path)
    except SubmissionError as exc:
        return 0, [str(exc)]
    return (100, []) if value == ANSWER else (0, [f"value {value} is not the right sum"])


def make_case(root: Path) -> tuple[Path, Path]:
    """public/ with the numbers, private/ with the secret key; returns (public, key file)."""
    public, private = root / "public", root / "private"
    public.mkdir(parents=True)
    private.mkdir()
    (public / "data.json").write_text(json.dumps({"numbers": NUMBERS}))
    key = private / "key.json"
    key.write_text(json.dumps({"secret": SECRET, "answer": ANSWER}))
    return public, key
