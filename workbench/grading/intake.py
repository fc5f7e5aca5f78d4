"""Submission intake: turn what a student hands in into something safe to grade.

``classify(path)`` decides whether a submission is **data** (a plan file the lab's
``read_submission`` reads directly, nothing is run) or **code** (a ``.py`` module, a notebook, or
a zip/folder of them), and stages code into a clean folder holding ``submission.py`` plus its
helper modules. Nothing here executes or even compiles student code: that only ever happens
inside the sandbox. Every refusal is an :class:`IntakeError` whose message says what was wrong
and what to do.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from workbench.i18n import N_
from workbench.lab import Problem, SubmissionError

MAIN_MODULE = "submission.py"
DATA_SUFFIXES = (".json", ".csv", ".xlsx")
CODE_SUFFIXES = (".py", ".ipynb")
IGNORED_NAMES = ("__MACOSX", ".DS_Store", "__pycache__", ".ipynb_checkpoints")


class IntakeError(SubmissionError):
    """A submission refused before anything ran, with a plain reason."""


def _refused(file: object, template: str, **params: object) -> IntakeError:
    """An :class:`IntakeError` about ``file`` from a catalogue template (shown translated)."""
    return IntakeError(Problem(template, "{file}", params={**params, "file": str(file)}))


@dataclass(frozen=True)
class IntakeLimits:
    """Bounds on what a zip or folder may hold (zip bombs, huge uploads)."""

    max_files: int = 200
    max_total_bytes: int = 50 * 2**20
    max_file_bytes: int = 20 * 2**20
    max_ratio: float = 100.0  # uncompressed/compressed, checked on members over 1 MiB

    def __post_init__(self) -> None:
        for name in ("max_files", "max_total_bytes", "max_file_bytes", "max_ratio"):
            if getattr(self, name) <= 0:
                raise ValueError(f"IntakeLimits.{name} = {getattr(self, name)} not understood; "
                                 "give a positive number")


@dataclass(frozen=True)
class Intake:
    """What a submission is. ``data_file`` is set for data, ``staged`` (a folder holding
    ``submission.py``) for code."""

    kind: Literal["code", "data"]
    source: Path
    data_file: Path | None = None
    staged: Path | None = None


def classify(path: str | Path, *, data_suffixes: tuple[str, ...] = DATA_SUFFIXES,
             dest: Path | None = None, limits: IntakeLimits = IntakeLimits()) -> Intake:
    """Classify a submission and, for code (or a zipped data file), stage it under ``dest``.

    ``dest`` defaults to a fresh temporary folder that the caller removes when done.
    """
    source = Path(path)
    if source.is_symlink():
        raise _refused(source.name, N_("is a symbolic link; hand in the file itself"))
    if not source.exists():
        raise _refused(source, N_("no such file or folder"))
    suffix = source.suffix.lower()
    if source.is_file() and suffix in data_suffixes:
        return Intake("data", source, data_file=source)
    if source.is_file() and suffix not in CODE_SUFFIXES + (".zip",):
        allowed = ", ".join(sorted(set(data_suffixes + CODE_SUFFIXES + (".zip",))))
        raise _refused(source.name, N_("a {suffix} file is not a submission; hand in one of: "
                                       "{allowed}") if suffix else
                       N_("a suffix-less file is not a submission; hand in one of: {allowed}"),
                       suffix=suffix, allowed=allowed)
    dest = Path(tempfile.mkdtemp(prefix="workbench-intake-")) if dest is None else Path(dest)
    files = dest / "files"
    files.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        _copy_folder(source, files, limits)
    elif suffix == ".zip":
        safe_unzip(source, files, limits)
    elif source.stat().st_size > limits.max_file_bytes:
        raise _refused(source.name, N_("{size} bytes, more than the {limit} allowed; hand in "
                                       "only your code"),
                       size=source.stat().st_size, limit=limits.max_file_bytes)
    else:
        shutil.copyfile(source, files / source.name)
    return _stage(source, files, dest / "code", data_suffixes)


def _stage(source: Path, files: Path, code: Path, data_suffixes: tuple[str, ...]) -> Intake:
    """Pick the main module among the unpacked files and lay out the code folder."""
    from workbench.grading.bounded import run_bounded
    from workbench.grading.notebook import notebook_to_script

    top = [p for p in files.rglob("*") if p.is_file()]
    scripts = [p for p in top if p.suffix == ".py"]
    notebooks = [p for p in top if p.suffix == ".ipynb"]
    if not scripts and not notebooks:
        data = [p for p in top if p.suffix.lower() in data_suffixes]
        if len(data) == 1:
            return Intake("data", source, data_file=data[0])
        names = ", ".join(sorted(p.name for p in data)) or "none"
        raise _refused(source.name, N_("no code (.py or .ipynb) and not exactly one data file "
                                       "(found: {found}); hand in one plan file or your code"),
                       found=names)
    main = [p for p in scripts if p.name == MAIN_MODULE]
    if not main and len(notebooks) == 1:
        main = notebooks
    elif not main and len(scripts) == 1 and not notebooks:
        main = scripts
    if len(main) != 1:
        names = ", ".join(sorted(p.relative_to(files).as_posix() for p in scripts + notebooks))
        raise _refused(source.name, N_("cannot tell which file is your main module among "
                                       "{found}; name it {name} (or hand in a single notebook)"),
                       found=names, name=MAIN_MODULE)
    root = main[0].parent
    shutil.copytree(root, code, symlinks=True,
                    ignore=shutil.ignore_patterns(*IGNORED_NAMES))
    if main[0].suffix == ".ipynb":
        (code / main[0].name).unlink()
        # an untrusted JSON document: parsed in a worker with time and memory limits
        script = run_bounded(notebook_to_script, main[0], what=main[0].name)
        (code / MAIN_MODULE).write_text(script, encoding="utf-8")
    elif main[0].name != MAIN_MODULE:
        (code / main[0].name).rename(code / MAIN_MODULE)
    return Intake("code", source, staged=code)


def _member_path(name: str, archive: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise _refused(archive, N_("member {part!r} has an absolute path; zip the folder "
                                   "contents with relative paths"), part=name)
    if ".." in path.parts:
        raise _refused(archive, N_("member {part!r} points outside the archive ('..'); zip "
                                   "only your own folder"), part=name)
    return path


def safe_unzip(archive: Path, into: Path, limits: IntakeLimits = IntakeLimits()) -> None:
    """Extract ``archive`` after checking every member: paths, links, counts, sizes, ratios;
    raise :class:`IntakeError` naming the member and the rule it broke."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist()
                       if not any(part in IGNORED_NAMES for part in m.filename.split("/"))]
            _check_members(archive.name, members, limits)
            for m in members:
                target = into / _member_path(m.filename, archive.name)
                if m.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(m) as src, open(target, "wb") as dst:
                    # The declared size is checked above; the copy stays bounded anyway.
                    data = src.read(limits.max_file_bytes + 1)
                    if len(data) > limits.max_file_bytes:
                        raise _refused(archive.name, N_("{part} is larger than {limit} bytes"),
                                       part=m.filename, limit=limits.max_file_bytes)
                    dst.write(data)
    except zipfile.BadZipFile as exc:
        raise _refused(archive.name, N_("not a readable zip file ({error}); create it again "
                                        "with your system's 'compress' command"),
                       error=exc) from exc


