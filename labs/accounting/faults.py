"""Injected faults, as RPA exercises use them: a locked file, a corrupt download, a malformed
row, a page that fails once. Shared by the portal and the local-folder source."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from labs.accounting.ingest import _canon, decode, separator

MALFORMED_AMOUNT = "12O.50"  # a letter O typed for a zero


class TransientError(RuntimeError):
    """A failure worth retrying: locked file, failing page, corrupt download."""


@dataclass
class Faults:
    """Which files misbehave and how; counts how often each was asked for."""

    locked: set[str] = field(default_factory=set)  # refused (HTTP 423) the first ``lock_times``
    corrupt: set[str] = field(default_factory=set)  # truncated on the first download
    malformed: set[str] = field(default_factory=set)  # one row's amount is not a number
    page_fail: set[str] = field(default_factory=set)  # portal pages that fail (503) once
    lock_times: int = 2
    calls: dict[str, int] = field(default_factory=dict)

    def hit(self, name: str) -> int:
        self.calls[name] = self.calls.get(name, 0) + 1
        return self.calls[name]

    def serve(self, name: str, data: bytes) -> bytes:
        """The bytes served for file ``name`` on this request (raises TransientError if locked)."""
        n = self.hit(f"file:{name}")
        base = name.rsplit("/", 1)[-1]
        if base in self.locked and n <= self.lock_times:
            raise TransientError(f"{base} is locked by another user (HTTP 423)")
        if base in self.malformed:
            data = malform_csv(data)
        if base in self.corrupt and n == 1:
            return data[: len(data) // 3]
        return data

    def page(self, page: str) -> bool:
        """True when ``page`` should fail on this request."""
        return page in self.page_fail and self.hit(f"page:{page}") == 1

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """``"locked=a.csv,corrupt=b.xlsx,malformed=c.csv,page_fail=inbox"`` → Faults."""
        out = cls()
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kind, _, target = part.partition("=")
            if kind not in ("locked", "corrupt", "malformed", "page_fail") or not target:
                raise ValueError(f"fault {part!r} not understood; use kind=target with kind one of "
                                 "locked, corrupt, malformed, page_fail")
            getattr(out, kind).add(target)
        return out


def malform_csv(data: bytes) -> bytes:
    """Replace the first non-empty amount of the third data row with a typo."""
    decoded = decode(data)
    if decoded is None:
        return data
    text, encoding = decoded
    sep = separator(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    amount_cols = [i for i, h in enumerate(rows[0]) if _canon(h) in ("debit", "credit", "amount")]
    for row in rows[3:]:
        for i in amount_cols:
            if i < len(row) and row[i].strip():
                row[i] = MALFORMED_AMOUNT
                out = io.StringIO()
                csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
                return out.getvalue().encode(encoding)
    return data
