"""Bounded reading of untrusted files: cheap checks first, then the parse in a limited worker.

Every file a student hands in, and every file a student's code writes in the sandbox, is read
by a lab's reader in the trusted process. A few kilobytes can ask for hours of work there: a
workbook whose sheet declares ``A1:XFD1048576`` makes openpyxl visit 17 billion empty cells, a
shared-strings table of millions of entries costs gigabytes, a deeply nested JSON document
exhausts the stack. So a reader wrapped with :func:`bounded_reader`:

1. **checks the file before any heavy work** (:func:`check_file`): its size; for a workbook
   (a zip) every member's declared size and compression ratio, each sheet's declared
   ``<dimension ref=...>`` and the rows and cells really present (streamed from the zip, never
   loaded whole), the shared-strings count and size; for JSON its size and nesting depth; for
   CSV its size and row count;
2. **parses in a forked worker process** with a CPU-time limit (``RLIMIT_CPU``), a memory limit
   (``RLIMIT_AS``, on top of what the worker inherited) and a wall-time limit, so a file that
   slips through the checks costs seconds, never hours, and never the grader's memory.

A refused file raises :class:`FileRefused` (a :class:`~workbench.lab.SubmissionError`): one
sentence naming the file, the limit it broke and what to do. The worker is a plain ``fork``:
it shares the grader's code (no re-import), works in daemonic pool and Dask workers, and exits
with ``os._exit`` so nothing of the parent runs twice.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import resource
import selectors
import signal
import struct
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from workbench.i18n import N_
from workbench.lab import Problem, SubmissionError

T = TypeVar("T")
MiB = 2**20
CHUNK = MiB
LENGTH = struct.Struct("!Q")  # the worker's answer is length-prefixed

# Set in a worker process: a bounded reader called from inside another one runs directly.
_IN_WORKER = False


class FileRefused(SubmissionError):
    """An untrusted file refused by a bound, with the sentence saying which and what to do."""


@dataclass(frozen=True)
class FileLimits:
    """Bounds on an untrusted file and on the work of reading it.

    Sizes in bytes, times in seconds. Workbook cell counts are of the area a reader visits:
    the declared ``<dimension>`` or the furthest row/column used, whichever is larger.
    """

    max_bytes: int = 16 * MiB
    # workbooks (.xlsx) and any zip
    max_members: int = 500
    max_member_bytes: int = 64 * MiB
    max_total_bytes: int = 256 * MiB
    max_ratio: float = 200.0  # uncompressed/compressed, checked on members over 1 MiB
    max_sheets: int = 64
    max_rows: int = 200_000
    max_columns: int = 256
    max_cells: int = 2_000_000
    max_shared_strings: int = 200_000
    max_shared_strings_bytes: int = 16 * MiB
    # JSON and CSV
    max_json_depth: int = 64
    max_csv_rows: int = 1_000_000
    # the parsing worker
    cpu_s: int = 20
    wall_s: float = 60.0
    memory_bytes: int = 1024 * MiB  # on top of what the worker inherits from the grader

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(
                    f"FileLimits.{f.name} = {value!r} not understood; give a positive number"
                )


DEFAULT = FileLimits()
# For a lab whose largest case hands in a workbook of up to Excel's million rows (accounting's
# "large" case: about 520,000 flagged entries): the checks still bound the work a reader does.
LARGE_TABLES = FileLimits(
    max_bytes=64 * MiB,
    max_member_bytes=256 * MiB,
    max_total_bytes=512 * MiB,
    max_rows=1_048_576,
    max_cells=4_000_000,
    max_csv_rows=2_000_000,
    cpu_s=120,
    wall_s=300.0,
    memory_bytes=4096 * MiB,
)


# ---------------------------------------------------------------- checks before the parse


def check_file(path: str | Path, limits: FileLimits = DEFAULT) -> None:
    """Raise :class:`FileRefused` if ``path`` breaks a bound; read only what the check needs.

    The kind of check follows the suffix: ``.xlsx``/``.xlsm``/``.zip`` as a zip (workbooks
    also sheet by sheet), ``.json``, ``.csv``; any other file only by size.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        # the reader itself says "not found" in its own words; only refuse odd file types here
        if path.exists() and not path.is_dir():
            _refuse(name, N_("is not a regular file (a FIFO or device); hand in the file itself"))
        return
    size = path.stat().st_size
    if size > limits.max_bytes:
        _refuse(
            name,
            N_(
                "is {size}, more than the {limit} a submission file may have; hand in only "
                "what the lab's file format asks for"
            ),
            size=_mib(size),
            limit=_mib(limits.max_bytes),
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".zip") and zipfile.is_zipfile(path):
        _check_zip(path, limits, workbook=suffix != ".zip")
    elif suffix == ".json":
        _check_json(path, limits)
    elif suffix == ".csv":
        _check_csv(path, limits)


