"""Per-student variants: every student gets their own case of a lab, seeded from a course secret.

``assign(lab, roster_csv, course)`` writes, for every student on the roster::

    COURSE/release/<lab>/<student>.zip   what a student gets (hand out), laid out as
        <student>/notebook.ipynb               the student notebook (scaffold + checks)
        <student>/handout.md, handout.zh.md    the lab's handout (``LAB.handout``, kept in
                                               docs/<lab>/) and its Chinese version if any
        <student>/README.md, ...               the lab's starter files
        <student>/case/public/                 their case's public files, where the
                                               notebook's parameter cell looks for them
    COURSE/release/<lab>/folders/<student>/   the same, unzipped
    COURSE/instructor/<lab>/solution/          the lab's solution notebook (never released)
    COURSE/instructor/<lab>/cases/<student>/   the full case, answer key included
    COURSE/instructor/<lab>/hidden/<k>/        fresh cases code submissions are also run on
    COURSE/instructor/<lab>/assignment.json    lab, size, roster, case ids (never the secret)
    COURSE/instructor/secret.txt               the course secret (unless given elsewhere)
    COURSE/gradebook.sqlite                    the roster, then the grades

A seed is HMAC-SHA256(secret, "<lab>:<student>"): stable for a student, unguessable without
the secret. Rerunning is idempotent: the same secret gives the same cases, new roster rows get
new cases, nothing already handed out changes.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from workbench.lab import KEY_FILE, Case, Lab, check_size, dump_json

STUDENT_ID = "student_id"
DEFAULT_HIDDEN = 2
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
_MIN_SECRET = 16

Roster = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Course:
    """Where everything of a course lives (see the module docstring for the layout)."""

    root: Path

    @property
    def instructor(self) -> Path:
        return self.root / "instructor"

    @property
    def secret_path(self) -> Path:
        return self.instructor / "secret.txt"

    @property
    def gradebook_path(self) -> Path:
        return self.root / "gradebook.sqlite"

    def lab_dir(self, lab: str) -> Path:
        return self.instructor / lab

    def case_dir(self, lab: str, student: str) -> Path:
        return self.lab_dir(lab) / "cases" / student

    def hidden_dir(self, lab: str, k: int) -> Path:
        return self.lab_dir(lab) / "hidden" / str(k)

    def refs_dir(self, lab: str) -> Path:
        return self.lab_dir(lab) / "refs"

    def release_dir(self, lab: str, student: str) -> Path:
        # not beside the zips: student "alice.zip"'s folder would be student "alice"'s zip
        return self.root / "release" / lab / "folders" / student

    def release_zip(self, lab: str, student: str) -> Path:
        # the id plus ".zip", never Path.with_suffix: ids may hold dots ("s.1", "alice.x")
        return self.root / "release" / lab / f"{student}.zip"

    def assignment(self, lab: str) -> dict[str, Any]:
        """The assignment of ``lab``; a clear error if ``assign`` was never run for it."""
        path = self.lab_dir(lab) / "assignment.json"
        if not path.is_file():
            raise FileNotFoundError(f"{self.root}: no assignment of lab {lab!r} (expected "
                                    f"{path}); run `workbench assign {lab} --roster ROSTER.csv "
                                    f"--out {self.root}` first")
        return json.loads(path.read_text(encoding="utf-8"))

    def hidden_cases(self, lab: str) -> list[Case]:
        count = len(self.assignment(lab).get("hidden", []))
        return [Case.load(self.hidden_dir(lab, k), lab) for k in range(count)]


def read_roster(path: str | Path) -> Roster:
    """``{student_id: {column: value}}`` from a CSV with at least a ``student_id`` column
    (other columns — name, email, section, LMS ids — are kept for exports)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise ValueError(f"{path}: roster file not found") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file; save the roster as CSV UTF-8") from None
    if not rows:
        raise ValueError(f"{path}: the roster is empty; give a header row with {STUDENT_ID}")
    header = [h.strip().lower().replace(" ", "_") for h in rows[0]]
    if STUDENT_ID not in header:
        raise ValueError(f"{path}: no {STUDENT_ID} column in the header ({', '.join(header)}); "
                         f"name the column of student ids {STUDENT_ID}")
    roster: Roster = {}
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        fields = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h}
        student = fields.pop(STUDENT_ID)
        if not _SAFE_ID.fullmatch(student):
            raise ValueError(f"{path}, row {number}: student id {student!r} cannot name a folder;"
                             " use letters, digits and . _ @ + - only (no spaces or slashes)")
        if student in roster:
            raise ValueError(f"{path}, row {number}: student id {student!r} repeats row "
                             f"{first_row[student]}; give each student one row")
        roster[student], first_row[student] = fields, number
    if not roster:
        raise ValueError(f"{path}: the roster has a header but no students")
    return roster


