"""The translation catalogues of :mod:`workbench.i18n` and the Babel tooling that maintains
them (``python -m workbench.locale update|compile|check``).

``zh/LC_MESSAGES/workbench.po`` is the source of the Chinese texts; the compiled ``.mo`` next
to it is committed, so a checkout, an editable install and the wheel work without a build step,
and ``check`` (run by the tests) fails when the two disagree or a text has no translation.

Messages come from the source (``t("...")`` and ``N_("...")`` calls, extracted by Babel's Python
extractor) and from the labs' metadata (titles, summaries, metric and claim texts), which the
framework translates with ``t(lab.title)`` and the like.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent  # the folder holding the workbench and labs packages
KEYWORDS = {"t": None, "N_": None}
LANGUAGES = ("zh",)


def po_path(code: str) -> Path:
    return HERE / code / "LC_MESSAGES" / "workbench.po"


def extract():  # -> babel.messages.catalog.Catalog
    """Every translatable text of the source and of the installed labs' metadata."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="lab-workbench")
    for package in ("workbench", "labs"):
        folder = ROOT / package
        # Babel notes every f-string it skips on stderr; f-strings are fine outside t()
        with contextlib.redirect_stderr(io.StringIO()):
            found = list(
                extract_from_dir(folder, method_map=[("**.py", "python")], keywords=KEYWORDS)
            )
        for filename, lineno, message, _comments, _context in found:
            if isinstance(message, str) and message and _is_call(folder / filename, lineno):
                catalog.add(message, locations=[(f"{package}/{filename}", lineno)])
    for message, where in lab_texts():
        if message not in catalog:
            catalog.add(message, locations=[(where, 0)])
    return catalog


_CALL = re.compile(r"(?<![\w.])(t|N_)\(")


@functools.cache
def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


_OPEN = re.compile(r"(?<![\w.])(t|N_)\(\s*$")


def _is_call(path: Path, lineno: int) -> bool:
    """Babel also takes ``t["amount"]`` (a local table named ``t``) for a keyword: keep
    only real ``t(...)`` / ``N_(...)`` calls (the text on the call's line, or on the next one
    when a formatter put the opening parenthesis alone at the end of a line)."""
    lines = _lines(path)
    if not 0 < lineno <= len(lines):
        return False
    return bool(_CALL.search(lines[lineno - 1])) or (
        lineno > 1 and bool(_OPEN.search(lines[lineno - 2]))
    )


def lab_texts() -> list[tuple[str, str]]:
    """Texts the framework shows from every installed lab's metadata."""
    from workbench.registry import labs

    found = []
    for slug, lab in labs().items():
        where = f"labs/{slug}/__init__.py"
        texts = [lab.title, getattr(lab, "summary", "")]
        for metric in lab.metrics:
            texts += [metric.title, metric.unit]
        for claim in lab.claims:
            texts += [claim.description, claim.claimed, claim.unit]
        found += [(text, where) for text in texts if isinstance(text, str) and text.strip()]
    return found


def step_texts() -> dict[str, str]:
    """English → Chinese of every installed lab's exercise steps (titles, instructions,
    hints, check descriptions): the labs write both, the catalogue carries them to the
    grade reports, which store only the English."""
    from workbench.exercise import lab_steps
    from workbench.registry import labs

    pairs: dict[str, str] = {}
    for lab in labs().values():
        for step in lab_steps(lab):
            pairs[step.title] = step.title_zh
            pairs[step.instructions] = step.instructions_zh
            pairs.update(zip(step.hints, step.hints_zh, strict=False))
            for check in step.public_checks + step.hidden_checks:
                pairs[check.description] = check.description_zh
                if check.hint:
                    pairs[check.hint] = check.hint_zh
    return {en: zh for en, zh in pairs.items() if en and en.strip() and zh}


def read(code: str):
    from babel.messages.pofile import read_po

    with po_path(code).open("rb") as fh:
        return read_po(fh, locale=code, domain="workbench")


def write(code: str, catalog) -> None:
    from babel.messages.pofile import write_po

    path = po_path(code)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, width=100, omit_header=False, sort_output=True, include_previous=False
    )
    path.write_bytes(buffer.getvalue())


def update(code: str) -> tuple[int, list[str]]:
    """Add the source's new texts to a catalogue (untranslated) and refresh their locations.
    Texts no longer found in the source are kept (some reach ``t()`` through data, e.g. a
    lab's progress messages): returns (number added, texts not found in the source)."""
    source = extract()
    catalog = read(code)
    added = 0
    for message in source:
        if not message.id:
            continue
        if message.id in catalog:
            catalog[message.id].locations = list(message.locations)
        else:
            catalog.add(message.id, "", locations=message.locations)
            added += 1
    if code == "zh":
        for en, zh in step_texts().items():  # the labs' own translations win
            if en in catalog:
                catalog[en].string = zh
            else:
                catalog.add(en, zh, locations=[("labs (exercise steps)", 0)])
    unused = [m.id for m in catalog if m.id and m.id not in source]
    write(code, catalog)
    return added, unused


def compiled(code: str) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, read(code))
    return buffer.getvalue()


def compile_all() -> list[Path]:
    out = []
    for code in LANGUAGES:
        path = po_path(code).with_suffix(".mo")
        path.write_bytes(compiled(code))
        out.append(path)
    return out


def check(code: str) -> list[str]:
    """Problems with a catalogue: a stale ``.mo``, source texts without a translation."""
    problems = []
    mo = po_path(code).with_suffix(".mo")
    if not mo.is_file() or mo.read_bytes() != compiled(code):
        problems.append(
            f"{mo} is not the compiled {po_path(code).name}: run "
            "`python -m workbench.locale compile`"
        )
    catalog = read(code)
    for message in extract():
        if message.id and (message.id not in catalog or not catalog[message.id].string):
            where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
            problems.append(f"no {code} translation for {message.id!r} ({where})")
    return problems