def _refuse(name: str, message: str, **params: object) -> None:
    """Refuse the file ``name``: ``message`` is a template of the catalogue (``N_``) formatted
    with ``params``, so the problem is shown in the reader's language."""
    raise FileRefused(Problem(message, where="{file}", params={**params, "file": name}))


def _mib(n: float) -> str:
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{int(n)} bytes"


# A string, or an unterminated one up to the end: every quote starts a match, so the scan is
# linear (no retry from each quote of a broken string).
STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
OPENERS, CLOSERS = np.array([ord("["), ord("{")]), np.array([ord("]"), ord("}")])


def _check_json(path: Path, limits: FileLimits) -> None:
    """Nesting depth without parsing: strings removed, brackets counted (numpy, C speed)."""
    bare = STRING_RE.sub(b'""', path.read_bytes())
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.isin(codes, OPENERS).astype(np.int8) - np.isin(codes, CLOSERS).astype(np.int8)
    depth = int(np.cumsum(steps, dtype=np.int32).max()) if steps.size else 0
    if depth > limits.max_json_depth:
        _refuse(
            path.name,
            N_(
                "nests objects and lists {depth} levels deep, more than the {limit} allowed; "
                "write the flat layout the lab's file format describes"
            ),
            depth=depth,
            limit=limits.max_json_depth,
        )


def _check_csv(path: Path, limits: FileLimits) -> None:
    rows = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            rows += chunk.count(b"\n")
            if rows > limits.max_csv_rows:
                _refuse(
                    path.name,
                    N_(
                        "has more than {limit:,} rows; hand in only the rows the lab's file "
                        "format asks for"
                    ),
                    limit=limits.max_csv_rows,
                )


def _check_zip(path: Path, limits: FileLimits, *, workbook: bool) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > limits.max_members:
                _refuse(
                    name,
                    N_(
                        "holds {n} files inside, more than the {limit} allowed; save it again "
                        "from Excel"
                    ),
                    n=len(members),
                    limit=limits.max_members,
                )
            total = 0
            for m in members:
                total += m.file_size
                if m.file_size > limits.max_member_bytes:
                    _refuse(
                        name,
                        N_(
                            "part {part} unpacks to {size}, more than the {limit} allowed; "
                            "hand in a smaller file"
                        ),
                        part=m.filename,
                        size=_mib(m.file_size),
                        limit=_mib(limits.max_member_bytes),
                    )
                if m.file_size > MiB and m.file_size > limits.max_ratio * max(m.compress_size, 1):
                    _refuse(
                        name,
                        N_(
                            "part {part} is compressed {ratio}:1, which looks like a zip bomb; "
                            "it was not read. Save the file again from Excel"
                        ),
                        part=m.filename,
                        ratio=m.file_size // max(m.compress_size, 1),
                    )
            if total > limits.max_total_bytes:
                _refuse(
                    name,
                    N_("unpacks to {size}, more than the {limit} allowed; hand in a smaller file"),
                    size=_mib(total),
                    limit=_mib(limits.max_total_bytes),
                )
            if workbook:
                _check_workbook(zf, name, limits)
    except zipfile.BadZipFile:
        return  # the lab's reader says it is not a workbook, in its own words
    except (OSError, RuntimeError, NotImplementedError, EOFError) as exc:  # damaged, encrypted
        _refuse(name, N_("cannot be unpacked ({error}); save it again from Excel"), error=exc)


SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
ATTR_RE = re.compile(rb'([\w:]+)="([^"]*)"')
REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([^"]*)"')
ROW_RE = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
ROW_NUMBER_RE = re.compile(rb'\br="(\d+)"')
CELL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,4})\d*"')
CELL_ANY_RE = re.compile(rb"<(?:\w+:)?c[\s/>]")
SI_RE = re.compile(rb"<(?:\w+:)?si[\s/>]")
REF_RE = re.compile(r"^\$?([A-Za-z]{1,4})?\$?(\d+)?$")


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Member path → sheet name, from workbook.xml and its relationships (small files)."""
    try:
        book = _read_small(zf, "xl/workbook.xml")
        rels = _read_small(zf, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for tag in REL_RE.findall(rels):
        attrs = dict(ATTR_RE.findall(tag))
        target = attrs.get(b"Target", b"").decode(errors="replace").lstrip("/")
        targets[attrs.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
    names = {}
    for tag in SHEET_RE.findall(book):
        attrs = {k.split(b":")[-1]: v for k, v in ATTR_RE.findall(tag)}
        target = targets.get(attrs.get(b"id", b""))
        if target:
            names[target] = attrs.get(b"name", b"?").decode(errors="replace")
    return names


def _read_small(zf: zipfile.ZipFile, member: str, cap: int = 4 * MiB) -> bytes:
    with zf.open(member) as f:
        return f.read(cap)


def _check_workbook(zf: zipfile.ZipFile, name: str, limits: FileLimits) -> None:
    names = _sheet_names(zf)
    sheets = [
        m
        for m in zf.infolist()
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
    ]
    if len(sheets) > limits.max_sheets:
        _refuse(
            name,
            N_(
                "has {n} sheets, more than the {limit} allowed; keep only the sheets the lab's "
                "file format asks for"
            ),
            n=len(sheets),
            limit=limits.max_sheets,
        )
    cells_total = 0
    for member in sheets:
        label = names.get(member.filename, member.filename)  # the sheet's name
        cells_total += _check_sheet(zf, member, name, label, limits)
        if cells_total > limits.max_cells:
            _refuse(
                name,
                N_(
                    "its sheets span more than {limit:,} cells in all; keep only the sheets "
                    "and rows the lab's file format asks for"
                ),
                limit=limits.max_cells,
            )
    try:
        strings = zf.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return
    if strings.file_size > limits.max_shared_strings_bytes:
        _refuse(
            name,
            N_(
                "its shared-strings table is {size}, more than the {limit} allowed; keep only "
                "the text the report needs"
            ),
            size=_mib(strings.file_size),
            limit=_mib(limits.max_shared_strings_bytes),
        )
    count = 0
    for chunk in _stream(zf, strings):
        count += len(SI_RE.findall(chunk))
        if count > limits.max_shared_strings:
            _refuse(
                name,
                N_(
                    "its shared-strings table holds more than {limit:,} texts; keep only the "
                    "text the report needs"
                ),
                limit=limits.max_shared_strings,
            )


def _stream(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> Any:
    """The member's bytes in chunks cut just before a '<', so no tag spans two chunks."""
    carry = b""
    with zf.open(member) as f:
        while block := f.read(CHUNK):
            buf = carry + block
            cut = buf.rfind(b"<")
            if cut <= 0:
                carry = buf if cut == 0 else b""
                if cut < 0:
                    yield buf
                continue
            carry = buf[cut:]
            yield buf[:cut]
    if carry:
        yield carry


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _declared(ref: str) -> tuple[int, int]:
    """Rows and columns up to the bottom-right corner of a dimension such as ``A1:XFD1048576``."""
    corner = ref.split(":")[-1].strip()
    match = REF_RE.match(corner)
    if not match:
        return 0, 0
    letters, digits = match.groups()
    return (int(digits) if digits else 0), (_column_number(letters) if letters else 0)