def course_secret(course: Course, secret_file: str | Path | None = None) -> str:
    """The secret from ``secret_file``, else the course's own, else a new one stored there."""
    stored = course.secret_path.read_text(encoding="utf-8").strip() \
        if course.secret_path.is_file() else None
    if secret_file is not None:
        given = Path(secret_file).read_text(encoding="utf-8").strip()
        if len(given) < _MIN_SECRET:
            raise ValueError(f"{secret_file}: the secret is {len(given)} characters; give at "
                             f"least {_MIN_SECRET} random ones (e.g. python -c \"import secrets;"
                             " print(secrets.token_hex())\")")
        if stored is not None and stored != given:
            raise ValueError(f"{secret_file} differs from {course.secret_path}, which made the "
                             "cases already handed out; use that one (or a new course folder)")
        return given
    if stored is not None:
        return stored
    course.instructor.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    course.secret_path.write_text(secret + "\n", encoding="utf-8")
    course.secret_path.chmod(0o600)
    return secret


def derive_seed(secret: str, label: str) -> int:
    """A 63-bit seed from HMAC-SHA256(secret, label): stable, unguessable without the secret."""
    digest = hmac.new(secret.encode(), label.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def student_seed(secret: str, lab: str, student: str) -> int:
    return derive_seed(secret, f"{lab}:{student}")


def hidden_seed(secret: str, lab: str, k: int) -> int:
    return derive_seed(secret, f"{lab}:hidden:{k}")


def _case(lab: Lab, seed: int, size: str, folder: Path) -> Case:
    """The case of ``seed`` in ``folder``: generated once, refused if made from another seed."""
    key = folder / "private" / KEY_FILE
    if key.is_file():
        case = Case.load(folder, lab.slug)
        stored = case.key()
        if stored.get("seed") != seed or stored.get("size") != size:
            raise ValueError(f"{folder} was generated from another secret or size; keep the "
                             "course's secret and size, or start a new course folder")
        return case
    if folder.exists():
        shutil.rmtree(folder)  # a half-written case from an interrupted run
    return lab.make_case(seed, size, out=folder)


def starter_dir(lab: Lab) -> Path | None:
    """The lab package's ``starter/`` folder (template code, notebook, README), if any."""
    module = sys.modules.get(type(lab).__module__)
    if module is None or not getattr(module, "__file__", None):
        return None
    folder = Path(module.__file__).parent / "starter"
    return folder if folder.is_dir() else None


def docs_dir() -> Path:
    """The docs folder: the wheel's copy (``workbench/_docs``) when installed, else the
    repository's ``docs/`` (also when missing, so that a path built on it names the place)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_docs"
    return packaged if packaged.is_dir() else here.parent / "docs"


def handout_files(lab: Lab) -> list[Path]:
    """The lab's handout (``LAB.handout``) and its Chinese version (``<name>.zh.md`` beside it)
    when there is one; ``[]`` for a lab that declares none. A declared handout that does not
    exist is an error: a release without it would leave the students without their brief."""
    declared = getattr(lab, "handout", None)
    if not declared:
        return []
    english = Path(declared)
    if not english.is_file():
        raise FileNotFoundError(f"lab {lab.slug!r}: its handout {english} does not exist; "
                                "write it, or fix the lab's `handout` attribute")
    chinese = english.with_name(f"{english.stem}.zh{english.suffix}")
    return [english, chinese] if chinese.is_file() else [english]


def _release(lab: Lab, course: Course, student: str, case: Case) -> None:
    """The student's folder and zip: starter files, handouts and notebook at the top, the
    case's public files in ``case/public`` (the notebook's default ``CASE_DIR``), nothing
    else."""
    from workbench.exercise import RELEASE_PUBLIC, student_notebook

    folder, zipped = course.release_dir(lab.slug, student), course.release_zip(lab.slug, student)
    if zipped.is_file():
        return  # already handed out: never change it behind the students' backs
    handouts = handout_files(lab)  # before anything is written: a missing one stops here
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    starter = getattr(lab, "starter_folder", None) or starter_dir(lab)
    if starter is not None and Path(starter).is_dir():
        shutil.copytree(starter, folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for handout in handouts:
        shutil.copyfile(handout, folder / handout.name)
    notebook = student_notebook(lab)
    if notebook is not None and not (folder / "notebook.ipynb").is_file():
        shutil.copyfile(notebook, folder / "notebook.ipynb")
    shutil.copytree(case.public, folder / RELEASE_PUBLIC)
    # built under a dotted name (never a student id), then moved beside the other zips
    made = shutil.make_archive(str(folder.parent / f".partial-{student}"), "zip",
                               root_dir=folder.parent, base_dir=student)
    zipped.parent.mkdir(parents=True, exist_ok=True)
    Path(made).replace(zipped)


def _solution(lab: Lab, course: Course) -> Path | None:
    """Copy the lab's solution notebook into the instructor's folder (never a release)."""
    from workbench.exercise import solution_notebook

    source = solution_notebook(lab)
    if source is None or not source.is_file():
        return None
    target = course.lab_dir(lab.slug) / "solution" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def assign(lab: Lab, roster: Roster, course: str | Path, *, size: str = "class",
           secret_file: str | Path | None = None, hidden: int = DEFAULT_HIDDEN,
           progress: bool = True, require_code: bool | None = None) -> dict[str, Any]:
    """Create (or complete) the per-student assignment of ``lab``; return assignment.json.

    ``require_code``: only code (a notebook or ``.py``) is graded, so the exercise steps and
    the hidden cases apply to everyone; ``None`` keeps what the assignment had (default off).
    """
    from workbench.store import Gradebook, course_database

    check_size(size)
    if hidden < 0:
        raise ValueError(f"hidden = {hidden} not understood; give 0 or more fresh cases")
    from workbench.private import private_dir, tighten

    course = Course(Path(course))
    private_dir(course.root)  # 0700: answer keys, secrets and the gradebook live here
    previous = _previous(course, lab.slug, size)
    secret = course_secret(course, secret_file)
    students = {**previous.get("students", {})}
    for student in tqdm(roster, desc="cases", unit="student", file=sys.stderr,
                        disable=not progress):
        case = _case(lab, student_seed(secret, lab.slug, student), size,
                     course.case_dir(lab.slug, student))
        _release(lab, course, student, case)
        students[student] = {**roster[student], "case_id": case.case_id}
    hidden_ids = [_case(lab, hidden_seed(secret, lab.slug, k), size,
                        course.hidden_dir(lab.slug, k)).case_id for k in range(hidden)]
    if require_code is None:
        require_code = bool(previous.get("require_code", False))
    _solution(lab, course)
    data = {"lab": lab.slug, "size": size, "hidden": hidden_ids,
            "require_code": bool(require_code), "students": dict(sorted(students.items()))}
    dump_json(data, course.lab_dir(lab.slug) / "assignment.json")
    tighten(course.instructor)  # cases with their keys, hidden cases, references: 0700/0600
    with Gradebook(course_database(course.gradebook_path)) as book:
        book.set_roster(lab.slug, {s: (v["case_id"], {k: x for k, x in v.items()
                                                      if k != "case_id"})
                                   for s, v in data["students"].items()})
    return data


def _previous(course: Course, lab: str, size: str) -> dict[str, Any]:
    try:
        previous = course.assignment(lab)
    except FileNotFoundError:
        return {}
    if previous.get("size") != size:
        raise ValueError(f"{course.root}: lab {lab!r} was assigned with size "
                         f"{previous.get('size')!r}; rerun with --size {previous.get('size')}")
    return previous
