"""Run a student's code in its own locked-down process; the only result is the output file.

``run_code`` stages the code and a copy of the case's public files, runs the lab's
``code_entry`` function under bubblewrap (or, where the host cannot, as a plain limited
process), and returns a :class:`RunResult`. ``run_submission`` is what the grader calls: any
submission path in, the file to read with ``lab.read_submission`` (or ``None``) and reasons out.
Nothing here imports or unpickles anything the student produced.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from workbench.grading import isolation, syscalls
from workbench.grading.cgroup import Cgroup
from workbench.grading.explain import explain
from workbench.grading.intake import IntakeError, classify
from workbench.grading.process import run_process
from workbench.lab import KEY_FILE, CodeEntry

Mode = Literal["auto", "bwrap", "plain"]


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run. Sizes in bytes, times in seconds."""

    wall_s: float = 60.0
    cpu_s: float = 60.0
    memory_bytes: int = 2 * 2**30
    processes: int = 64
    file_size: int = 64 * 2**20
    output_bytes: int = 2**20
    open_files: int = 256
    scratch_bytes: int = 256 * 2**20

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value <= 0:
                raise ValueError(f"Limits.{f.name} = {value!r} not understood; give a positive "
                                 "number")
        if self.cpu_s < 1:
            raise ValueError(f"Limits.cpu_s = {self.cpu_s} not understood; the CPU limit counts "
                             "whole seconds, give at least 1")
        if self.processes < 2:
            raise ValueError(f"Limits.processes = {self.processes} not understood; the bootstrap "
                             "needs 2, give at least 2")
        if self.memory_bytes < 64 * 2**20:
            raise ValueError(f"Limits.memory_bytes = {self.memory_bytes} is too small to start "
                             "Python; give at least 64 MiB")


@dataclass
class RunResult:
    """What one run did. ``output`` is set only when the run counts: it finished in time,
    exited normally and wrote the entry's output file."""

    mode: str
    out_dir: Path
    output: Path | None
    returncode: int | None
    timed_out: bool
    killed_reason: str
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float
    violations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # step files, by name under out/


@dataclass
class SubmissionRun:
    """A submission turned into files to grade: ``kind`` is "code", "data" or "refused";
    ``output`` the entry's file (or the data file), ``files`` the step files code wrote."""

    kind: str
    output: Path | None
    reasons: list[str]
    files: dict[str, Path] = field(default_factory=dict)
    ran: bool = False  # the code finished (not stopped, not refused)


def run_code(staged: Path, public_dir: Path, entry: CodeEntry, limits: Limits | None = None, *,
             mode: Mode = "auto", workdir: Path | None = None,
             steps: Sequence[Mapping[str, Any]] = ()) -> RunResult:
    """Run ``entry.function(public, out)`` from ``staged/submission.py`` in the sandbox.

    Files go under ``workdir`` (a fresh temporary folder if ``None``; the caller removes it):
    the accepted output ends up in ``workdir/out``; the scratch copy is removed afterwards.
    """
    limits = limits or Limits()
    public_dir, staged = Path(public_dir), Path(staged)
    _check_public(public_dir)
    if not (staged / "submission.py").is_file():
        raise ValueError(f"{staged}: no submission.py; stage submissions with intake.classify")
    caps = isolation.probe()
    chosen = _choose_mode(mode, caps)
    workdir = Path(tempfile.mkdtemp(prefix="workbench-run-")) if workdir is None else workdir
    scratch, out_dir = workdir / "scratch", workdir / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(public_dir, scratch / "public")
    shutil.copytree(staged, scratch / "code", symlinks=True)
    for copy in ("public", "code"):  # readable by the sandbox's uid under any umask
        isolation.readable_inside(scratch / copy)
    try:
        outcome, pids_hit = _execute(chosen, caps, scratch, entry, limits, steps)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    header, data = _split_result(outcome.result)
    # bwrap's outer process does not collect its namespace's CPU time; the bootstrap reports
    # its child's (informational only, like everything from inside).
    inner_cpu = header.get("cpu_s")
    cpu = max(outcome.cpu_s, inner_cpu if isinstance(inner_cpu, float | int) else 0.0)
    result = RunResult(chosen, out_dir, None, None, outcome.timed_out, "",
                       _text(outcome.stdout), _text(outcome.stderr), round(outcome.wall_s, 3),
                       round(float(cpu), 3))
    explain(result, header, outcome, limits, entry, pids_hit)
    size = header.get("size") if header.get("found") and not header.get("too_big") else 0
    size = size if isinstance(size, int) and 0 <= size <= len(data) else 0
    if result.returncode == 0 and not result.timed_out and header.get("found") \
            and not header.get("too_big") and not outcome.result_overflow \
            and "solution_import" not in result.violations:  # the toolkit boundary
        result.output = out_dir / entry.output
        result.output.write_bytes(data[:size])
    if not result.timed_out and not outcome.result_overflow:
        result.files = _step_files(header, data[size:], out_dir, steps)
    return result


