"""Plain-language reasons for what happened to a sandboxed run.

Every reason is one sentence a student can act on and an instructor can read in a gradebook.
``violations`` are short stable codes for the same facts (``wall_time``, ``cpu_time``,
``memory``, ``processes``, ``output``, ``file_size``, ``no_output``, ``error``, ``unconfined``,
``solution_import``).
"""

from __future__ import annotations

import signal
from typing import Any

MiB = 2**20


def explain(result: Any, header: dict[str, Any], outcome: Any, limits: Any, entry: Any,
            pids_hit: bool) -> None:
    """Fill ``result.killed_reason``, ``result.violations`` and ``result.reasons``."""
    out = entry.output
    exit_code = header.get("exit")
    if not isinstance(exit_code, int) or isinstance(exit_code, bool):
        exit_code = None
    result.returncode = exit_code
    add = _adder(result)
    if result.mode == "plain":
        add("unconfined", "Ran without the bubblewrap sandbox (plain mode): resource limits "
            "applied, file-system isolation did not.")
    if outcome.timed_out:
        result.killed_reason = f"wall time limit of {limits.wall_s:g} s exceeded"
        add("wall_time", f"Your code did not finish within {limits.wall_s:g} s and was stopped; "
            "nothing was graded. Look for an endless loop or make it faster.")
    elif exit_code is None:
        result.killed_reason = f"the sandbox ended without a report (exit code {outcome.returncode})"
        add("error", f"Your code's process was ended before it could report "
            f"(exit code {outcome.returncode}); nothing was graded. {_last_line(result.stderr)}")
    elif exit_code < 0:
        _explain_signal(result, -exit_code, outcome, limits, pids_hit, add)
    elif exit_code != 0:
        add("error", f"Your code stopped with an error (exit code {exit_code}); nothing was "
            f"graded. {_last_line(result.stderr)}")
        if "ModuleNotFoundError" in result.stderr:
            add("error", "Graded code can use the standard library, the installed scientific "
                "packages (numpy, pandas, scikit-learn, PyVRP...), the workbench and the lab's "
                "toolkit (labs.<lab>.kit); hand in your own helper modules with your code in a "
                "zip.")
        if "MemoryError" in result.stderr or "Unable to allocate" in result.stderr:
            add("memory", f"It ran out of memory: the limit is {limits.memory_bytes // MiB} MiB.")
    elif header.get("too_big"):
        add("file_size", f"Your {out} is {header.get('size')} bytes, more than the "
            f"{limits.file_size // MiB} MiB allowed; nothing was graded.")
    elif not header.get("found"):
        detail = f" ({header['error']})" if header.get("error") else ""
        add("no_output", f"Your code finished but did not write {out}{detail}: "
            f"{entry.function}(public_dir, out_dir) must save out_dir / '{out}'. "
            "Nothing was graded.")
    if "processes" not in result.violations and (pids_hit or _fork_refused(result.stderr)):
        add("processes", f"Your code tried to start more than {limits.processes} processes; "
            "extra ones were refused.")
    if outcome.output_bytes > limits.output_bytes:
        add("output", f"Your code printed {outcome.output_bytes} bytes; only the last "
            f"{limits.output_bytes // 1024} KiB of each stream were kept. Printed text is "
            f"never graded: only {out} is.")
    if outcome.result_overflow:
        add("file_size", "The output could not be collected whole; nothing was graded.")
    refused = header.get("refused_imports")
    if isinstance(refused, list) and refused:
        explain_solution_import([str(n) for n in refused[:20]], add)


def explain_solution_import(names: list[str], add: Any) -> None:
    """The toolkit boundary: a submission imported (or tried to) a lab's non-kit module.
    The run's output is not graded for the outcome (the sandbox drops it)."""
    for name in names:
        parts = name.split(".")
        slug, module = (parts + ["", ""])[1:3]
        what = {"reference": "uses the lab's reference solution",
                "baseline": "uses the lab's baseline solution"}.get(
            module, f"uses {name}, which is not part of the lab's toolkit")
        add("solution_import", f"Your code {what}: not allowed. A submission may import only "
            f"labs.{slug}.kit (the lab's toolkit); the outcome scores 0.")


def _explain_signal(result: Any, sig: int, outcome: Any, limits: Any, pids_hit: bool,
                    add: Any) -> None:
    name = _signal_name(sig)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and result.cpu_s >= limits.cpu_s):
        result.killed_reason = f"CPU time limit of {limits.cpu_s:g} s exceeded"
        add("cpu_time", f"Your code used more than {limits.cpu_s:g} s of CPU time and was "
            "stopped; nothing was graded.")
    elif sig == signal.SIGXFSZ:
        result.killed_reason = "file size limit exceeded"
        add("file_size", f"Your code wrote a file larger than {limits.file_size // MiB} MiB and "
            "was stopped; nothing was graded.")
    elif sig == signal.SIGKILL:
        result.killed_reason = "killed by the system (memory limit)"
        add("memory", f"Your code was stopped by the system, most likely for using more than "
            f"{limits.memory_bytes // MiB} MiB of memory; nothing was graded.")
    else:
        result.killed_reason = f"killed by signal {name}"
        add("error", f"Your code crashed ({name}); nothing was graded. "
            f"{_last_line(result.stderr)}")


def _fork_refused(stderr: str) -> bool:
    """A traceback where starting a process failed for lack of room (EAGAIN)."""
    return "Resource temporarily unavailable" in stderr and any(
        call in stderr for call in ("fork", "Popen", "spawn", "Process", "start"))


def _adder(result: Any) -> Any:
    def add(code: str, reason: str) -> None:
        if code not in result.violations:
            result.violations.append(code)
        result.reasons.append(reason.strip())
    return add


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _last_line(stderr: str) -> str:
    """The last non-empty line of stderr (the exception, for a traceback), quoted."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return f"Last message: {lines[-1][:300]!r}" if lines else ""
