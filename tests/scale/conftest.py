"""A class of 30 students on the logistics lab (tiny cases): good, bad and hostile submissions.

``klass`` runs the real ``workbench assign`` once and writes one submission per student:
data plans written by ``workbench solve``, broken plans, and code (.py, a folder, a notebook,
a zip) that works, crashes, cheats with a hard-coded answer or reaches for the answer key.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.store import Gradebook

LAB = "logistics"
STARTER = Path(__file__).parents[1] / "labs" / "logistics" / "fixtures" / "greedy_solve.py"
WORKBENCH = [str(Path(sys.executable).with_name("workbench"))]
# Small sandbox limits keep the batch short; the starter needs well under a second.
LIMITS = ["--time-limit", "20", "--memory-mb", "1024"]

# Knows where the instructor keeps the course (as if guessed): tries to read the answer key
# and the secret and to delete the gradebook, then fails loudly with what it got, so the
# report's last-message line shows what the sandbox let it see.
HOSTILE = '''
import json
from pathlib import Path

def solve(public_dir, out_dir):
    seen = {}
    for name, guess in [("rel", public_dir / ".." / "private" / "key.json"),
                        ("key", Path("@KEY@")), ("secret", Path("@SECRET@"))]:
        try:
            seen[name] = guess.read_text()
        except Exception as exc:
            seen[name] = type(exc).__name__
    try:
        Path("@BOOK@").unlink()
        seen["book"] = "deleted"
    except Exception as exc:
        seen["book"] = type(exc).__name__
    raise RuntimeError(json.dumps(seen))
'''

# student -> what they hand in (see _write)
KINDS = {
    **{f"s{i:02d}": "reference" for i in (1, 2, 3, 4)},
    **{f"s{i:02d}": "baseline" for i in (5, 6, 7)},
    "s08": "dispatcher_csv", "s09": "dispatcher_csv",
    "s10": "garbage", "s11": "missing_customer", "s12": "empty", "s13": "chinese",
    "s14": "list", "s15": "someone_elses", "s16": "wrong_suffix", "s17": "zip_two_plans",
    "s18": "code", "s19": "code_folder", "s20": "crash_at_import", "s21": "hostile",
    "s22": "notebook", "s23": "code_zip", "s24": "hard_coded", "s25": "shell_escape",
    "s26": "no_function", "s27": "code_bad_plan", "s28": "baseline_csv",
    "s29": "lms_folder", "s30": "reference",
}


@dataclass(frozen=True)
class Klass:
    root: Path
    course: Path
    subs: Path

    def case(self, student: str) -> Path:
        return self.course / "instructor" / LAB / "cases" / student

    @property
    def gradebook(self) -> Path:
        return self.course / "gradebook.sqlite"


def grade_cmd(klass: Klass, *extra: str) -> list[str]:
    return [*WORKBENCH, "grade", LAB, "--course", str(klass.course), str(klass.subs),
            *LIMITS, *extra]


def table(db: Path) -> list[tuple]:
    """The gradebook, comparable across runs: every row's student, case, score, validity,
    problems and points per criterion."""
    with Gradebook(db) as book:
        return [(g.student, g.report.case_id, round(g.report.score, 9), g.report.valid,
                 tuple(g.report.problems),
                 tuple((c.name, round(c.points, 9)) for c in g.report.criteria))
                for g in book.all(LAB)]


def count_rows(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        return conn.execute("SELECT count(*) FROM grades").fetchone()[0]


def _solve(runner: CliRunner, klass: Klass, student: str, method: str, out: Path) -> None:
    result = runner.invoke(main, ["solve", LAB, "--method", method, "--case",
                                  str(klass.case(student)), "--out", str(out)])
    assert result.exit_code == 0, result.output


def _notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("My solution"),
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)


def _write(runner: CliRunner, klass: Klass, student: str, kind: str) -> None:
    subs, starter = klass.subs, STARTER.read_text(encoding="utf-8")
    if kind in ("reference", "baseline"):
        _solve(runner, klass, student, kind, subs / f"{student}.json")
    elif kind == "dispatcher_csv":
        _solve(runner, klass, student, "competent_dispatcher", subs / f"{student}.csv")
    elif kind == "baseline_csv":
        _solve(runner, klass, student, "baseline", subs / f"{student}.csv")
    elif kind == "lms_folder":
        _solve(runner, klass, student, "reference", subs / student / "plan.json")
    elif kind == "missing_customer":
        _solve(runner, klass, student, "baseline", subs / f"{student}.json")
        plan = json.loads((subs / f"{student}.json").read_text())
        plan["routes"][0]["stops"].pop()
        (subs / f"{student}.json").write_text(json.dumps(plan))
    elif kind == "someone_elses":
        shutil.copy(subs / "s01.json", subs / f"{student}.json")
    elif kind == "zip_two_plans":
        with zipfile.ZipFile(subs / f"{student}.zip", "w") as zf:
            zf.writestr("a.json", "{}")
            zf.writestr("b.json", "{}")
    elif kind in ("code", "crash_at_import", "hostile", "hard_coded", "no_function",
                  "code_bad_plan"):
        hostile = (HOSTILE.replace("@KEY@", str(klass.case(student) / "private" / "key.json"))
                   .replace("@SECRET@", str(klass.course / "instructor" / "secret.txt"))
                   .replace("@BOOK@", str(klass.gradebook)))
        source = {"code": starter, "crash_at_import": "import numpy\nraise RuntimeError("
                  "'my code is broken')\n", "hostile": hostile,
                  "no_function": "def solve_it(public_dir, out_dir):\n    pass\n",
                  "code_bad_plan": "def solve(public_dir, out_dir):\n    (out_dir / "
                  "'plan.json').write_text('{\"routes\": [{\"vehicle\": \"V01\", "
                  "\"stops\": [1, 1]}]}')\n"}.get(kind)
        if kind == "hard_coded":
            _solve(runner, klass, student, "reference", klass.root / "own.json")
            plan = (klass.root / "own.json").read_text()
            source = f"PLAN = {plan!r}\n\ndef solve(public_dir, out_dir):\n" \
                     "    (out_dir / 'plan.json').write_text(PLAN)\n"
        (subs / f"{student}.py").write_text(source, encoding="utf-8")
    elif kind == "code_folder":
        (subs / student).mkdir()
        (subs / student / "helper.py").write_text(starter, encoding="utf-8")
        (subs / student / "submission.py").write_text("from helper import solve\n")
    elif kind == "code_zip":
        with zipfile.ZipFile(subs / f"{student}.zip", "w") as zf:
            zf.writestr("mine/greedy.py", starter)
            zf.writestr("mine/submission.py", "from greedy import solve\n")
    elif kind == "notebook":
        head, _, tail = starter.partition("def solve(")
        _notebook(subs / f"{student}.ipynb", head, "def solve(" + tail)
    elif kind == "shell_escape":
        _notebook(subs / f"{student}.ipynb", "!pip install ortools", starter)
    else:
        (subs / f"{student}.json").write_bytes({
            "garbage": b"{\"routes\": [", "empty": b"", "list": b"[1, 2, 3]",
            "chinese": "路线：一号车".encode(), "wrong_suffix": b""}[kind])
        if kind == "wrong_suffix":
            (subs / f"{student}.json").rename(subs / f"{student}.txt")


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Klass:
    from workbench.grading.isolation import probe

    if not probe().bwrap:  # without it, code runs unconfined: no place for hostile code
        pytest.skip("the class batch runs hostile code; bubblewrap cannot run here: "
                    + "; ".join(probe().notes))
    root = tmp_path_factory.mktemp("class")
    roster = root / "roster.csv"
    roster.write_text("student_id,name,email,section\n" + "".join(
        f"{s},Student {s},{s}@school.edu,{'AB'[i % 2]}\n" for i, s in enumerate(KINDS)),
        encoding="utf-8")
    klass = Klass(root, root / "course", root / "subs")
    made = subprocess.run([*WORKBENCH, "assign", LAB, "--roster", str(roster), "--out",
                           str(klass.course), "--size", "tiny", "--hidden", "2"],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    klass.subs.mkdir()
    runner = CliRunner()
    for student, kind in KINDS.items():
        _write(runner, klass, student, kind)
    (klass.subs / "teacher-notes.txt").write_text("not a student")
    return klass