def _check_members(archive: str, members: list[zipfile.ZipInfo], limits: IntakeLimits) -> None:
    if len(members) > limits.max_files:
        raise _refused(archive, N_("{n} files, more than the {limit} allowed; hand in only "
                                   "your code and the files it needs"),
                       n=len(members), limit=limits.max_files)
    total = 0
    for m in members:
        _member_path(m.filename, archive)
        if stat.S_ISLNK(m.external_attr >> 16):
            raise _refused(archive, N_("member {part!r} is a symbolic link; links are not "
                                       "accepted, include the file itself"), part=m.filename)
        if m.flag_bits & 0x1:
            raise _refused(archive, N_("member {part!r} is encrypted; hand in a zip without a "
                                       "password"), part=m.filename)
        total += m.file_size
        if m.file_size > limits.max_file_bytes:
            raise _refused(archive, N_("{part} unpacks to {size} bytes, more than the {limit} "
                                       "allowed per file"),
                           part=m.filename, size=m.file_size, limit=limits.max_file_bytes)
        if m.file_size > 2**20 and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise _refused(archive, N_("{part} is compressed {ratio}:1, which looks like a zip "
                                       "bomb; it was not unpacked"),
                           part=m.filename, ratio=m.file_size // max(m.compress_size, 1))
    if total > limits.max_total_bytes:
        raise _refused(archive, N_("unpacks to {size} bytes, more than the {limit} allowed; "
                                   "leave data files out"),
                       size=total, limit=limits.max_total_bytes)


def _copy_folder(folder: Path, into: Path, limits: IntakeLimits) -> None:
    """Copy a submission folder, refusing links and the same excesses as a zip."""
    count = total = 0
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in IGNORED_NAMES for part in rel.parts):
            continue
        if path.is_symlink():
            raise _refused(f"{folder.name}/{rel}", N_("is a symbolic link; links are not "
                                                      "accepted, include the file itself"))
        if path.is_dir():
            (into / rel).mkdir(parents=True, exist_ok=True)
            continue
        if not path.is_file():
            raise _refused(f"{folder.name}/{rel}", N_("not a regular file"))
        count += 1
        total += path.stat().st_size
        if count > limits.max_files or total > limits.max_total_bytes:
            raise _refused(folder.name, N_("more than {n} files or {limit} bytes; hand in only "
                                           "your code"),
                           n=limits.max_files, limit=limits.max_total_bytes)
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, into / rel)
