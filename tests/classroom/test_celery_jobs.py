"""The job limits with Celery + Redis (``serve --jobs redis://…``): a real ``workbench serve``,
a real Redis and a real ``celery -A workbench.app.worker worker`` on loopback hold the same
limits as the local runner (tests/classroom/test_jobs.py): per signed-in user, per anonymous
address, in total, and at most ``running`` jobs doing their work at once across the worker's
processes; every place comes back when its job ends.

Uploads go the way the browser sends them (store callback, then the background grading
callback). While no worker runs, the admitted jobs wait in Redis holding their places, so the
refusals are deterministic; then a worker with three processes starts and works the line off.
Last, the worker's processes are killed in the middle of two jobs: their places come back
(Celery marks the tasks failed), so the student is admitted again.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from services import free_port, stop_group, wait_for_port

from workbench.classroom.course import ENV
from workbench.classroom.wire import UPDATE_PATH, find, payload
from workbench.store import DB_ENV

from .conftest import PASSPHRASE
from .test_busy_server import Student, bombs, honest_plan

BIN = Path(sys.executable).parent
LIMITS = "per_user=2,per_address=1,anonymous=2,admitted=4,running=1"
PLACES = "workbench:job-places"  # workbench.app.jobs.RedisPlaces.KEY


@pytest.fixture
def celery_course(template_course, redis_url, tmp_path, monkeypatch) -> Iterator[dict]:
    """A course served with ``--jobs`` on a Redis database of its own (no worker yet)."""
    import shutil

    import redis

    pytest.importorskip("celery", reason="the `jobs` extra (Celery) is not installed")
    root = tmp_path / "course"
    shutil.copytree(template_course, root)
    url = redis_url.rsplit("/", 1)[0] + "/7"
    client = redis.Redis.from_url(url)
    client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update({ENV: str(root), "WORKBENCH_JOBS": url, "WORKBENCH_JOB_LIMITS": LIMITS})
    monkeypatch.setenv(ENV, str(root))  # for class_code() in this process
    monkeypatch.delenv(DB_ENV, raising=False)
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "workbench"),
            "serve",
            "--course",
            str(root),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            "8",
            "--jobs",
            url,
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("wb"),
    )
    procs = {"server": server}
    try:
        wait_for_port(port, 120, server)
        yield {
            "base": f"http://127.0.0.1:{port}",
            "root": root,
            "env": env,
            "redis": client,
            "procs": procs,
            "tmp": tmp_path,
        }
    finally:
        for proc in procs.values():  # the server, then the worker if one was started
            stop_group(proc)
        client.flushdb()


def start_worker(run: dict) -> subprocess.Popen:
    """``celery -A workbench.app.worker worker`` with three processes, on loopback Redis.
    Started without the server's ``WORKBENCH_JOB_LIMITS`` (its own default would let two
    jobs run at once here): the limits are those of the server that admitted each job."""
    env = {k: v for k, v in run["env"].items() if k != "WORKBENCH_JOB_LIMITS"}
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "workbench.app.worker",
            "worker",
            "--concurrency",
            "3",
            "--pool",
            "prefork",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{os.getpid()}@127.0.0.1",
        ],
        env=env,
        cwd=run["tmp"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=(run["tmp"] / "worker.log").open("wb"),
    )
    run["procs"]["worker"] = worker
    return worker


class Job:
    """One upload's grading job, started the way the page starts it."""

    def __init__(self, call, prefix: str, name: str, data: bytes, extra: dict):
        contents = "data:application/json;base64," + base64.b64encode(data).decode()
        stored = call(
            f"{prefix}-upload-token",
            {f"{prefix}-upload.contents": contents, f"{prefix}-upload.filename": name},
        )
        token = stored.json()["response"][f"{prefix}-upload-token"]["data"]
        self.call, self.output = call, f"{prefix}-grade"
        self.values = {f"{prefix}-upload-token.data": token, **extra}
        answer = call(self.output, self.values)
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        self.first = answer.json()
        self.admitted = "cacheKey" in self.first

    @property
    def refusal(self) -> str:
        return "" if self.admitted else json.dumps(self.first["response"])

    def result(self, timeout_s: float = 240) -> str:
        """Poll as the browser does until the job's answer; its text."""
        query = f"?cacheKey={self.first['cacheKey']}&job={self.first['job']}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            polled = self.call(self.output, self.values, query)
            if polled.status_code == 204:
                return "(no update)"
            body = polled.json()
            if "response" in body:
                return json.dumps(body["response"])
            time.sleep(0.5)
        raise TimeoutError(f"no result after {timeout_s} s")


def student_job(who: Student, name: str, data: bytes) -> Job:
    return Job(who.call, "student", name, data, {"student-lab.value": "logistics"})


