"""Admission of background jobs: per user, per address, anonymous in total, all in total, a
place freed however its job ends, jobs running in line (a real diskcache manager and real
processes standing in for jobs)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import dash
import diskcache
import pytest

from workbench.app.jobs import FilePlaces, JobLimits, JobRefused, LimitedManager, limits_from_env


@pytest.fixture
def manager(tmp_path):
    inner = dash.DiskcacheManager(diskcache.Cache(str(tmp_path / "results")))
    return LimitedManager(inner, FilePlaces(tmp_path / "places"),
                          JobLimits(per_user=2, per_address=1, anonymous=2, admitted=5,
                                    running=2, start_s=60))


@pytest.fixture
def sleepers():
    procs = []

    def start() -> int:
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        procs.append(proc)
        return proc.pid

    yield start, procs
    for proc in procs:
        proc.kill()
        proc.wait()


def attach(manager, place, pid):
    manager.places.update(lambda places: places[place].update(job=str(pid)))


def test_a_user_gets_two_jobs_at_a_time(manager):
    manager.admit(("user", "student:s01"))
    manager.admit(("user", "student:s01"))
    with pytest.raises(JobRefused, match="2 jobs running already"):
        manager.admit(("user", "student:s01"))
    manager.admit(("user", "student:s02"))  # another user is not held up


def test_anonymous_visitors_are_bounded_per_address_and_together(manager):
    manager.admit(("address", "10.0.0.1"))
    with pytest.raises(JobRefused, match="This computer has 1 jobs"):
        manager.admit(("address", "10.0.0.1"))
    manager.admit(("address", "10.0.0.2"))
    with pytest.raises(JobRefused, match="busy with other visitors"):
        manager.admit(("address", "10.0.0.3"))
    manager.admit(("user", "teacher"))  # signed-in users still get in


def test_the_app_admits_a_bounded_number_of_jobs(manager):
    for k in range(5):
        manager.admit(("user", f"s{k}"))
    with pytest.raises(JobRefused, match=r"busy \(5 jobs in line\)"):
        manager.admit(("user", "s9"))


def test_a_place_is_freed_when_its_job_ends_however_it_ends(manager, sleepers):
    start, procs = sleepers
    first = manager.admit(("user", "s01"))
    second = manager.admit(("user", "s01"))
    attach(manager, first, start())
    attach(manager, second, start())
    with pytest.raises(JobRefused):
        manager.admit(("user", "s01"))
    procs[0].kill()  # cancelled by the browser, or killed: no code of the job ran to free it
    procs[0].wait()
    manager.admit(("user", "s01"))
    manager.release(second)  # finished normally
    manager.admit(("user", "s01"))


def test_a_place_whose_job_never_started_is_dropped(tmp_path):
    inner = dash.DiskcacheManager(diskcache.Cache(str(tmp_path / "results")))
    manager = LimitedManager(inner, FilePlaces(tmp_path / "places"),
                             JobLimits(per_user=1, start_s=0.2))
    manager.admit(("user", "s01"))
    with pytest.raises(JobRefused):
        manager.admit(("user", "s01"))
    time.sleep(0.3)
    manager.admit(("user", "s01"))


def test_jobs_run_in_line_first_come_first_served(manager, sleepers):
    start, _ = sleepers
    places = [manager.admit(("user", f"s{k}")) for k in range(4)]
    for place in places:
        attach(manager, place, start())
    started: list[int] = []

    def run(k: int) -> None:
        manager.wait_turn(places[k], poll_s=0.01)
        started.append(k)

    threads = [threading.Thread(target=run, args=(k,)) for k in (3, 2, 1, 0)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    assert sorted(started) == [0, 1], "two run, the others wait"
    manager.release(places[0])
    time.sleep(0.3)
    assert sorted(started) == [0, 1, 2], "the next in line, not the last to ask"
    manager.release(places[1])
    for thread in threads:
        thread.join(timeout=5)
    assert started[2:] == [2, 3]


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("WORKBENCH_JOB_LIMITS", "per_user=3, running=4")
    assert limits_from_env() == JobLimits(per_user=3, running=4)
    monkeypatch.setenv("WORKBENCH_JOB_LIMITS", "per_usr=3")
    with pytest.raises(RuntimeError, match="'per_usr' not understood"):
        limits_from_env()
    monkeypatch.setenv("WORKBENCH_JOB_LIMITS", "per_user=many")
    with pytest.raises(RuntimeError, match="not a number"):
        limits_from_env()


def test_a_killed_job_does_not_hold_up_the_line(manager, sleepers):
    start, procs = sleepers
    places = [manager.admit(("user", f"s{k}")) for k in range(3)]
    for place in places:
        attach(manager, place, start())
    manager.wait_turn(places[0], poll_s=0.01)
    manager.wait_turn(places[1], poll_s=0.01)
    procs[0].kill()  # the first job dies while running, never giving its place back
    procs[0].wait()
    began = time.monotonic()
    manager.wait_turn(places[2], poll_s=0.05)
    assert time.monotonic() - began < 5
