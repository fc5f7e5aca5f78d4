"""Bounded background work: every background callback of the app (grading an upload, the
optimiser, the bot, training, the demo's solves, the instructor's batch) runs as a job of the
process's background manager, admitted only within limits.

The limits (:class:`JobLimits`) are checked in the request thread *before* a job process is
started, so a client asking for more gets a sentence, not a process:

- a signed-in user has at most ``per_user`` jobs at a time;
- an anonymous visitor (counted by address) at most ``per_address``, and all anonymous
  visitors together at most ``anonymous``;
- the whole app at most ``admitted`` jobs, of which at most ``running`` do their work at once:
  the others wait in line inside their job (first come, first served), so a burst of slow files
  cannot take every core, and the jobs run at a lower CPU priority than the web server's
  threads, so pages and short callbacks keep answering while jobs grind.

A job's place is taken when it is admitted and freed when its process ends however it ends
(finished, failed, cancelled by the browser, killed): the table of places lives next to the
background manager's results (a JSON file under a lock in a private folder, or Redis with
Celery) and a place
whose job is no longer running is dropped the next time anyone looks.

:class:`LimitedManager` wraps the process's manager (``workbench.app.callbacks.
background_manager()``); ``create_app`` hands Dash that wrapper, so page code needs nothing
beyond the usual ``@callback(..., background=True)``.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from dash.background_callback.managers import BaseBackgroundCallbackManager

from workbench.i18n import t

T = TypeVar("T")
JOB_KEY = "workbench_job"  # where the job's place id travels in the callback context


@dataclass(frozen=True)
class JobLimits:
    per_user: int = 2
    per_address: int = 2
    anonymous: int = 4
    admitted: int = 16
    running: int = max(2, os.cpu_count() or 2)
    start_s: float = 60.0  # a place whose job never started is dropped after this
    max_age_s: float = 3600.0  # and any place after this, whatever its job says
    job_s: float = 900.0  # a job process still there after this ends itself (see _in_line)
    nice: int = 10  # CPU priority of a job below the web server's threads


LIMITS_ENV = "WORKBENCH_JOB_LIMITS"


def limits_from_env() -> JobLimits:
    """:class:`JobLimits` with the changes in ``WORKBENCH_JOB_LIMITS`` (e.g.
    ``per_user=3,running=4``); a clear error for a name or value not understood."""
    from dataclasses import fields, replace

    text = os.environ.get(LIMITS_ENV, "").strip()
    if not text:
        return JobLimits()
    known = {f.name: f.type for f in fields(JobLimits)}
    changes: dict[str, Any] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in known:
            raise RuntimeError(f"{LIMITS_ENV}: {name!r} not understood; use any of "
                               f"{', '.join(known)}")
        try:
            changes[name] = float(value) if known[name] in ("float", float) else int(value)
        except ValueError:
            raise RuntimeError(f"{LIMITS_ENV}: {name}={value!r} is not a number") from None
    return replace(JobLimits(), **changes)


class JobRefused(RuntimeError):
    """A job not admitted; the message says why and what to do, in the user's language."""


# ---- the table of places ----------------------------------------------------------------------

_THREADS = threading.Lock()


def _fresh_lock_in_child() -> None:
    # a job process is forked from a server thread: a lock another thread held at that moment
    # would stay locked forever in the child
    global _THREADS
    _THREADS = threading.Lock()
    if os.environ.get("WORKBENCH_DEBUG_JOBS"):  # diagnosis: SIGUSR1 prints the job's stacks
        import faulthandler
        import signal

        faulthandler.register(signal.SIGUSR1, all_threads=True)


os.register_at_fork(after_in_child=_fresh_lock_in_child)


class FilePlaces:
    """Places in a JSON file of a private folder, changed under a lock: a thread lock within
    the process and a POSIX record lock (``lockf``) between processes. Not ``flock``: a job
    process forked while a server thread holds an ``flock`` would inherit and keep it."""

    def __init__(self, directory: Path):
        from workbench.private import private_dir

        self.folder = private_dir(directory)
        self.path, self.lock = self.folder / "places.json", self.folder / "places.lock"

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def update(self, change: Callable[[dict[str, Any]], T]) -> T:
        import fcntl

        with _THREADS:
            fd = os.open(self.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX)
                places = self.read()
                result = change(places)
                tmp = self.folder / f".places-{os.getpid()}"
                tmp.write_text(json.dumps(places), encoding="utf-8")
                os.replace(tmp, self.path)
            finally:
                os.close(fd)  # and with it the lock
        return result


