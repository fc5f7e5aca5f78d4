"""The ``workbench`` command: serve the app, make data, solve, assign per-student cases, grade
(one case, or a whole course on a process pool or a Dask cluster), self-check, reproduce.

Exit codes: 0 done (a batch where some submissions score 0 is still done; ``reproduce`` exits 0
even when a claim does not hold — it reports), 1 a failure (``check``: the submission is not
valid; ``data verify``: files differ from the manifest; a lab raised an error), 2 bad input
(unknown lab, missing case folder, wrong option); ``grade --course`` exits 1 when a submission
could not be graded at all (rerun to retry). Progress goes to stderr, results to stdout.
"""

from workbench.cli import course, general, grading  # noqa: F401  (they register sub-commands)
from workbench.cli.common import BadInput, main

__all__ = ["BadInput", "main"]

