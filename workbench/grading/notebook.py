"""Notebook → script for code submissions: code cells in order, shell escapes refused.

IPython syntax (``!cmd``, ``%magic``, ``%%cell_magic``, ``get_ipython()``) is not Python and,
worse, runs shell commands; a notebook that uses it is refused with the cell and line, so the
student can remove it. Markdown and raw cells are dropped. ``display(...)``, which notebooks use without importing
it, works in the script too (IPython's when installed, else a no-op).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from workbench.grading.intake import IntakeError
from workbench.i18n import N_
from workbench.lab import Problem

# A line is IPython-only if it starts (after indentation) with !, % or %%. Only cells that are
# not valid Python are searched for such lines: "% x" may continue a valid expression.
_ESCAPE = re.compile(r"^\s*(!|%)")
PRELUDE = """# --- added by the grader: display() as in a notebook ---
try:
    from IPython.display import display
except ImportError:
    def display(*objects, **options):
        pass
"""


def notebook_to_script(path: Path) -> str:
    """The notebook's code cells as one script; raise :class:`IntakeError` on shell escapes."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types on bad input
        raise IntakeError(
            Problem(
                N_("not a readable Jupyter notebook ({error}); save it again from Jupyter"),
                "{file}",
                params={"error": f"{exc.__class__.__name__}: {str(exc)[:200]}", "file": path.name},
            )
        ) from exc
    chunks: list[str] = []
    futures: list[str] = []
    code_cells = [c for c in nb.cells if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        source = cell.get("source", "")
        bad = _ipython_line(source)
        if bad is not None:
            line_no, line = bad
            raise IntakeError(
                Problem(
                    N_(
                        "{line!r} is an IPython shell command or magic, which graded code may "
                        "not use; delete it (install packages beforehand, read files with Python)"
                    ),
                    "{file}: " + N_("code cell {cell}, line {row}"),
                    params={
                        "line": line.strip()[:80],
                        "file": path.name,
                        "cell": number,
                        "row": line_no,
                    },
                )
            )
        source, hoisted = _hoist_future_imports(source)
        futures += hoisted
        chunks.append(f"# --- code cell {number} ---\n{source}\n")
    if not chunks:
        raise IntakeError(
            Problem(N_("the notebook has no code cells"), "{file}", params={"file": path.name})
        )
    # A cell may start with `from __future__ import ...` (each cell is compiled on its own in
    # Jupyter); in one script such imports must come first, before the prelude.
    head = "".join(f"{line}\n" for line in dict.fromkeys(futures))
    return head + PRELUDE + "\n" + "\n".join(chunks)


def _hoist_future_imports(source: str) -> tuple[str, list[str]]:
    """The cell without its top-level ``from __future__`` imports, and those import lines."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source, []
    lines = source.splitlines()
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            names = ", ".join(a.name for a in node.names)
            found.append(f"from __future__ import {names}")
            for k in range(node.lineno - 1, (node.end_lineno or node.lineno)):
                lines[k] = "pass  # moved to the top by the grader" if k == node.lineno - 1 else ""
    return ("\n".join(lines), found) if found else (source, [])


def _ipython_line(source: str) -> tuple[int, str] | None:
    """(line number, line) of the first IPython-only construct of a cell, or None.

    Parsing is not running: the parser only builds a syntax tree of the student's text.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        for line_no, line in enumerate(source.splitlines(), start=1):
            if _ESCAPE.match(line):
                return line_no, line
        return None  # a plain syntax error: the sandbox reports it with a traceback
    lines = source.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name == "get_ipython":
                return node.lineno, lines[node.lineno - 1]
    return None