def anonymous_caller(base: str):
    http = requests.Session()
    deps = http.get(f"{base}/_dash-dependencies").json()

    def call(output_id: str, values: dict, query: str = "") -> requests.Response:
        return http.post(
            f"{base}{UPDATE_PATH}{query}", timeout=30, json=payload(find(deps, output_id), values)
        )

    return call


def places(client) -> dict:
    return json.loads(client.get(PLACES) or "{}")


def logs(run: dict) -> str:
    return "".join(
        f"\n--- {p.name}\n" + p.read_text(errors="replace")[-3000:]
        for p in sorted(run["tmp"].glob("*.log"))
    )


def test_celery_jobs_keep_the_limits(celery_course):
    run = celery_course
    base, root, client = run["base"], run["root"], run["redis"]
    plans = {s: honest_plan(root, s, run["tmp"]) for s in ("s01", "s02", "s03")}
    s01, s02 = Student(base, "s01"), Student(base, "s02")

    # -- no worker yet: admitted jobs wait in Redis, holding their places ------------------
    mine = [student_job(s01, f"plan{k}.json", plans["s01"]) for k in range(3)]
    assert [j.admitted for j in mine] == [True, True, False]
    assert "You have 2 jobs running already" in mine[2].refusal, mine[2].refusal
    anonymous = anonymous_caller(base)
    visitor = [
        Job(anonymous, "logistics", f"p{k}.json", plans["s01"], {"logistics-case.data": ""})
        for k in range(2)
    ]
    assert [j.admitted for j in visitor] == [True, False]
    assert "This computer has 1 jobs running already" in visitor[1].refusal
    other = student_job(s02, "plan.json", plans["s02"])
    assert other.admitted, "another student is not held up by s01's limit"
    s03 = Student(base, "s03", PASSPHRASE)
    full = student_job(s03, "plan.json", plans["s03"])
    assert "The server is busy (4 jobs in line)" in full.refusal, full.refusal
    held = places(client)
    assert len(held) == 4 and not any(p["running"] for p in held.values())
    assert sorted(tuple(p["owner"]) for p in held.values()) == [
        ("address", "127.0.0.1"),
        ("user", "student:s01"),
        ("user", "student:s01"),
        ("user", "student:s02"),
    ]

    # -- a worker with three processes: still one job at a time (running=1) ----------------
    start_worker(run)
    pending = [*mine[:2], visitor[0], other]
    most, watched, deadline = 0, 0, time.monotonic() + 300
    while places(client) and time.monotonic() < deadline:
        running = sum(1 for p in places(client).values() if p["running"])
        most, watched = max(most, running), watched + (running > 0)
        time.sleep(0.02)
    assert not places(client), f"places still held after 300 s: {places(client)}{logs(run)}"
    assert watched >= 10, "the jobs ended before the line could be watched"
    assert most == 1, f"{most} jobs ran at once with running=1"
    answers = [job.result() for job in pending]
    graded = [a for a in answers if "student-grade-score" in a]
    assert len(graded) == 3 and all("The submission is valid." in a for a in graded), (
        answers,
        logs(run),
    )
    assert "logistics-grade" in answers[2], answers[2]  # the visitor's grade on the lab page

    # -- every place came back: s03 is admitted now and graded by the worker ---------------
    again = student_job(s03, "plan.json", plans["s03"])
    assert again.admitted, again.refusal
    assert "The submission is valid." in again.result(), logs(run)
    assert places(client) == {}

    # -- a job killed in the middle gives its place back (the task is marked failed) -------
    import psutil

    slow = bombs()[-1][1]  # a legal plan of 60,000 stops: seconds of grading
    doomed = [student_job(s02, f"slow{k}.json", slow) for k in range(2)]
    assert all(j.admitted for j in doomed)
    deadline = time.monotonic() + 60
    while not any(p["running"] for p in places(client).values()):
        assert time.monotonic() < deadline, f"no job started{logs(run)}"
        time.sleep(0.02)
    assert "You have 2 jobs running already" in student_job(s02, "p.json", plans["s02"]).refusal
    for child in psutil.Process(run["procs"]["worker"].pid).children(recursive=True):
        child.send_signal(signal.SIGKILL)  # no code of the jobs runs to give a place back
    deadline, later = time.monotonic() + 60, None
    while later is None or not later.admitted:
        assert time.monotonic() < deadline, f"s02's places stay taken: {places(client)}"
        time.sleep(0.5)
        later = student_job(s02, "plan.json", plans["s02"])
    answer = later.result()  # graded, or refused by the daily limit: either way it ran
    assert "student-grade" in answer or "student-refused" in answer, answer
    deadline = time.monotonic() + 60
    while places(client):
        assert time.monotonic() < deadline, f"places left: {places(client)}{logs(run)}"
        time.sleep(0.2)
