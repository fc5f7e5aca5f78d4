"""Similarity of code submissions: near copies of each other or of the lab's solution code.

Fingerprinting is copydetect's (winnowing over tokenised code: variable, function and class
names are masked, comments and spacing ignored, so renaming variables does not hide a copy).
Code every student was handed (the student notebook, the starter files) is boilerplate: its
fingerprints are removed before comparing, so two untouched scaffolds do not look copied.

A pair is **flagged** when either side has at least ``threshold`` of its fingerprinted code
in common with the other. A flag is for an instructor to review — the HTML page of each pair
shows the two files side by side with the shared code highlighted — and never changes a
grade.
"""

from __future__ import annotations

import functools
import html
import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import nbformat

from workbench.grading.intake import IntakeError, IntakeLimits, safe_unzip

DEFAULT_THRESHOLD = 0.6
NOISE = 25  # copydetect's noise threshold: shorter matches are never counted
GUARANTEE = 30  # matches at least this long are always found
MAX_CODE_CHARS = 2 * 2**20
MIN_SHARED = 100  # shared code (tokenised characters) below this is never a copy
SOLUTION_PREFIX = "solution:"


@dataclass(frozen=True)
class Pair:
    """Two code sources compared: the share of each one's code found in the other."""

    a: str
    b: str
    share_a: float
    share_b: float
    flagged: bool
    report: str = ""  # the HTML page of a flagged pair

    @property
    def share(self) -> float:
        return max(self.share_a, self.share_b)


@dataclass
class SimilarityResult:
    pairs: list[Pair]
    skipped: dict[str, str]  # name -> why it was not compared (not code, unreadable)

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": [{**asdict(p), "share": p.share} for p in self.pairs],
            "flagged": len(self.flagged),
            "skipped": self.skipped,
        }


def code_text(path: Path) -> str:
    """The Python code of a submission: a ``.py``, a notebook's code cells (IPython lines
    dropped), or every ``.py``/``.ipynb`` in a zip or folder. Raise :class:`IntakeError` when
    there is no code."""
    path = Path(path)
    if path.is_dir():
        return _folder_code(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="workbench-similarity-") as tmp:
            safe_unzip(path, Path(tmp), IntakeLimits())
            return _folder_code(Path(tmp))
    if path.stat().st_size > MAX_CODE_CHARS * 4:
        raise IntakeError(f"{path.name}: too large to compare")
    if suffix == ".py":
        return path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".ipynb":
        return _notebook_code(path)
    raise IntakeError(f"{path.name}: not code (.py, .ipynb, or a zip/folder of them)")


def _notebook_code(path: Path) -> str:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise IntakeError(f"{path.name}: not a readable notebook ({type(exc).__name__})") from None
    cells = [c.get("source", "") for c in nb.cells if c.get("cell_type") == "code"]
    lines = [
        line
        for cell in cells
        for line in cell.splitlines()
        if not line.lstrip().startswith(("!", "%"))
    ]
    return "\n".join(lines) + "\n"


def _folder_code(folder: Path) -> str:
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and p.suffix.lower() in (".py", ".ipynb")
        and not any(part.startswith((".", "__")) for part in p.relative_to(folder).parts)
    )
    if not files:
        raise IntakeError(f"{folder.name}: no .py or .ipynb file inside")
    parts = []
    for file in files:
        text = (
            _notebook_code(file)
            if file.suffix.lower() == ".ipynb"
            else file.read_text(encoding="utf-8", errors="replace")
        )
        parts.append(f"# file: {file.relative_to(folder).as_posix()}\n{text}")
    return "\n".join(parts)[:MAX_CODE_CHARS]