class RedisPlaces:
    """Places in one Redis hash value, changed under WATCH/MULTI (optimistic transactions):
    for Celery workers on other processes or hosts."""

    KEY = "workbench:job-places"

    def __init__(self, client: Any):
        self.client = client

    def read(self) -> dict[str, Any]:
        return json.loads(self.client.get(self.KEY) or "{}")

    def update(self, change: Callable[[dict[str, Any]], T]) -> T:
        import redis

        while True:
            with self.client.pipeline() as pipe:
                try:
                    pipe.watch(self.KEY)
                    places = json.loads(pipe.get(self.KEY) or "{}")
                    result = change(places)
                    pipe.multi()
                    pipe.set(self.KEY, json.dumps(places))
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue


def _owner() -> tuple[str, str]:
    """Who asks, in the request thread: ``("user", name)`` or ``("address", ip)``."""
    from flask import has_request_context, request

    from workbench.classroom.auth import current_user

    user = current_user()
    if user is not None:
        return "user", f"{user[1]}:{user[0]}"
    return "address", (request.remote_addr or "") if has_request_context() else ""


class LimitedManager(BaseBackgroundCallbackManager):
    """The process's background manager with admission limits (see the module docstring).
    Everything but starting a job is passed to the wrapped manager."""

    def __init__(self, inner: Any, places: Any, limits: JobLimits | None = None, *,
                 zygote: bool = False):
        self.inner, self.places, self.limits = inner, places, limits or JobLimits()
        self._keys: dict[int, str] = {}  # id(job function) -> its key, for the zygote
        self.zygote: Zygote | None = None
        super().__init__(inner.cache_by)  # registers every callback declared so far
        if zygote:
            self.zygote = Zygote(self)

    # -- what Dash calls ----------------------------------------------------------------------

    def register(self, key: str, fn: Any, progress: Any) -> None:
        # a distinct task name: with Celery, the wrapped manager registered the bare function
        self.func_registry[key] = self.inner.make_job_fn(self._in_line(fn), progress,
                                                         f"{key}-limited")
        self._keys[id(self.func_registry[key])] = key
        if getattr(self, "zygote", None) is not None:
            self.zygote.stop()  # it knows only the callbacks of its birth: start a new one
            self.zygote = Zygote(self)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
        place = self.admit(_owner())
        context[JOB_KEY] = place
        _freeze_once()
        try:
            if self.zygote is not None:
                job = self.zygote.start(self._keys.get(id(job_fn), key), key, args, context)
            else:
                job = self.inner.call_job_fn(key, job_fn, args, context)
        except BaseException:
            self.release(place)
            raise
        self.places.update(lambda places: places.get(place, {}).update(job=str(job)))
        return job

    def __getattr__(self, name: str) -> Any:  # e.g. ``handle``, read by Dash's task tools
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    # the abstract methods of the base class, passed on
    # Jobs started by the zygote are not the server's children: they vanish as soon as they
    # end (no zombie), possibly between the wrapped manager's "exists?" and "look at it".
    def terminate_job(self, job: Any) -> None:
        import psutil

        try:
            self.inner.terminate_job(job)
        except psutil.NoSuchProcess:
            pass

    def terminate_unhealthy_job(self, job: Any) -> Any:
        import psutil

        try:
            return self.inner.terminate_unhealthy_job(job)
        except psutil.NoSuchProcess:
            return False

    def job_running(self, job: Any) -> bool:
        import psutil

        try:
            return self.inner.job_running(job)
        except psutil.NoSuchProcess:
            return False

    def make_job_fn(self, fn: Any, progress: Any, key: str | None = None) -> Any:
        return self.inner.make_job_fn(fn, progress, key)

    def get_progress(self, key: str) -> Any:
        return self.inner.get_progress(key)

    def result_ready(self, key: str) -> bool:
        return self.inner.result_ready(key)

    def get_result(self, key: str, job: Any) -> Any:
        return self.inner.get_result(key, job)

    def get_updated_props(self, key: str) -> Any:
        return self.inner.get_updated_props(key)

    def clear_cache_entry(self, key: str) -> None:
        self.inner.clear_cache_entry(key)

    def get_or_create_signing_secret(self, generate: Callable[[], bytes]) -> Any:
        return self.inner.get_or_create_signing_secret(generate)

    # -- admission ------------------------------------------------------------------------------

    def _alive(self, place: dict[str, Any], now: float) -> bool:
        if now - place["admitted"] > self.limits.max_age_s:
            return False
        job = place.get("job")
        if job is None:
            return now - place["admitted"] < self.limits.start_s
        try:
            return bool(self.job_running(job))
        except Exception:  # the manager cannot tell (e.g. broker away): keep it till max age
            return True

    def admit(self, owner: tuple[str, str]) -> str:
        """Take a place for ``owner`` or raise :class:`JobRefused` saying which limit."""
        limits, now = self.limits, time.time()
        kind, who = owner
        dead = self._dead(now)  # checked outside the lock

        def take(places: dict[str, Any]) -> str | None:
            for k in dead:
                places.pop(k, None)
            mine = sum(1 for p in places.values() if p["owner"] == [kind, who])
            anonymous = sum(1 for p in places.values() if p["owner"][0] == "address")
            if kind == "user" and mine >= limits.per_user:
                return t("You have {n} jobs running already; wait until one is done.",
                         n=mine)
            if kind == "address" and mine >= limits.per_address:
                return t("This computer has {n} jobs running already; wait until one is done.",
                         n=mine)
            if kind == "address" and anonymous >= limits.anonymous:
                return t("The server is busy with other visitors' jobs; try again in a minute "
                         "(signed-in students are served first).")
            if len(places) >= limits.admitted:
                return t("The server is busy ({n} jobs in line); try again in a minute.",
                         n=len(places))
            # the admitting server's ``running`` limit travels with the place: a Celery
            # worker started without the server's WORKBENCH_JOB_LIMITS still keeps it
            places[place] = {"owner": [kind, who], "admitted": now, "job": None,
                             "running": False, "limit": limits.running}
            return None

        place = uuid.uuid4().hex
        refused = self.places.update(take)
        if refused:
            raise JobRefused(refused)
        return place

    def _dead(self, now: float) -> set[str]:
        return {k for k, v in self.places.read().items() if not self._alive(v, now)}

    def prune(self) -> None:
        """Drop the places of jobs that ended without giving theirs back (killed)."""
        dead = self._dead(time.time())
        if dead:
            self.places.update(lambda places: [places.pop(k, None) for k in dead])

    def release(self, place: str) -> None:
        self.places.update(lambda places: places.pop(place, None))

    # -- inside the job -------------------------------------------------------------------------

    def _in_line(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as it runs in the job: at a lower CPU priority, after waiting for one of the
        ``running`` places, and giving its place back when it ends."""
        manager = self

        @wraps(fn)
        def job(*args: Any, **kwargs: Any) -> Any:
            from dash._callback_context import context_value

            place = (context_value.get() or {}).get(JOB_KEY)
            _lower_priority(manager.limits.nice)
            # A job is forked from a threaded server: rarely (about 1 fork in 100 under load,
            # seen as a job stuck in sqlite3.connect) it inherits a lock another thread held,
            # SQLite's own included, and would wait forever. Whatever happens, the process
            # ends after ``job_s``; its place is then dropped as not running.
            watchdog = threading.Timer(manager.limits.job_s, os._exit, args=(70,))
            watchdog.daemon = True
            watchdog.start()
            if place is None:  # not admitted through this manager (cannot happen from Dash)
                return fn(*args, **kwargs)
            try:
                manager.wait_turn(place)
                return fn(*args, **kwargs)
            finally:
                watchdog.cancel()
                manager.release(place)

        return job

    def wait_turn(self, place: str, poll_s: float = 0.2) -> None:
        """Block until this job may run: fewer than ``running`` jobs run (the limit of the
        server that admitted it) and no job admitted earlier is still waiting."""
        limits = self.limits

        def turn(places: dict[str, Any]) -> bool:
            me = places.get(place)
            if me is None:  # dropped as dead by someone (a very long wait): run anyway
                return True
            running = sum(1 for p in places.values() if p.get("running"))
            ahead = [p for k, p in places.items() if k != place and not p.get("running")
                     and (p["admitted"], k) < (me["admitted"], place)]
            if running < me.get("limit", limits.running) and not ahead:
                me["running"] = True
                return True
            return False

        waited = 0.0
        while not (turn(self.places.read()) and self.places.update(turn)):  # lock only to take
            time.sleep(poll_s)
            waited += poll_s
            if waited >= 2.0:  # a job ahead that was killed must not hold up the line
                self.prune()
                waited = 0.0


def refused_message(err: Exception) -> Any:
    """The app's ``on_error``: a job that was not admitted shows its sentence in the
    callback's first ``children`` output (the other outputs keep their values); any other
    error goes on as before."""
    import dash_bootstrap_components as dbc
    from dash import callback_context, no_update
    from dash.exceptions import PreventUpdate

    if not isinstance(err, JobRefused):
        raise err
    outputs = callback_context.outputs_list
    flat = outputs if isinstance(outputs, list) else [outputs]
    message = dbc.Alert(str(err), color="warning", class_name="py-2 job-refused")
    values: list[Any] = [no_update] * len(flat)
    for k, spec in enumerate(flat):
        # an output with allow_duplicate is named "children@<hash>"
        if isinstance(spec, dict) and str(spec.get("property")).split("@")[0] == "children":
            values[k] = message
            break
    else:
        raise PreventUpdate
    return values if isinstance(outputs, list) else values[0]


_FROZEN = False


def _freeze_once() -> None:
    """Before the first job is forked: move every object of the server so far out of the
    garbage collector's reach (``gc.freeze``). A collection then never writes to those
    objects' pages, so the server and its forked jobs keep sharing them instead of each
    fault copying the other's memory (the server stays quick while many jobs run)."""
    global _FROZEN
    if not _FROZEN:
        import gc

        gc.collect()
        gc.freeze()
        _FROZEN = True


def _lower_priority(step: int) -> None:
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) < step:
            os.nice(step - os.getpriority(os.PRIO_PROCESS, 0))
    except OSError:
        pass


