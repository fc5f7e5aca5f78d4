"""Bounded reading of untrusted files: bombs are refused in seconds with a reason, honest files
read as before, and a parse that slips through is stopped by the worker's limits."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from workbench.grading.bounded import (
    FileLimits,
    FileRefused,
    bounded_reader,
    check_file,
    load_json,
    run_bounded,
)
from workbench.lab import CodeEntry, SubmissionError

from .conftest import FAST, needs_bwrap

FULL = "A1:XFD1048576"
STRINGS_CT = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, change) -> bytes:
    """A copy of the zip ``data`` with ``change(name, bytes) -> bytes | None`` applied to every
    member (None: unchanged); ``change("+", b"")`` may return extra members as a dict."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            new = change(info.filename, body)
            dst.writestr(info.filename, body if new is None else new)
        for name, body in (change("+", b"") or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def dimension_bomb(data: bytes) -> bytes:
    """Every sheet declares the whole grid, A1:XFD1048576, and has one cell in its last row:
    a few KB that make openpyxl's read-only reader produce 1,048,576 rows of 16,384 cells."""
    last = b'<row r="1048576"><c r="XFD1048576" t="n"><v>0</v></c></row></sheetData>'

    def change(name, body):
        if name.startswith("xl/worksheets/"):
            body = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{FULL}"/>'.encode(), body)
            body = body.replace(b"<sheetData/>", b"<sheetData></sheetData>")
            return body.replace(b"</sheetData>", last)
        return None

    return rewrite(data, change)


def strings_bomb(data: bytes, count: int = 400_000) -> bytes:
    """A shared-strings table of ``count`` distinct texts, referenced from the first sheet."""
    table = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"".join(b"<si><t>t%07d</t></si>" % i for i in range(count))
        + b"</sst>"
    )

    def change(name, body):
        if name == "+":
            return {"xl/sharedStrings.xml": table}
        if name == "[Content_Types].xml":
            return body.replace(b"</Types>", STRINGS_CT.encode() + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels":
            return body.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdS" Type="http://'
                b"schemas.openxmlformats.org/officeDocument/2006/relationships/"
                b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return None

    return rewrite(data, change)


def deep_json(depth: int = 200_000) -> bytes:
    return b"[" * depth + b"]" * depth


def huge_json(size: int = 32 * 2**20) -> bytes:
    return b'{"predictions": {' + b'"x": 0.5, ' * (size // 10) + b'"y": 0.5}}'


def refused_fast(read, path: Path, *words: str) -> float:
    start = time.monotonic()
    with pytest.raises(SubmissionError) as info:
        read(path)
    seconds = time.monotonic() - start
    told = str(info.value)
    assert seconds < 5, f"refused only after {seconds:.1f} s: {told}"
    assert path.name in told, told
    for word in words:
        assert word.lower() in told.lower(), told
    return seconds


# ------------------------------------------------------------------ the checks themselves


def test_dimension_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(dimension_bomb(workbook_bytes({"PL": [["line", "name", "amount"]]})))
    assert path.stat().st_size < 16 * 1024
    with pytest.raises(
        FileRefused,
        match=r"sheet 'PL' declares the range A1:XFD1048576 "
        r"\(1,048,576 rows × 16,384 columns\)",
    ) as info:
        check_file(path)
    assert "delete the empty rows and columns" in str(info.value)


def test_far_away_cell_counts_like_a_declared_dimension(tmp_path):
    def change(name, body):
        if name.startswith("xl/worksheets/"):
            body = re.sub(rb"<dimension[^>]*/>", b"", body)
            return body.replace(
                b"</sheetData>",
                b'<row r="900000"><c r="ZZ900000" t="n"><v>1</v></c></row></sheetData>',
            )
        return None

    path = tmp_path / "far.xlsx"
    path.write_bytes(rewrite(workbook_bytes({"Flags": [["entry_id"]]}), change))
    with pytest.raises(FileRefused, match="uses cells up to row 900,000"):
        check_file(path)


def test_shared_strings_bomb_is_refused(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(strings_bomb(workbook_bytes({"PL": [["line", "name", "amount"]]})))
    with pytest.raises(FileRefused, match="shared-strings table holds more than 200,000"):
        check_file(path)


def test_deep_and_huge_json_are_refused(tmp_path):
    deep, huge = tmp_path / "deep.json", tmp_path / "huge.json"
    deep.write_bytes(deep_json())
    huge.write_bytes(huge_json())
    with pytest.raises(FileRefused, match="200,000 levels deep|200000 levels deep"):
        check_file(deep)
    with pytest.raises(FileRefused, match=r"is 32.0 MiB, more than the 16.0 MiB"):
        check_file(huge)


def test_json_depth_ignores_brackets_in_strings_and_broken_strings_stay_linear(tmp_path):
    text = tmp_path / "ok.json"
    text.write_text(json.dumps({"note": "[" * 1000, "xs": [[1, 2], [3]]}))
    check_file(text)
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'"\\' * (4 * 2**20))  # every quote escaped, never closed
    start = time.monotonic()
    check_file(broken)
    assert time.monotonic() - start < 2


def test_csv_rows_and_zip_ratio_are_bounded(tmp_path):
    rows = tmp_path / "plan.csv"
    rows.write_bytes(b"vehicle,seq,customer\n" + b"V,1,1\n" * 20_000)
    with pytest.raises(FileRefused, match="more than 10,000 rows"):
        check_file(rows, FileLimits(max_csv_rows=10_000))
    bomb = tmp_path / "report.xlsx"
    bomb.write_bytes(
        rewrite(
            workbook_bytes({"PL": [["x"]]}),
            lambda n, b: {"xl/pad.xml": bytes(40 * 2**20)} if n == "+" else None,
        )
    )
    with pytest.raises(FileRefused, match="looks like a zip bomb"):
        check_file(bomb)


def test_limits_reject_nonsense():
    with pytest.raises(ValueError, match="FileLimits.cpu_s"):
        FileLimits(cpu_s=0)


# ------------------------------------------------------------------ the worker


def spin() -> None:
    while True:
        pass


def hog() -> bytes:
    return bytes(8 * 2**30)


def fails() -> None:
    raise SubmissionError("row 3: bad")


def test_worker_stops_cpu_and_memory_and_keeps_problems():
    start = time.monotonic()
    with pytest.raises(FileRefused, match="more than 1 s of CPU time"):
        run_bounded(spin, limits=FileLimits(cpu_s=1), what="spin.xlsx")
    with pytest.raises(FileRefused, match="more than 256 MiB of memory"):
        run_bounded(hog, limits=FileLimits(memory_bytes=256 * 2**20), what="hog.json")
    assert time.monotonic() - start < 10
    with pytest.raises(SubmissionError, match="row 3: bad") as info:
        run_bounded(fails)
    assert not isinstance(info.value, FileRefused)
    assert run_bounded(sum, [1, 2, 3]) == 6


def test_worker_wall_time_and_decorated_reader(tmp_path):
    import time as _time

    with pytest.raises(FileRefused, match="longer than 1 s"):
        run_bounded(_time.sleep, 30, limits=FileLimits(wall_s=1), what="slow.csv")

    @bounded_reader(FileLimits(max_bytes=100))
    def read(path):
        return Path(path).read_text()

    small, big = tmp_path / "a.txt", tmp_path / "b.txt"
    small.write_text("hello")
    big.write_text("x" * 101)
    assert read(small) == "hello"
    with pytest.raises(FileRefused, match="b.txt: is 101 bytes"):
        read(big)
    good = tmp_path / "out.json"
    good.write_text('{"a": [1, 2]}')
    assert load_json(good) == {"a": [1, 2]}


# ------------------------------------------------------------------ every lab's reader

# Each lab's reader and code entry, imported directly: a lab whose other modules are being
# edited still has its reader tested.
READERS = {
    "accounting": ("read_submission", CodeEntry("consolidate", "consolidation.xlsx")),
    "logistics": ("read_plan", CodeEntry("solve", "plan.json")),
    "welding": ("read_submission", CodeEntry("analyse", "submission.json")),
}


def reader_of(slug: str):
    import importlib

    return getattr(importlib.import_module(f"labs.{slug}.submission"), READERS[slug][0])


def test_readers_are_the_labs_own():
    from workbench import registry

    for slug, (_, entry) in READERS.items():
        lab = registry.get_lab(slug)
        assert lab.code_entry.output == entry.output
        assert lab.code_entry.function == entry.function


def _bombs(slug: str, tmp_path: Path) -> list[tuple[Path, str]]:
    """(file, a word the refusal must contain) for the lab's submission format."""
    name = READERS[slug][1].output
    out = []
    if name.endswith(".xlsx"):
        from labs.accounting.submission import COLUMNS

        honest = workbook_bytes({sheet: [cols] for sheet, cols in COLUMNS.items()})
        for label, data, word in (
            ("dimension", dimension_bomb(honest), "A1:XFD1048576"),
            ("strings", strings_bomb(honest), "shared-strings"),
        ):
            path = tmp_path / label / name
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            out.append((path, word))
    else:
        for label, data, word in (
            ("deep", deep_json(), "levels deep"),
            ("huge", huge_json(), "MiB"),
        ):
            path = tmp_path / label / name
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            out.append((path, word))
    return out


@pytest.mark.parametrize("slug", sorted(READERS))
def test_every_lab_refuses_bombs_as_uploads(slug, tmp_path):
    for path, word in _bombs(slug, tmp_path):
        seconds = refused_fast(reader_of(slug), path, word)
        print(f"{slug} {path.parent.name}: refused in {seconds:.2f} s")


BOMB_WRITER = """
import gzip
def {function}(public, out):
    (out / "{output}").write_bytes(gzip.decompress(open("/work/code/bomb.gz", "rb").read()))
"""


@needs_bwrap
@pytest.mark.parametrize("slug", sorted(READERS))
def test_every_lab_refuses_bombs_as_sandbox_output(slug, host, tmp_path):
    import gzip
    from dataclasses import replace
    from types import SimpleNamespace

    from workbench.grading.sandbox import run_submission

    entry = READERS[slug][1]
    lab = SimpleNamespace(code_entry=entry, submission_suffixes=(".json", ".csv", ".xlsx"))
    for path, word in _bombs(slug, tmp_path / "bombs"):
        folder = tmp_path / "upload" / path.parent.name
        folder.mkdir(parents=True)
        (folder / "submission.py").write_text(
            BOMB_WRITER.format(function=entry.function, output=entry.output)
        )
        (folder / "bomb.gz").write_bytes(gzip.compress(path.read_bytes()))
        output, reasons = run_submission(
            lab,
            folder,
            host.public,
            workdir=folder.parent / "w",
            limits=replace(FAST, file_size=80 * 2**20),
        )
        assert output is not None and output.name == entry.output, reasons
        seconds = refused_fast(reader_of(slug), output, word)
        print(f"{slug} {path.parent.name} from the sandbox: refused in {seconds:.2f} s")
        import shutil

        shutil.rmtree(folder.parent / "w")


def test_a_bomb_that_slips_past_the_checks_costs_seconds_not_hours(tmp_path):
    """Without the checks (the reader's undecorated body), the dimension bomb is still stopped
    by the worker's CPU or memory limit within seconds."""
    from labs.accounting.submission import COLUMNS, read_submission

    path = tmp_path / "consolidation.xlsx"
    path.write_bytes(dimension_bomb(workbook_bytes({s: [c] for s, c in COLUMNS.items()})))
    start = time.monotonic()
    with pytest.raises(FileRefused, match="CPU time|memory") as info:
        run_bounded(
            read_submission.__wrapped__,
            path,
            what=path.name,
            limits=FileLimits(cpu_s=2, memory_bytes=512 * 2**20),
        )
    seconds = time.monotonic() - start
    print(f"unchecked dimension bomb stopped in {seconds:.2f} s: {info.value}")
    # 2 s of CPU; the wall time depends on how busy the machine is
    assert seconds < 30 and "consolidation.xlsx" in str(info.value)


@pytest.mark.parametrize("slug", sorted(READERS))
def test_grade_file_on_a_bomb_is_a_zero_with_the_reason(slug, tmp_path):
    """The path of every upload (lab pages, `workbench check`, batches): grade_file."""
    from types import SimpleNamespace

    from workbench import registry
    from workbench.grading.grade import References, grade_file

    lab = registry.get_lab(slug)
    for path, word in _bombs(slug, tmp_path):
        start = time.monotonic()
        report = grade_file(lab, SimpleNamespace(case_id="c1"), path, refs=References({}, {}))
        assert time.monotonic() - start < 5
        assert not report.valid and report.score == 0
        assert any(word.lower() in p.lower() and path.name in p for p in report.problems), (
            report.problems
        )


def test_worker_works_in_a_process_with_many_open_files():
    """A server holding over 1,024 descriptors (select() cannot watch those) still reads."""
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"the open-file limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = []
    try:
        while not held or held[-1] < 1100:
            held.extend(os.pipe())
        assert run_bounded(sum, [1, 2]) == 3
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_large_honest_workbook_passes_the_large_tables_limits(tmp_path):
    """Accounting's large case hands in about 520,000 flagged entries: within LARGE_TABLES,
    beyond the defaults."""
    from workbench.grading.bounded import LARGE_TABLES

    rows = 520_001
    body = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>E%07d</t></is></c><c r="B%d"><v>0.1</v>'
        b'</c><c r="C%d" t="inlineStr"><is><t>ok</t></is></c></row>' % (i, i, i, i, i)
        for i in range(1, rows + 1)
    )
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:C%d"/><sheetData>' % rows + body + b"</sheetData></worksheet>"
    )
    honest = workbook_bytes({"Flags": [["entry_id", "risk_score", "reason"]]})
    path = tmp_path / "consolidation.xlsx"
    path.write_bytes(
        rewrite(honest, lambda n, b: sheet if n == "xl/worksheets/sheet1.xml" else None)
    )
    start = time.monotonic()
    check_file(path, LARGE_TABLES)
    assert time.monotonic() - start < 30
    with pytest.raises(FileRefused, match="more than the (200,000 rows|64.0 MiB) allowed"):
        check_file(path)


