"""Grader overhead per code submission: sandbox start + interpreter + imports.

Runs N small pandas + scikit-learn submissions through ``run_code`` and reports medians next to
a plain ``python -c pass`` and a plain import of the same libraries, then the throughput with
1 and 2 workers. Usage::

    uv run python benchmarks/grading_overhead.py [--n 10] [--mode auto|bwrap|plain]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workbench.grading.isolation import interpreter, probe
from workbench.grading.sandbox import Limits, run_code
from workbench.lab import CodeEntry

ENTRY = CodeEntry("solve", "plan.json")
TRIVIAL = "def solve(public, out):\n    (out / 'plan.json').write_text('{}')\n"
PANDAS_SKLEARN = '''
import json
import pandas as pd
from sklearn.linear_model import LinearRegression

def solve(public, out):
    df = pd.read_csv(public / "points.csv")
    model = LinearRegression().fit(df[["x"]], df["y"])
    (out / "plan.json").write_text(json.dumps({"slope": float(model.coef_[0])}))
'''
IMPORTS = "import pandas, sklearn.linear_model"


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _stage(root: Path, source: str) -> Path:
    code = root / f"code-{abs(hash(source))}"
    code.mkdir()
    (code / "submission.py").write_text(source)
    return code


def _run(code: Path, public: Path, mode: str) -> float:
    with tempfile.TemporaryDirectory() as work:
        start = time.perf_counter()
        result = run_code(code, public, ENTRY, Limits(), mode=mode, workdir=Path(work))
        elapsed = time.perf_counter() - start
    if result.output is None:
        raise RuntimeError(f"benchmark submission failed: {result.reasons} {result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="submissions per measurement")
    parser.add_argument("--mode", default="auto", choices=["auto", "bwrap", "plain"])
    args = parser.parse_args()
    caps = probe()
    mode = args.mode if args.mode != "auto" else ("bwrap" if caps.bwrap else "plain")
    python = str(interpreter())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        public = root / "public"
        public.mkdir()
        (public / "points.csv").write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n"
                                                             for i in range(200)))
        trivial, real = _stage(root, TRIVIAL), _stage(root, PANDAS_SKLEARN)
        _run(real, public, mode)  # warm the page cache once
        # Interleaved, so a change of load on a shared machine hits every figure alike.
        runs = {
            "python -c pass": lambda: subprocess.run([python, "-I", "-S", "-c", "pass"],
                                                     check=True),
            "python -c 'import pandas, sklearn' (no sandbox)":
                lambda: subprocess.run([sys.executable, "-c", IMPORTS], check=True),
            f"run_code trivial submission ({mode})": lambda: _run(trivial, public, mode),
            f"run_code pandas+sklearn submission ({mode})": lambda: _run(real, public, mode),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.n):
            for name, run in runs.items():
                times[name].append(_timed(run))
        figures = {name: statistics.median(values) for name, values in times.items()}
        throughput = {}
        for workers in (1, 2):
            with ThreadPoolExecutor(workers) as pool:
                start = time.perf_counter()
                list(pool.map(lambda _: _run(real, public, mode), range(args.n)))
                throughput[workers] = args.n / (time.perf_counter() - start)
    base = figures["python -c pass"]
    print(f"mode: {mode}   n: {args.n}   capabilities: {caps}")
    print(f"  load average at the end: {Path('/proc/loadavg').read_text().split()[:3]}")
    for name, seconds in figures.items():
        print(f"  {name:<55} median {seconds:6.3f} s   ({seconds / base:5.1f}x python -c pass)")
    sandboxed = figures[f"run_code pandas+sklearn submission ({mode})"]
    plain_import = figures["python -c 'import pandas, sklearn' (no sandbox)"]
    print(f"  sandboxed pandas+sklearn run / unsandboxed import:     {sandboxed / plain_import:6.2f}x")
    sandbox = figures[f"run_code trivial submission ({mode})"] - base
    print(f"  sandbox start + bootstrap beyond the interpreter:        {sandbox:6.3f} s")
    for workers, rate in throughput.items():
        print(f"  throughput with {workers} worker(s): {rate:5.2f} submissions/s")
    print(json.dumps({"mode": mode, "n": args.n, "medians_s": figures,
                      "throughput_per_s": throughput}))


if __name__ == "__main__":
    main()