def _check_sheet(
    zf: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, label: str, limits: FileLimits
) -> int:
    """Stream one sheet: declared dimension, furthest row and column, rows and cells present.
    Returns the area (rows × columns) a reader would visit."""
    declared_rows = declared_cols = 0
    max_row = max_col = rows = cells = 0
    first = True
    for chunk in _stream(zf, member):
        if first:
            first = False
            dim = DIMENSION_RE.search(chunk)
            if dim:
                ref = dim.group(1).decode(errors="replace")
                declared_rows, declared_cols = _declared(ref)
                _check_area(name, label, declared_rows, declared_cols, limits, ref)
        for attrs in ROW_RE.findall(chunk):
            rows += 1
            number = ROW_NUMBER_RE.search(attrs)
            max_row = max(max_row, int(number.group(1)) if number else rows)
        cells += len(CELL_ANY_RE.findall(chunk))
        for letters in set(CELL_RE.findall(chunk)):
            max_col = max(max_col, _column_number(letters.decode()))
        _check_area(name, label, max(max_row, rows), max_col, limits)
        if cells > limits.max_cells:
            _refuse(
                name,
                N_(
                    "sheet {sheet!r} holds more than {limit:,} cells; keep only the rows and "
                    "columns the lab's file format asks for"
                ),
                sheet=label,
                limit=limits.max_cells,
            )
    rows_seen, cols_seen = max(declared_rows, max_row, rows), max(declared_cols, max_col)
    return rows_seen * cols_seen


def _check_area(
    name: str, sheet: str, rows: int, cols: int, limits: FileLimits, ref: str = ""
) -> None:
    """The cells a sheet uses, or (``ref``) the range it declares, within the bounds."""
    if ref:
        too_many = (
            N_(
                "sheet {sheet!r} declares the range {ref} ({rows:,} rows × {cols:,} columns): "
                "more than the {limit:,} rows allowed; delete the empty rows and columns "
                "after your data (select them, Delete) and save again"
            ),
            N_(
                "sheet {sheet!r} declares the range {ref} ({rows:,} rows × {cols:,} columns): "
                "more than the {limit:,} columns allowed; delete the empty rows and columns "
                "after your data (select them, Delete) and save again"
            ),
            N_(
                "sheet {sheet!r} declares the range {ref} ({rows:,} rows × {cols:,} columns): "
                "more than the {limit:,} cells allowed; delete the empty rows and columns "
                "after your data (select them, Delete) and save again"
            ),
        )
    else:
        too_many = (
            N_(
                "sheet {sheet!r} uses cells up to row {rows:,}, column {cols:,}: more than the "
                "{limit:,} rows allowed; delete the empty rows and columns after your "
                "data (select them, Delete) and save again"
            ),
            N_(
                "sheet {sheet!r} uses cells up to row {rows:,}, column {cols:,}: more than the "
                "{limit:,} columns allowed; delete the empty rows and columns after your "
                "data (select them, Delete) and save again"
            ),
            N_(
                "sheet {sheet!r} uses cells up to row {rows:,}, column {cols:,}: more than the "
                "{limit:,} cells allowed; delete the empty rows and columns after your "
                "data (select them, Delete) and save again"
            ),
        )
    checks = (
        (rows > limits.max_rows, limits.max_rows),
        (cols > limits.max_columns, limits.max_columns),
        (rows * cols > limits.max_cells, limits.max_cells),
    )
    for template, (over, limit) in zip(too_many, checks, strict=True):
        if over:
            _refuse(name, template, sheet=sheet, ref=ref, rows=rows, cols=cols, limit=limit)


# ---------------------------------------------------------------- the parse in a worker