def test_a_step_file_from_the_sandbox_is_decoded_in_the_worker(tmp_path, monkeypatch):
    """Step values come back as files from the sandbox; a table that costs the decoder too much
    (millions of columns in one header line) fails its step with the reason, in seconds."""
    import functools
    import json

    from workbench.grading import steps as grading_steps
    from workbench.grading.runner import STATUS_FILE, STEPS_DIR

    from .tinylab import LAB as TINY

    case = TINY.make_case(3, "tiny", out=tmp_path / "case")
    folder = tmp_path / "out" / STEPS_DIR
    folder.mkdir(parents=True)
    (folder / STATUS_FILE).write_text(json.dumps({"read": {"status": "ok", "meta": {}}}))
    (folder / "read.csv").write_bytes(("a," * (2**23 - 64) + "a\n").encode())
    files = {f"{STEPS_DIR}/{p.name}": p for p in folder.iterdir()}
    tight = FileLimits(cpu_s=1, wall_s=10, memory_bytes=256 * 2**20)
    monkeypatch.setattr(
        grading_steps, "run_bounded", functools.partial(grading_steps.run_bounded, limits=tight)
    )
    start = time.monotonic()
    reports = grading_steps.grade_steps(TINY, case, files, with_key=False)
    read = next(r for r in reports if r.id == "read")
    assert time.monotonic() - start < 15
    assert read.points == 0 and re.search(
        "CPU time|memory|MemoryError|longer than", read.message
    ), read


