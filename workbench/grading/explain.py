"""Plain-language reasons for what happened to a sandboxed run.

Every reason is one sentence a student can act on and an instructor can read in a gradebook.
``violations`` are short stable codes for the same facts (``wall_time``, ``cpu_time``,
``memory``, ``processes``, ``output``, ``file_size``, ``no_output``, ``error``, ``unconfined``,
``solution_import``).
"""

from __future__ import annotations

import signal
from typing import Any

from workbench.i18n import N_

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
        add("unconfined", N_("Ran without the bubblewrap sandbox (plain mode): resource limits "
                             "applied, file-system isolation did not."))
    if outcome.timed_out:
        result.killed_reason = f"wall time limit of {limits.wall_s:g} s exceeded"
        add("wall_time", N_("Your code did not finish within {limit:g} s and was stopped; "
                            "nothing was graded. Look for an endless loop or make it faster.")
            .format(limit=limits.wall_s))
    elif exit_code is None:
        result.killed_reason = f"the sandbox ended without a report (exit code {outcome.returncode})"
        add("error", _with_last_line(
            N_("Your code's process was ended before it could report (exit code {code}); "
               "nothing was graded."),
            N_("Your code's process was ended before it could report (exit code {code}); "
               "nothing was graded. {detail}"), result.stderr, code=outcome.returncode))
    elif exit_code < 0:
        _explain_signal(result, -exit_code, outcome, limits, pids_hit, add)
    elif exit_code != 0:
        add("error", _with_last_line(
            N_("Your code stopped with an error (exit code {code}); nothing was graded."),
            N_("Your code stopped with an error (exit code {code}); nothing was graded. "
               "{detail}"), result.stderr, code=exit_code))
        if "ModuleNotFoundError" in result.stderr:
            add("error", N_("Graded code can use the standard library, the installed "
                            "scientific packages (numpy, pandas, scikit-learn, PyVRP...), the "
                            "workbench and the lab's toolkit (labs.<lab>.kit); hand in your own "
                            "helper modules with your code in a zip."))
        if "MemoryError" in result.stderr or "Unable to allocate" in result.stderr:
            add("memory", N_("It ran out of memory: the limit is {limit} MiB.").format(
                limit=limits.memory_bytes // MiB))
    elif header.get("too_big"):
        add("file_size", N_("Your {file} is {size} bytes, more than the {limit} MiB allowed; "
                            "nothing was graded.").format(file=out, size=header.get("size"),
                                                          limit=limits.file_size // MiB))
    elif not header.get("found"):
        template = (N_("Your code finished but did not write {file} ({error}): {function}"
                       "(public_dir, out_dir) must save out_dir / '{file}'. Nothing was graded.")
                    if header.get("error") else
                    N_("Your code finished but did not write {file}: {function}(public_dir, "
                       "out_dir) must save out_dir / '{file}'. Nothing was graded."))
        add("no_output", template.format(file=out, error=header.get("error"),
                                         function=entry.function))
    if "processes" not in result.violations and (pids_hit or _fork_refused(result.stderr)):
        add("processes", N_("Your code tried to start more than {limit} processes; extra ones "
                            "were refused.").format(limit=limits.processes))
    if outcome.output_bytes > limits.output_bytes:
        add("output", N_("Your code printed {size} bytes; only the last {limit} KiB of each "
                         "stream were kept. Printed text is never graded: only {file} is.")
            .format(size=outcome.output_bytes, limit=limits.output_bytes // 1024, file=out))
    if outcome.result_overflow:
        add("file_size", N_("The output could not be collected whole; nothing was graded."))
    refused = header.get("refused_imports")
    if isinstance(refused, list) and refused:
        explain_solution_import([str(n) for n in refused[:20]], add)


def explain_solution_import(names: list[str], add: Any) -> None:
    """The toolkit boundary: a submission imported (or tried to) a lab's non-kit module.
    The run's output is not graded for the outcome (the sandbox drops it)."""
    for name in names:
        parts = name.split(".")
        slug, module = (parts + ["", ""])[1:3]
        template = {
            "reference": N_("Your code uses the lab's reference solution: not allowed. A "
                            "submission may import only {kit} (the lab's toolkit); the outcome "
                            "scores 0."),
            "baseline": N_("Your code uses the lab's baseline solution: not allowed. A "
                           "submission may import only {kit} (the lab's toolkit); the outcome "
                           "scores 0."),
        }.get(module, N_("Your code uses {name}, which is not part of the lab's toolkit: not "
                         "allowed. A submission may import only {kit} (the lab's toolkit); the "
                         "outcome scores 0."))
        add("solution_import", template.format(name=name, kit=f"labs.{slug}.kit"))


def _explain_signal(result: Any, sig: int, outcome: Any, limits: Any, pids_hit: bool,
                    add: Any) -> None:
    name = _signal_name(sig)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and result.cpu_s >= limits.cpu_s):
        result.killed_reason = f"CPU time limit of {limits.cpu_s:g} s exceeded"
        add("cpu_time", N_("Your code used more than {limit:g} s of CPU time and was stopped; "
                           "nothing was graded.").format(limit=limits.cpu_s))
    elif sig == signal.SIGXFSZ:
        result.killed_reason = "file size limit exceeded"
        add("file_size", N_("Your code wrote a file larger than {limit} MiB and was stopped; "
                            "nothing was graded.").format(limit=limits.file_size // MiB))
    elif sig == signal.SIGKILL:
        result.killed_reason = "killed by the system (memory limit)"
        add("memory", N_("Your code was stopped by the system, most likely for using more "
                         "than {limit} MiB of memory; nothing was graded.").format(
            limit=limits.memory_bytes // MiB))
    else:
        result.killed_reason = f"killed by signal {name}"
        add("error", _with_last_line(
            N_("Your code crashed ({signal}); nothing was graded."),
            N_("Your code crashed ({signal}); nothing was graded. {detail}"), result.stderr,
            signal=name))


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
    return N_("Last message: {message!r}").format(message=lines[-1][:300]) if lines else ""


def _with_last_line(plain: str, with_detail: str, stderr: str, **params: object) -> str:
    """A reason from a catalogue template, followed by the last line of stderr if any."""
    last = _last_line(stderr)
    return with_detail.format(detail=last, **params) if last else plain.format(**params)
