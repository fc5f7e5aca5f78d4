"""Load benchmark: a class of simulated students against the app as a classroom serves it.

Starts ``workbench serve`` (waitress, a production WSGI server) on a free loopback port with a
fresh course (one tiny logistics case per student), then each simulated student signs in and,
until the time is up, does what students do in class, with a think time between actions:
refresh their status and the leaderboard, upload their plan and get it scored, switch the
routes shown on the logistics page, open its key figures. Every action is the very callback
request the browser sends to ``/_dash-update-component``, built from ``/_dash-dependencies``.

Prints JSON: p50/p95/max latency per callback and overall, requests, errors (any non-200
answer, exception or answer without the expected content). Target: p95 <= 300 ms, 0 errors.

    uv run python benchmarks/load.py --students 40 --duration 120
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from workbench.classroom.wire import UPDATE_PATH, find, payload, run_background

TARGET_P95_MS = 300
LOGISTICS_METHODS = ("dispatcher", "time_aware", "nearest", "reference")


def make_course(root: Path, students: int) -> dict[str, bytes]:
    """A course with one tiny logistics case per student; returns each student's plan file."""
    os.environ["WORKBENCH_COURSE"] = str(root)
    from labs.logistics import LAB
    from labs.logistics.baseline import dispatcher
    from labs.logistics.instance import load_instance
    from labs.logistics.submission import write_plan
    from workbench.classroom import Settings, create_assignment
    from workbench.classroom.assignments import student_case

    roster = {f"s{k:02d}": {} for k in range(1, students + 1)}
    settings = Settings("logistics", datetime.now(UTC) + timedelta(days=1), 100_000,
                        ("route_duration",))
    create_assignment(LAB, roster, settings, size="tiny")
    plans = {}
    (root / "plans").mkdir()
    for student in roster:
        path = write_plan(dispatcher(load_instance(student_case(LAB, student))),
                          root / "plans" / f"{student}.json")
        plans[student] = path.read_bytes()
    return plans


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(course: Path, port: int) -> subprocess.Popen:
    workbench = shutil.which("workbench") or sys.exit("the workbench command is not installed")
    env = {**os.environ, "WORKBENCH_COURSE": str(course)}
    return subprocess.Popen([workbench, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"workbench serve exited with code {process.returncode}")
        try:
            if requests.get(base + "/_dash-layout", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.5)
    sys.exit(f"workbench serve did not answer within {timeout} s")


class Student:
    """One simulated student: a signed-in HTTP session and the actions they take."""

    def __init__(self, base: str, student: str, code: str, plan: bytes, deps: list, seed: int):
        self.base, self.student, self.plan = base, student, plan
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.deps = deps
        reply = self.http.post(base + "/auth/login", allow_redirects=False, timeout=30,
                               data={"kind": "student", "code": code, "student": student})
        if reply.headers.get("Location") != "/student":
            raise RuntimeError(f"{student} could not sign in: {reply.status_code}")
        self.http.get(base + "/student", timeout=30).raise_for_status()

    def call(self, output: str, values: dict, expect: str) -> tuple[float, str | None]:
        body = payload(find(self.deps, output), values)
        start = time.perf_counter()
        try:
            reply = self.http.post(self.base + UPDATE_PATH, json=body, timeout=30)
        except requests.RequestException as exc:
            return time.perf_counter() - start, f"{output}: {type(exc).__name__}"
        elapsed = time.perf_counter() - start
        if reply.status_code != 200:
            return elapsed, f"{output}: HTTP {reply.status_code}"
        if expect not in reply.text:
            return elapsed, f"{output}: answer without {expect!r}"
        return elapsed, None

    def upload(self) -> tuple[float, str | None]:
        """Upload the plan and wait for the score: the file goes to the store callback, its
        token starts the grading job, which is polled as the browser does (every second)."""
        data = "data:application/json;base64," + base64.b64encode(self.plan).decode()
        start = time.perf_counter()
        try:
            stored = self.http.post(self.base + UPDATE_PATH, timeout=30, json=payload(
                find(self.deps, "student-upload-token"),
                {"student-upload.contents": data, "student-upload.filename": f"{self.student}.json"}))
            token = stored.json()["response"]["student-upload-token"]["data"]
            reply = run_background(
                lambda query, body: self.http.post(self.base + UPDATE_PATH + query, json=body,
                                                   timeout=30),
                find(self.deps, "student-grade"),
                {"student-upload-token.data": token, "student-lab.value": "logistics"})
        except (requests.RequestException, KeyError, ValueError, TimeoutError) as exc:
            return time.perf_counter() - start, f"student upload: {type(exc).__name__}"
        elapsed = time.perf_counter() - start
        if reply.status_code != 200 or "student-grade-score" not in reply.text:
            return elapsed, f"student upload: HTTP {reply.status_code}, no score"
        return elapsed, None

    def act(self, pages: str = "all") -> tuple[str, float, str | None]:
        roll = self.rng.random() * (0.55 if pages == "student" else 1.0)
        if roll < 0.35:
            return "student status + leaderboard", *self.call(
                "student-status", {"student-lab.value": "logistics"}, "attempts left")
        if roll < 0.55:
            return "student upload + score (background job)", *self.upload()
        if roll < 0.85:
            method = self.rng.choice(LOGISTICS_METHODS)
            return "logistics route map", *self.call(
                "logistics-left-map", {"logistics-left-method.value": method}, "scatter")
        return "logistics key figures", *self.call("logistics-kpi-table", {}, "Route duration")


def simulate(base: str, plans: dict[str, bytes], code: str, duration: float,
             think: tuple[float, float], seed: int, pages: str) -> dict:
    deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
    students = [Student(base, s, code, plan, deps, seed + k)
                for k, (s, plan) in enumerate(sorted(plans.items()))]
    warm = students[0]  # not measured: the lab page solves its default case's references once
    for output, values, expect in (
            ("logistics-left-map", {"logistics-left-method.value": "reference"}, "scatter"),
            ("logistics-kpi-table", {}, "Route duration"),
            ("student-status", {"student-lab.value": "logistics"}, "attempts left")):
        error = warm.call(output, values, expect)[1]
        if error:
            sys.exit(f"warm-up failed: {error}")
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def run(student: Student) -> None:
        time.sleep(student.rng.uniform(0, think[1]))  # students do not all click at once
        while time.monotonic() < deadline:
            name, elapsed, error = student.act(pages)
            with lock:
                timings[name].append(elapsed)
                if error:
                    errors.append(error)
            time.sleep(student.rng.uniform(*think))

    threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)  # bounded: a stuck request times out after 30 s
    return {"timings": timings, "errors": errors}