class Zygote:
    """Starts job processes from a process without threads.

    A job forked straight from the threaded web server may inherit a lock that another thread
    held at that moment — SQLite's own, for one — and hang in its first database call. The
    zygote is forked once, when the manager is made (before the server starts its threads),
    and forks every job from its single thread; it hears of jobs over a socket pair and
    answers with the job's process id. It ends when the server does (end of file)."""

    def __init__(self, manager: LimitedManager):
        import socket

        self.lock = threading.Lock()
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            ours.close()
            try:
                self._serve(manager, theirs)
            finally:
                os._exit(0)
        theirs.close()
        self.pid, self.sock = pid, ours
        self.reader = ours.makefile("rb")

    @staticmethod
    def _serve(manager: LimitedManager, sock: Any) -> None:
        import pickle
        import signal

        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # jobs are reaped by the kernel
        reader, writer = sock.makefile("rb"), sock.makefile("wb")
        while True:
            try:
                key, cache_key, args, context, settings = pickle.load(reader)
            except (EOFError, OSError):
                return
            job_fn = manager.func_registry[key]
            pid = os.fork()
            if pid == 0:  # the job: it waits for its own children (bounded readers)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                try:
                    sock.close()
                    _adopt_settings(settings)
                    job_fn(cache_key, manager._make_progress_key(cache_key), args, context)
                finally:
                    os._exit(0)
            pickle.dump(pid, writer)
            writer.flush()

    def start(self, key: str, cache_key: str, args: Any, context: Any) -> int:
        import pickle

        with self.lock:
            self.sock.sendall(pickle.dumps((key, cache_key, args, dict(context),
                                            _workbench_settings())))
            return pickle.load(self.reader)

    def stop(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


@cache
def limited_manager() -> LimitedManager:
    """The process's background manager with its limits (one per process)."""
    from workbench.app.callbacks import background_manager, cache_dir

    inner = background_manager()
    handle = getattr(inner, "handle", None)
    backend = getattr(getattr(handle, "backend", None), "client", None)
    if backend is not None:  # Celery with a Redis result backend
        places: Any = RedisPlaces(backend)
    else:
        places = FilePlaces(Path(cache_dir()) / "job-places")
    # the diskcache manager forks jobs from the server: let a zygote do it instead
    return LimitedManager(inner, places, limits_from_env(), zygote=backend is None)


def _workbench_settings() -> dict[str, str]:
    """The server's ``WORKBENCH_*`` environment now (the course it serves, its database): the
    zygote was forked earlier and may hold older values."""
    return {k: v for k, v in os.environ.items() if k.startswith("WORKBENCH_")}


def _adopt_settings(settings: dict[str, str]) -> None:
    for name in [k for k in os.environ if k.startswith("WORKBENCH_") and k not in settings]:
        del os.environ[name]
    os.environ.update(settings)