def _step_files(header: dict[str, Any], data: bytes, out_dir: Path,
                steps: Sequence[Mapping[str, Any]]) -> dict[str, Path]:
    """Write the step files the bootstrap sent, accepting only the names the run expects."""
    from workbench.grading.runner import step_files

    expected = set(step_files({"steps": list(steps)}))
    files, offset = {}, 0
    listed = header.get("files") if isinstance(header.get("files"), list) else []
    for info in listed:
        if not isinstance(info, dict) or not info.get("found") or info.get("too_big"):
            continue
        name, size = info.get("name"), info.get("size")
        if not isinstance(size, int) or size < 0 or offset + size > len(data):
            break
        chunk, offset = data[offset:offset + size], offset + size
        if name not in expected:
            continue
        target = out_dir.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(chunk)
        files[name] = target
    return files


def run_submission(lab: Any, submission_path: str | Path, public_dir: str | Path, *,
                   limits: Limits | None = None, workdir: Path | None = None,
                   mode: Mode = "auto") -> tuple[Path | None, list[str]]:
    """Turn any submission into the file to grade: ``(path or None, reasons)``.

    A data file comes back as is (nothing runs); code runs in the sandbox and its output file
    comes back. ``None`` means there is nothing to grade and ``reasons`` says why, in sentences
    for the student and the instructor. Files go under ``workdir`` (the caller removes it).
    """
    run = run_submission_steps(lab, submission_path, public_dir, limits=limits,
                               workdir=workdir, mode=mode)
    return run.output, run.reasons


def run_submission_steps(lab: Any, submission_path: str | Path, public_dir: str | Path, *,
                         limits: Limits | None = None, workdir: Path | None = None,
                         mode: Mode = "auto") -> SubmissionRun:
    """:func:`run_submission` that also runs the lab's exercise steps (``lab.steps``) and
    returns their files; see :class:`SubmissionRun`."""
    from workbench.exercise import lab_steps

    workdir = Path(tempfile.mkdtemp(prefix="workbench-submission-")) if workdir is None \
        else Path(workdir)
    try:
        intake = classify(submission_path, data_suffixes=tuple(lab.submission_suffixes),
                          dest=workdir / "intake")
    except IntakeError as exc:
        return SubmissionRun("refused", None, [str(exc)])
    if intake.kind == "data":
        return SubmissionRun("data", intake.data_file, [])
    assert intake.staged is not None
    specs = [s.spec() for s in lab_steps(lab)]
    result = run_code(intake.staged, Path(public_dir), lab.code_entry, limits, mode=mode,
                      workdir=workdir / "run", steps=specs)
    shutil.rmtree(intake.staged, ignore_errors=True)
    return SubmissionRun("code", result.output, result.reasons, result.files,
                         ran=not result.timed_out and result.returncode is not None)


