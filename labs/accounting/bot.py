"""The consolidation bot (rpaframework): fetch the regional exports, read them, consolidate,
score anomalies, write the report workbook and a PDF summary, upload them.

Where the files come from is a seam: :class:`LocalFolderSource` (a case folder, for unit tests
and the graded reference) or ``labs.accounting.browser.PortalSource`` (the group finance portal
driven through a real Chromium). Every step is logged with its duration; a failing step is
retried, and what still fails is listed as an exception, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from labs.accounting.detect import Detector
from labs.accounting.faults import Faults, TransientError, malform_csv
from labs.accounting.ingest import LINE_COLUMNS, Ingested, read_export
from labs.accounting.jet import entry_table, review_budget
from labs.accounting.pdf import write_summary_pdf
from labs.accounting.pipeline import Reference, consolidate_folder
from labs.accounting.submission import OPTIONAL, SUBMISSION_NAME, Report, write_submission

SETUP_MEDIAN = 300.0  # s a person needs to start the bot and check its inbox
EXCEPTION_REVIEW_MEDIAN = 120.0  # s to look into one exception the bot lists
SIGNOFF_MEDIAN = 900.0  # s final read-through of the report (same as the clerk's)
HUMAN_SIGMA = 0.3
MAX_FLAGS = 50_000


@dataclass
class Step:
    name: str
    seconds: float
    status: str  # ok, retry, failed
    detail: str = ""


@dataclass
class BotLog:
    """Every step with its duration; ``echo`` receives each line as it happens (live log)."""

    echo: Callable[[str], None] | None = None
    steps: list[Step] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def add(self, name: str, seconds: float, status: str = "ok", detail: str = "") -> None:
        self.steps.append(Step(name, seconds, status, detail))
        if self.echo:
            self.echo(f"[{time.perf_counter() - self.started:7.2f}s] {status:6s} {name} "
                      f"({seconds:.2f}s) {detail}".rstrip())

    @contextmanager
    def step(self, name: str) -> Iterator[dict]:
        t0, info = time.perf_counter(), {"detail": ""}
        try:
            yield info
        except Exception as exc:
            self.add(name, time.perf_counter() - t0, "failed", f"{type(exc).__name__}: {exc}")
            raise
        self.add(name, time.perf_counter() - t0, "ok", info["detail"])

    def to_json(self) -> list[dict]:
        return [s.__dict__ for s in self.steps]


class Source(Protocol):
    """Where the bot gets its files and delivers its report."""

    def open(self) -> None: ...
    def list_files(self) -> dict[str, str]: ...  # relative path -> sha256
    def fetch(self, name: str, dest: Path) -> Path: ...
    def upload(self, paths: list[Path]) -> str: ...
    def close(self) -> None: ...


class LocalFolderSource:
    """A case's public folder as the source; faults can be injected as on the portal."""

    def __init__(self, public: Path, faults: Faults | None = None, outbox: Path | None = None):
        self.public, self.faults, self.outbox = Path(public), faults or Faults(), outbox

    def open(self) -> None:
        if self.faults.page("login"):
            raise TransientError("login page failed to load (HTTP 503)")

    def list_files(self) -> dict[str, str]:
        if self.faults.page("inbox"):
            raise TransientError("inbox page failed to load (HTTP 503)")
        return {p.relative_to(self.public).as_posix(): hashlib.sha256(
            malform_csv(p.read_bytes()) if p.name in self.faults.malformed
            else p.read_bytes()).hexdigest() for p in sorted(self.public.rglob("*")) if p.is_file()}

    def fetch(self, name: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(self.faults.serve(name, (self.public / name).read_bytes()))
        return dest

    def upload(self, paths: list[Path]) -> str:
        if self.outbox is None:
            return "not uploaded (no outbox)"
        self.outbox.mkdir(parents=True, exist_ok=True)
        for p in paths:
            shutil.copy2(p, self.outbox / p.name)
        return f"copied to {self.outbox}"

    def close(self) -> None:
        pass


def retry(log: BotLog, name: str, action: Callable[[], object], attempts: int = 3,
          wait: float = 0.2) -> object:
    """Run ``action``; on a TransientError log a retry and try again, up to ``attempts`` times."""
    for attempt in range(1, attempts + 1):
        t0 = time.perf_counter()
        try:
            out = action()
        except TransientError as exc:
            log.add(name, time.perf_counter() - t0, "retry" if attempt < attempts else "failed",
                    f"attempt {attempt}: {exc}")
            if attempt == attempts:
                raise
            time.sleep(wait * attempt)
            continue
        log.add(name, time.perf_counter() - t0, "ok", f"attempt {attempt}" if attempt > 1 else "")
        return out
    raise AssertionError("unreachable")


def read_excel_with_rpa(path: Path) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook as raw cells, read with RPA.Excel.Files."""
    from RPA.Excel.Files import Files

    excel = Files()
    excel.open_workbook(str(path), data_only=True)
    try:
        sheets = {}
        for name in excel.list_worksheets():
            rows = excel.read_worksheet(name, header=False)
            cols = sorted({k for r in rows for k in r}, key=lambda c: (len(c), c))
            sheets[name] = pd.DataFrame([[r.get(c) for c in cols] for r in rows], dtype=object)
        return sheets
    finally:
        excel.close_workbook()


def rpa_reader(path: Path, region: str, start: str, end: str) -> Ingested:
    """read_export, with Excel cells read by the RPA library."""
    sheets = read_excel_with_rpa(path) if path.suffix.lower() == ".xlsx" else None
    return read_export(path, region, start, end, sheets=sheets)


@dataclass
class BotResult:
    report: Report
    workbook: Path
    pdf: Path
    log: BotLog
    exceptions: list[dict]
    receipt: str = ""


def _download(source: Source, log: BotLog, work: Path, attempts: int) -> tuple[Path, list[dict]]:
    public, exceptions = work / "public", []
    listing = retry(log, "open inbox", source.list_files, attempts)
    for name, digest in listing.items():
        def get(name: str = name, digest: str = digest) -> Path:
            path = source.fetch(name, public / name)
            got = hashlib.sha256(path.read_bytes()).hexdigest()
            if got != digest:
                raise TransientError(f"{name}: checksum mismatch, download corrupt")
            return path
        try:
            retry(log, f"download {name}", get, attempts)
        except TransientError as exc:
            exceptions.append({"file": name, "row": None, "problem": f"not downloaded: {exc}"})
    return public, exceptions


def _inventory(folder: Path) -> str:
    """What arrived in the inbox (RPA.FileSystem), for the log."""
    from RPA.FileSystem import FileSystem

    fs = FileSystem()
    if not fs.does_directory_exist(str(folder)):
        return "no inbox folder"
    files = fs.list_files_in_directory(str(folder))
    return ", ".join(f"{f.name} {fs.get_file_size(str(f.path)):,} B" for f in files)


def _human_seconds(case_id: str, n_exceptions: int) -> dict[str, float]:
    """The person's share of the run: start it, look into exceptions, sign the report off."""
    rng = np.random.default_rng([int(case_id or "0", 16), 2])
    return {"setup_seconds": float(SETUP_MEDIAN * rng.lognormal(0, HUMAN_SIGMA)),
            "review_seconds": float(SIGNOFF_MEDIAN * rng.lognormal(0, HUMAN_SIGMA)
                                    + EXCEPTION_REVIEW_MEDIAN * rng.lognormal(0, HUMAN_SIGMA,
                                                                              n_exceptions).sum())}


def run_bot(source: Source, work: Path, *, echo: Callable[[str], None] | None = None,
            attempts: int = 3, upload: bool = True, use_rpa_excel: bool = True,
            detector: Detector | None = None) -> BotResult:
    """One end-to-end run; the measured seconds go into the workbook's Meta sheet."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    log = BotLog(echo)
    t0 = time.perf_counter()
    retry(log, "log in", source.open, attempts)
    try:
        public, exceptions = _download(source, log, work, attempts)
        with log.step("check downloaded files") as info:
            info["detail"] = _inventory(public / "inbox")
        ref_ok = (public / "case.json").is_file() and (public / "reference" / "regions.csv").is_file()
        if not ref_ok:
            raise RuntimeError("case.json or reference tables could not be downloaded; "
                               "the bot cannot consolidate without them")
        reader = rpa_reader if use_rpa_excel else read_export

        def safe_reader(path: Path, region: str, start: str, end: str) -> Ingested:
            try:
                return reader(path, region, start, end)
            except Exception as exc:  # a damaged file must not stop the other regions
                exceptions.append({"file": path.name, "row": None,
                                   "problem": f"could not be read ({type(exc).__name__}: {exc})"})
                return Ingested(pd.DataFrame(columns=LINE_COLUMNS))

        with log.step("read and consolidate") as info:
            con = consolidate_folder(public, reader=safe_reader, log=lambda m: log.add(m, 0.0))
            exceptions += con.exceptions
            info["detail"] = f"{len(con.lines)} lines, {len(exceptions)} exceptions"
        with log.step("score anomalies") as info:
            entries = entry_table(con.lines, Reference.load(public))
            flags = (detector or Detector()).score(entries, top=MAX_FLAGS)
            info["detail"] = (f"{len(flags)} entries ranked; an auditor reviews the first "
                              f"{review_budget(len(entries))}")
        case_id = json.loads((public / "case.json").read_text(encoding="utf-8")).get("case_id", "")
        bot_seconds = time.perf_counter() - t0
        meta = {"method": "rpa bot + risk detector", "case_id": case_id, "keying_seconds": bot_seconds,
                **_human_seconds(case_id, len(exceptions)), "bot.exceptions": len(exceptions)}
        report = Report(con.tables, flags, meta,
                        pd.DataFrame(exceptions, columns=OPTIONAL["Exceptions"]))
        with log.step("write report workbook and PDF"):
            workbook = write_submission(report, work / SUBMISSION_NAME)
            pdf = write_summary_pdf(con.tables, flags, exceptions, work / "summary.pdf")
        receipt = ""
        if upload:
            receipt = str(retry(log, "upload report", lambda: source.upload([workbook, pdf]), attempts))
    finally:
        source.close()
    (work / "bot_log.json").write_text(json.dumps(log.to_json(), indent=1, ensure_ascii=False),
                                       encoding="utf-8")
    return BotResult(report, workbook, pdf, log, exceptions, receipt)