def _stable_kgrams(string: str, k: int) -> Any:
    """Hashes of every ``k``-gram of ``string`` that are the same in every process.

    copydetect hashes k-grams with Python's ``hash()``, which is salted per process
    (``PYTHONHASHSEED``), so the same two files could share 58 % in one run and 84 % in the
    next and cross the threshold either way. This is a polynomial hash over the code points
    (wrapping 64-bit arithmetic) with a SplitMix64 finaliser, vectorised with numpy.
    """
    import numpy as np

    points = np.frombuffer(string.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(points) - k + 1
    if n <= 0:
        return np.array([], dtype=np.int64)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h * base + points[j : j + n]
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h.view(np.int64)


@functools.cache
def _stable_copydetect() -> None:
    """Once per process: copydetect's k-gram hashes are :func:`_stable_kgrams`."""
    import copydetect.utils

    copydetect.utils.hashed_kgrams = _stable_kgrams


def _fingerprint(name: str, code: str, boilerplate: Any = None) -> Any:
    from copydetect import CodeFingerprint

    _stable_copydetect()

    logging.getLogger().disabled, was = True, logging.getLogger().disabled
    try:
        return CodeFingerprint(
            f"{name}.py",
            NOISE,
            GUARANTEE - NOISE + 1,
            boilerplate=boilerplate,
            fp=io.StringIO(code[:MAX_CODE_CHARS]),
            language="python",
        )
    finally:
        logging.getLogger().disabled = was


def lab_solution_code(lab: Any) -> dict[str, str]:
    """The lab's solution code to compare against: the solution notebook and the lab's
    ``reference.py`` (named ``solution:<file>``)."""
    from workbench.exercise import lab_folder, solution_notebook

    found: dict[str, str] = {}
    candidates = [solution_notebook(lab)]
    folder = lab_folder(lab)
    if folder is not None:
        candidates.append(folder / "reference.py")
    for path in candidates:
        if path is not None and Path(path).is_file():
            try:
                found[f"{SOLUTION_PREFIX}{Path(path).name}"] = code_text(Path(path))
            except (IntakeError, OSError):
                continue
    return found


def lab_boilerplate(lab: Any) -> list[str]:
    """Code every student was handed: the student notebook and the starter's modules."""
    from workbench.exercise import lab_folder, student_notebook

    texts = []
    notebook = student_notebook(lab)
    if notebook is not None and notebook.is_file():
        code = code_text(notebook)
        texts.append(code)
        # the same code without the check cells: how it reads once pasted into a module
        texts.append(
            "\n".join(
                line
                for line in code.splitlines()
                if not line.lstrip().startswith(("check(", "kit.check("))
            )
        )
    folder = lab_folder(lab)
    starter = folder / "starter" if folder is not None else None
    if starter is not None and starter.is_dir():
        for path in sorted(starter.rglob("*")):
            if path.suffix in (".py", ".ipynb") and path != notebook:
                try:
                    texts.append(code_text(path))
                except (IntakeError, OSError):
                    continue
    return texts


def compare(
    submissions: dict[str, str],
    *,
    solutions: dict[str, str] | None = None,
    boilerplate: Sequence[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    out: Path | None = None,
    skipped: dict[str, str] | None = None,
) -> SimilarityResult:
    """Compare every pair of ``submissions`` (name → code) and each one with each of
    ``solutions``; write one HTML page per flagged pair (and ``index.html``) into ``out``."""
    import numpy as np

    if not 0 < threshold <= 1:
        raise ValueError(f"threshold {threshold} not understood; give a share in (0, 1]")
    solutions = dict(solutions or {})
    hashes: set[int] = set()
    for k, text in enumerate(boilerplate):
        hashes |= set(_fingerprint(f"boilerplate{k}", text).hashes)
    bp = np.array(sorted(hashes), dtype=np.int64) if hashes else None
    prints = {
        name: _fingerprint(name, code, bp) for name, code in {**submissions, **solutions}.items()
    }
    names = list(submissions)
    pairs_to_do = list(combinations(names, 2)) + [(s, r) for s in names for r in solutions]
    pairs = []
    for a, b in pairs_to_do:
        pair = _compare_pair(prints[a], prints[b], a, b, threshold)
        if pair.flagged and out is not None:
            pair = _write_pair_page(pair, prints[a], prints[b], Path(out))
        pairs.append(pair)
    pairs.sort(key=lambda p: (-p.share, p.a, p.b))
    result = SimilarityResult(pairs, dict(skipped or {}))
    if out is not None:
        write_index(result, Path(out), threshold)
    return result


def _compare_pair(fa: Any, fb: Any, a: str, b: str, threshold: float) -> Pair:
    from copydetect import compare_files

    shared, (share_a, share_b), _ = compare_files(fa, fb)
    share_a, share_b = float(share_a), float(share_b)
    return Pair(
        a,
        b,
        round(share_a, 4),
        round(share_b, 4),
        max(share_a, share_b) >= threshold and int(shared) >= MIN_SHARED,
    )


def _highlighted(fp: Any, other: Any) -> str:
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    _, _, (slices, _) = compare_files(fp, other)
    if len(slices) == 0 or slices.shape[-1] == 0:
        return html.escape(fp.raw_code)
    text, _ = highlight_overlap(fp.raw_code, slices, "<mark>", "</mark>", escape_html=True)
    return text


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]


def _write_pair_page(pair: Pair, fa: Any, fb: Any, out: Path) -> Pair:
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"{_safe(pair.a)}__{_safe(pair.b)}.html"
    body = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{html.escape(pair.a)} ~ {html.escape(pair.b)}</title>
<style>body{{font-family:sans-serif;margin:1em}} .cols{{display:flex;gap:1em}}
.col{{flex:1;min-width:0}} pre{{background:#f6f8fa;padding:.5em;overflow:auto;font-size:12px}}
mark{{background:#ffd54f}}</style></head><body>
<h1>{html.escape(pair.a)} ~ {html.escape(pair.b)}</h1>
<p>{pair.share_a:.0%} of {html.escape(pair.a)}'s code and {pair.share_b:.0%} of
{html.escape(pair.b)}'s are shared (highlighted). Code handed to every student is not
counted. <strong>For review only: this flag does not change any grade.</strong></p>
<div class="cols"><div class="col"><h2>{html.escape(pair.a)}</h2>
<pre>{_highlighted(fa, fb)}</pre></div>
<div class="col"><h2>{html.escape(pair.b)}</h2><pre>{_highlighted(fb, fa)}</pre></div></div>
</body></html>
"""
    page.write_text(body, encoding="utf-8")
    return Pair(pair.a, pair.b, pair.share_a, pair.share_b, True, page.name)


def write_index(result: SimilarityResult, out: Path, threshold: float) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(
        f"<tr><td>{html.escape(p.a)}</td><td>{html.escape(p.b)}</td><td>{p.share_a:.0%}</td>"
        f'<td>{p.share_b:.0%}</td><td><a href="{html.escape(p.report)}">side by side</a>'
        "</td></tr>"
        for p in result.flagged
    )
    skipped = "".join(
        f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in result.skipped.items()
    )
    page = out / "index.html"
    page.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8">
<title>Similarity</title></head><body style="font-family:sans-serif">
<h1>Similar code submissions</h1>
<p>{len(result.flagged)} of {len(result.pairs)} pairs share at least {threshold:.0%} of the
code of one side. Flags are for review, never automatic zeros.</p>
<table border="1" cellpadding="4"><tr><th>submission</th><th>similar to</th>
<th>share of first</th><th>share of second</th><th></th></tr>{rows}</table>
{f"<h2>Not compared</h2><ul>{skipped}</ul>" if skipped else ""}
</body></html>
""",
        encoding="utf-8",
    )
    (out / "similarity.json").write_text(json.dumps(result.to_dict(), indent=1), encoding="utf-8")
    return page


def similarity(
    lab: Any,
    paths: Sequence[Path],
    *,
    out: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    names: Sequence[str] | None = None,
) -> SimilarityResult:
    """Compare code submissions of ``lab`` (files, zips or folders; one per student, named
    like the gradebook does) with each other and with the lab's solution code."""
    from workbench.grading.batch import student_keys

    keys = list(names) if names is not None else student_keys([Path(p) for p in paths])
    codes, skipped = {}, {}
    for key, path in zip(keys, paths, strict=True):
        try:
            codes[key] = code_text(Path(path))
        except (IntakeError, OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            skipped[key] = str(exc)
    return compare(
        codes,
        solutions=lab_solution_code(lab),
        boilerplate=lab_boilerplate(lab),
        threshold=threshold,
        out=out,
        skipped=skipped,
    )