def test_every_registered_labs_reader_is_bounded(tmp_path):
    """Any lab (a new one too): for each file type it accepts, a bomb is refused in seconds by
    ``read_submission`` itself, so every path that reads a submission is bounded."""
    from workbench import registry
    from workbench.grading.bounded import FileRefused

    bombs = {
        ".json": deep_json(),
        ".csv": b"vehicle,seq,customer\n" + b"V,1,1\n" * (3 * 2**20),  # 18 MiB
        ".xlsx": dimension_bomb(workbook_bytes({"Sheet": [["a"]]})),
    }
    checked = 0
    for slug in sorted(registry.labs()):
        lab = registry.get_lab(slug)
        for suffix in lab.submission_suffixes:
            if suffix not in bombs:
                continue
            path = tmp_path / slug / f"bomb{suffix}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(bombs[suffix])
            start = time.monotonic()
            with pytest.raises(FileRefused):
                lab.read_submission(path)
            assert time.monotonic() - start < 5, (slug, suffix)
            checked += 1
    assert checked >= 3


def test_a_fifo_is_refused_and_a_link_to_a_file_is_read(tmp_path):
    import os

    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match="not a regular file"):
        check_file(fifo)  # a reader opening it would wait forever
    real = tmp_path / "real.json"
    real.write_text("[1]")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    check_file(link)
    assert load_json(link) == [1]