def _choose_mode(mode: Mode, caps: isolation.Capabilities) -> str:
    if mode not in ("auto", "bwrap", "plain"):
        raise ValueError(f"mode {mode!r} not understood; use 'auto', 'bwrap' or 'plain'")
    if mode == "bwrap" and not caps.bwrap:
        raise RuntimeError("bubblewrap sandbox requested but unavailable: " + "; ".join(caps.notes))
    return "bwrap" if mode == "auto" and caps.bwrap else ("plain" if mode == "auto" else mode)


def _check_public(public_dir: Path) -> None:
    """Refuse to expose a folder holding an answer key: only a case's public/ may go in."""
    if not public_dir.is_dir():
        raise ValueError(f"{public_dir}: not a folder; pass the case's public/ folder")
    if (public_dir / "private").exists() or any(public_dir.rglob(KEY_FILE)):
        raise ValueError(f"{public_dir}: holds private files ({KEY_FILE} or private/); pass the "
                         "case's public/ folder, never the case root")


def _execute(mode: str, caps: isolation.Capabilities, scratch: Path, entry: CodeEntry,
             limits: Limits, steps: Sequence[Mapping[str, Any]] = ()) -> tuple[Any, bool]:
    inside = Path("/work") if mode == "bwrap" else scratch
    cfg = {"work": str(inside), "public": str(inside / "public"), "code": str(inside / "code"),
           "out": str(inside / "out"), "function": entry.function, "output": entry.output,
           "limits": {k: int(v) for k, v in asdict(limits).items()}, "result_fd": "{RESULT_FD}",
           "steps": [dict(s) for s in steps]}
    fds: dict[str, int] = {}
    if mode == "bwrap":
        cfg["site"] = isolation.sandbox_path()
        seccomp = syscalls.program_fd() if caps.seccomp else None
        if seccomp is not None:
            fds["{SECCOMP_FD}"] = seccomp
        argv = isolation.bwrap_argv(scratch, limits.scratch_bytes,
                                    "{SECCOMP_FD}" if seccomp is not None else None)
        env = {"PATH": "/usr/bin:/bin"}
    else:
        cfg["site"] = isolation.plain_path()
        for sub in ("out", "tmp"):
            (scratch / sub).mkdir()
        argv = (caps.unshare_net or []) + [str(isolation.interpreter()), "-I", "-S",
                                           str(isolation.RUNNER)]
        env = isolation.plain_env(scratch)
    cgroup = _cgroup(caps, limits)
    try:
        # a host uid of its own per run (grader run as root): process limits are per run
        with isolation.run_uid() as uid:
            if mode == "bwrap" and isolation.drops_root():
                cfg["drop_to"] = uid
            command = argv + [json.dumps(cfg)]
            try:
                outcome = run_process(cgroup.wrap(command) if cgroup else command,
                                      cwd=str(scratch), env=env, wall_s=limits.wall_s,
                                      output_cap=limits.output_bytes,
                                      result_cap=limits.file_size + 65536,
                                      on_kill=cgroup.kill_all if cgroup else None, fds=fds)
            finally:
                pids_hit = cgroup is not None and cgroup.pids_limit_hit()
                if cgroup is not None:
                    cgroup.destroy()
    finally:
        for fd in fds.values():
            os.close(fd)
    return outcome, pids_hit


def _cgroup(caps: isolation.Capabilities, limits: Limits) -> Cgroup | None:
    if caps.cgroup is None:
        return None
    # + 3 processes: bwrap, its reaper and the bootstrap. Memory is a backstop for the whole
    # tree (RLIMIT_AS is per process); it also holds the two tmpfs and the page cache of the
    # libraries read, so it leaves room above the per-process limit instead of thrashing.
    try:
        return Cgroup(caps.cgroup, limits.processes + 3,
                      2 * (limits.memory_bytes + limits.scratch_bytes))
    except OSError:
        return None


def _split_result(raw: bytes) -> tuple[dict[str, Any], bytes]:
    """The bootstrap's one-line JSON header and the output bytes; {} if it never reported."""
    line, sep, data = raw.partition(b"\n")
    try:
        header = json.loads(line) if sep else {}
    except ValueError:
        header = {}
    return (header, data) if isinstance(header, dict) else ({}, b"")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