def run_bounded(
    fn: Callable[..., T],
    *args: Any,
    limits: FileLimits = DEFAULT,
    what: str = "the file",
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)`` in a forked worker with CPU-time, memory and wall-time limits.

    Returns its result or re-raises its exception (a :class:`SubmissionError` with its
    problems intact); a worker stopped by a limit raises :class:`FileRefused` naming ``what``.
    Called inside a worker, runs ``fn`` directly.
    """
    if _IN_WORKER:
        return fn(*args, **kwargs)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: limits, work, one pickled answer, exit without cleanup
        os.close(read_end)
        _worker(write_end, limits, fn, args, kwargs)
    os.close(write_end)
    data, timed_out = b"", True
    try:
        data, timed_out = _collect(read_end, time.monotonic() + limits.wall_s)
    finally:
        os.close(read_end)
        if timed_out:
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    return _answer(data, status, timed_out, limits, what)


def _worker(
    out: int, limits: FileLimits, fn: Callable[..., Any], args: tuple, kwargs: dict
) -> None:
    global _IN_WORKER
    code = 0
    try:
        _IN_WORKER = True
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        inherited = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (inherited + limits.memory_bytes,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            answer: tuple = ("ok", fn(*args, **kwargs))
        except SubmissionError as exc:
            answer = ("problems", exc.problems, type(exc))
        except MemoryError:
            answer = ("memory",)
        except RecursionError:
            answer = ("recursion",)
        except BaseException as exc:  # re-raised in the grader as it was
            answer = ("raise", exc)
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory",))
        except Exception as exc:
            payload = pickle.dumps(("crash", f"{type(answer[-1]).__name__}: {exc}"))
        with os.fdopen(out, "wb") as pipe:
            pipe.write(LENGTH.pack(len(payload)) + payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _collect(fd: int, deadline: float) -> tuple[bytes, bool]:
    """The worker's length-prefixed answer (``b""`` if it ended without one); True when the
    wall time ran out. The length, not end-of-file, ends the read: a worker forked at the same
    time by another thread may hold a copy of this pipe's write end."""
    buf = bytearray()
    need: int | None = None
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while need is None or len(buf) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"", True
            if not sel.select(min(left, 1.0)):
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"", False
            buf += chunk
            if need is None and len(buf) >= LENGTH.size:
                need = LENGTH.size + LENGTH.unpack_from(buf)[0]
    return bytes(buf[LENGTH.size : need]), False


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _answer(data: bytes, status: int, timed_out: bool, limits: FileLimits, what: str) -> Any:
    code = os.waitstatus_to_exitcode(status)
    if timed_out:
        raise FileRefused(
            Problem(
                N_(
                    "reading it took longer than {limit:g} s and was stopped; hand in a "
                    "smaller or simpler file"
                ),
                where="{file}",
                params={"limit": limits.wall_s, "file": what},
            )
        )
    if not data:
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            raise FileRefused(
                Problem(
                    N_(
                        "reading it used more than {limit} s of CPU time and was stopped; "
                        "hand in a smaller or simpler file"
                    ),
                    where="{file}",
                    params={"limit": limits.cpu_s, "file": what},
                )
            )
        raise RuntimeError(f"reading {what} failed: the worker ended with code {code}")
    answer = pickle.loads(data)  # written by our own worker, never by student code
    kind = answer[0]
    if kind == "ok":
        return answer[1]
    if kind == "problems":  # the reader's own SubmissionError (sub)class, problems intact
        kind_of = (
            answer[2]
            if isinstance(answer[2], type) and issubclass(answer[2], SubmissionError)
            else SubmissionError
        )
        raise kind_of(answer[1])
    if kind == "memory":
        raise FileRefused(
            Problem(
                N_(
                    "reading it needed more than {limit} MiB of memory and was stopped; "
                    "hand in a smaller file"
                ),
                where="{file}",
                params={"limit": limits.memory_bytes // MiB, "file": what},
            )
        )
    if kind == "recursion":
        raise FileRefused(
            Problem(
                N_(
                    "it is nested too deeply to read; write the flat layout the lab's file "
                    "format describes"
                ),
                where=what,
            )
        )
    if kind == "raise":
        raise answer[1]
    raise RuntimeError(f"reading {what} failed in the worker ({answer[1]})")


def bounded_reader(limits: FileLimits = DEFAULT) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a reader ``fn(path, ...)`` of an untrusted file: :func:`check_file` first, then
    the parse in a limited worker (:func:`run_bounded`)."""

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def reader(path: str | Path, *args: Any, **kwargs: Any) -> T:
            if _IN_WORKER:
                return fn(path, *args, **kwargs)
            check_file(path, limits)
            return run_bounded(fn, path, *args, limits=limits, what=Path(path).name, **kwargs)

        reader.limits = limits  # type: ignore[attr-defined]
        return reader

    return wrap


def load_json(path: str | Path, limits: FileLimits = DEFAULT) -> Any:
    """``json.loads`` of an untrusted file, bounded like a lab's reader (for step outputs)."""
    check_file(path, limits)
    return run_bounded(_json_of, Path(path), limits=limits, what=Path(path).name)


def _json_of(path: Path) -> Any:
    import json

    return json.loads(path.read_bytes())


__all__ = [
    "DEFAULT",
    "LARGE_TABLES",
    "FileLimits",
    "FileRefused",
    "bounded_reader",
    "check_file",
    "load_json",
    "run_bounded",
]
