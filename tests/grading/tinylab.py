"""A tiny lab for the sandbox and exercise tests: the answer is the sum of public numbers.

``read_submission`` is a strict, trusted reader: JSON only, ``{"value": finite number}``;
extra keys are ignored (hostile tests use them to report what they found). ``points`` is the
honest score: 100 for the right sum, else 0.

It is also a complete lab (the Lab protocol with an exercise): ``LAB.make_case`` writes
``public/numbers.csv`` with ``-999`` sentinel rows (dirt) and keeps the clean total in
``private/answer.json``. Three steps (read → clean → total, 20 points each) plus 40 outcome
points; the baseline sums everything (dirt included), the reference the clean rows.
``SOLUTION`` / ``SCAFFOLD`` are its solution and its empty scaffold as module source;
:func:`write_notebook` makes notebooks of them in the release layout.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd

from workbench.exercise import Check, CheckContext, CheckResult, Step
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

SECRET = "TOP-SECRET-ANSWER-KEY-7f3a9c"
OTHER_STUDENT = "OTHER-STUDENT-WORK-51e2d0"
NUMBERS = [3, 5, 8, 13, 13]
ANSWER = sum(NUMBERS)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


SENTINEL = -999
SIZES = {"tiny": 8, "class": 20, "large": 200}
SPEC = f"{__name__}:LAB"  # how check() and notebooks name this (uninstalled) lab


def _file_rows(ctx: CheckContext) -> pd.DataFrame:
    return pd.read_csv(ctx.public / "numbers.csv")


def _has_columns(output: Any, ctx: CheckContext) -> bool | str:
    if not isinstance(output, pd.DataFrame):
        return f"expected a table, got {type(output).__name__}"
    missing = {"id", "value"} - set(output.columns)
    return f"columns missing: {', '.join(sorted(missing))}" if missing else True


def _all_rows(output: Any, ctx: CheckContext) -> bool | str:
    want = len(_file_rows(ctx))
    return True if len(output) == want else f"{len(output)} rows, the file has {want}"


def _no_sentinel(output: Any, ctx: CheckContext) -> bool | str:
    left = int((pd.to_numeric(output["value"], errors="coerce") == SENTINEL).sum())
    return True if not left else f"{left} rows still hold {SENTINEL}"


def _clean_count(output: Any, ctx: CheckContext) -> CheckResult:
    want = int(json.loads((ctx.case.private / "answer.json").read_text())["count"])
    ok = len(output) == want
    return CheckResult(
        "kept",
        ok,
        "every real reading kept" if ok else f"{len(output)} rows kept, the clean file has {want}",
    )


def _is_number(output: Any, ctx: CheckContext) -> bool | str:
    if isinstance(output, bool) or not isinstance(output, int | float):
        return f"expected a number, got {type(output).__name__}"
    return True if math.isfinite(output) else "the total is not finite"


def _right_total(output: Any, ctx: CheckContext) -> bool | str:
    want = json.loads((ctx.case.private / "answer.json").read_text())["total"]
    return True if abs(float(output) - want) < 1e-9 else "the total is not right"


STEPS = (
    Step(
        "read",
        "Read the numbers",
        "读取数字",
        "Read numbers.csv into a table.",
        "把 numbers.csv 读成表格。",
        "read_numbers",
        "read_numbers(public_dir)",
        "Return a DataFrame with columns id and value.",
        20,
        inputs=("public_dir",),
        output="frame",
        hints=("pandas.read_csv reads a CSV file",),
        hints_zh=("pandas.read_csv 可以读取 CSV 文件",),
        public_checks=(
            Check("columns", "has columns id and value", _has_columns, "有 id 和 value 两列"),
            Check("rows", "every row of the file", _all_rows, "文件的每一行"),
        ),
    ),
    Step(
        "clean",
        "Drop the dirt",
        "清除脏数据",
        f"Drop the {SENTINEL} rows.",
        f"删除值为 {SENTINEL} 的行。",
        "clean",
        "clean(numbers)",
        "Return the table without sentinel rows.",
        20,
        inputs=("read",),
        output="frame",
        hints=(f"{SENTINEL} marks a missing reading",),
        hints_zh=(f"{SENTINEL} 表示缺失读数",),
        public_checks=(
            Check(
                "no_sentinel",
                f"no {SENTINEL} left",
                _no_sentinel,
                f"没有剩下 {SENTINEL}",
                hint="filter rows on the value column",
            ),
        ),
        hidden_checks=(Check("kept", "every real reading kept", _clean_count),),
    ),
    Step(
        "total",
        "Add them up",
        "求和",
        "Sum the clean values.",
        "对清洗后的值求和。",
        "total",
        "total(clean_numbers)",
        "Return the sum as a number.",
        20,
        inputs=("clean",),
        output="json",
        public_checks=(Check("number", "a finite number", _is_number, "有限数值"),),
        hidden_checks=(Check("right", "the right total", _right_total),),
    ),
)


class TinyLab:
    slug = "tiny"
    title = "Tiny lab"
    summary = "Add up the clean numbers of a file."
    metrics = (Metric("error", "", higher_is_better=False, weight=100, label="error"),)
    claims = (
        Claim(
            "error_drop", "Cleaning cuts the error", "−50 %", relative_change("error"), high=-0.5
        ),
    )
    submission_suffixes = (".json",)
    code_entry = CodeEntry("solve", "plan.json", "write {'value': sum of numbers}")
    steps = STEPS
    outcome_points = 40.0

    def make_case(self, seed: int, size: str = "class", *, out: Path) -> Case:
        n = SIZES[check_size(size)]
        case = write_case_meta(Path(out), self.slug, seed, size, n=n)
        rng = np.random.default_rng(seed)
        values = rng.integers(1, 50, n).tolist()
        for at in sorted(rng.choice(n, size=1 + n // 5, replace=False).tolist()):
            values[at] = SENTINEL
        pd.DataFrame({"id": range(1, n + 1), "value": values}).to_csv(
            case.public / "numbers.csv", index=False
        )
        clean = [v for v in values if v != SENTINEL]
        dump_json({"total": sum(clean), "count": len(clean)}, case.private / "answer.json")
        return case

    def _values(self, case: Case) -> list[int]:
        return pd.read_csv(case.public / "numbers.csv")["value"].tolist()

    def baseline(self, case: Case) -> float:
        return float(sum(self._values(case)))

    def reference(self, case: Case) -> float:
        return float(sum(v for v in self._values(case) if v != SENTINEL))

    def sensitivity_baselines(self, case: Case) -> dict[str, Any]:
        return {}

    def write_submission(self, solution: float, path: Path) -> Path:
        dump_json({"value": solution}, Path(path))
        return Path(path)

    def validate(self, case: Case, solution: float) -> list[Problem]:
        return [] if math.isfinite(solution) else [Problem("value is not finite")]

    def evaluate(self, case: Case, solution: float) -> dict[str, float]:
        if case.private is None:
            raise FileNotFoundError("the error needs the answer key")
        total = json.loads((case.private / "answer.json").read_text())["total"]
        return {"error": abs(float(solution) - total)}

    def figures(self, case: Case, solutions: Mapping[str, Any]) -> list[Any]:
        return []

    def register_pages(self) -> None:
        """No page."""

    @cached_property
    def _notebooks(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="tinylab-"))
        write_notebook(folder / "starter" / "notebook.ipynb", SCAFFOLD)
        (folder / "starter" / "handout.md").write_text("# Tiny lab\n\nAdd up the numbers.\n")
        write_notebook(folder / "solution" / "notebook.ipynb", SOLUTION)
        return folder

    @property
    def student_notebook(self) -> Path:
        return self._notebooks / "starter" / "notebook.ipynb"

    @property
    def solution_notebook(self) -> Path:
        return self._notebooks / "solution" / "notebook.ipynb"

    @property
    def starter_folder(self) -> Path:
        """What a release zip holds besides the case (see workbench.assign)."""
        return self._notebooks / "starter"

    def read_submission(self, path: Path) -> float:
        try:
            raw = json.loads(
                Path(path).read_text(encoding="utf-8"), parse_constant=_refuse_constant
            )
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


SOLUTION = """
import json
from pathlib import Path