def summary(values: list[float]) -> dict:
    ms = sorted(1000 * v for v in values)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"n": len(ms), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1),
            "max_ms": round(ms[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--duration", type=float, default=120, help="seconds measured")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0),
                        metavar=("MIN", "MAX"), help="seconds between a student's actions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pages", choices=("all", "student"), default="all",
                        help="all: the student page and the logistics page; student: only "
                             "the student page (status, leaderboard, upload and score)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="workbench-load-") as tmp:
        course = Path(tmp) / "course"
        plans = make_course(course, args.students)
        from workbench.classroom.course import class_code

        port = free_port()
        server = start_server(course, port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server)
            started = time.monotonic()
            result = simulate(base, plans, class_code(), args.duration, tuple(args.think),
                              args.seed, args.pages)
            wall = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    timings, errors = result["timings"], result["errors"]
    everything = [v for values in timings.values() for v in values]
    overall = summary(everything)
    report = {
        "server": "workbench serve (waitress) on 127.0.0.1, course of tiny logistics cases",
        "students": args.students, "duration_s": args.duration, "think_s": list(args.think),
        "pages": args.pages,
        "cpus": os.cpu_count(), "wall_s": round(wall, 1),
        "requests": len(everything), "requests_per_s": round(len(everything) / args.duration, 1),
        "errors": len(errors), "error_samples": sorted(set(errors))[:10],
        "latency": {"all callbacks": overall,
                    **{name: summary(values) for name, values in sorted(timings.items())}},
        "target": {"p95_ms": TARGET_P95_MS, "errors": 0},
        "target_met": overall["p95_ms"] <= TARGET_P95_MS and not errors,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