import pandas as pd


def read_numbers(public_dir):
    return pd.read_csv(Path(public_dir) / "numbers.csv")


def clean(numbers):
    return numbers[numbers["value"] != -999]


def total(clean_numbers):
    return int(clean_numbers["value"].sum())


def solve(public_dir, out_dir):
    value = total(clean(read_numbers(public_dir)))
    (Path(out_dir) / "plan.json").write_text(json.dumps({"value": value}))
"""

SCAFFOLD = """
import json
from pathlib import Path


def read_numbers(public_dir):
    # TODO: read numbers.csv into a DataFrame
    raise NotImplementedError


def clean(numbers):
    # TODO: drop the -999 rows
    raise NotImplementedError


def total(clean_numbers):
    # TODO: add up the values
    raise NotImplementedError


def solve(public_dir, out_dir):
    value = total(clean(read_numbers(public_dir)))
    (Path(out_dir) / "plan.json").write_text(json.dumps({"value": value}))
"""


def write_notebook(path: Path, source: str, *, case_dir: str = "case/public") -> Path:
    """A student-style notebook of ``source``: a parameter cell, one cell per function, each
    followed by ``check(...)``, ending with the entry function applied to the case."""
    cells = [
        nbformat.v4.new_markdown_cell("# Tiny lab"),
        nbformat.v4.new_code_cell(f"# parameters\nCASE_DIR = {case_dir!r}\nLAB_SLUG = {SPEC!r}"),
        nbformat.v4.new_code_cell(
            "from workbench.exercise import check, public_dir\nPUBLIC = public_dir(CASE_DIR)"
        ),
    ]
    blocks = source.strip().split("\n\n\n")
    cells.append(nbformat.v4.new_code_cell(blocks[0]))
    for block, step in zip(blocks[1:4], ("read", "clean", "total"), strict=True):
        cells.append(nbformat.v4.new_code_cell(block))
        cells.append(nbformat.v4.new_code_cell(f"check({step!r})"))
    cells.append(nbformat.v4.new_code_cell(blocks[4]))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
