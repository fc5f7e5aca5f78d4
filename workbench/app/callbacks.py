"""The background-callback manager of the process's one Dash app.

Page modules declare their callbacks with ``dash.callback``, the usual Dash Pages pattern;
Dash hands them to the app when it serves its first request (``create_app`` builds one app per
process).
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import dash

JOBS_ENV = "WORKBENCH_JOBS"  # a Redis URL (Celery) or a private folder (diskcache)


class JobsFolderError(RuntimeError):
    """The folder of background jobs is not private to this user."""


def jobs_setting() -> str:
    """``WORKBENCH_JOBS`` (``serve --jobs``): ``redis://...`` or a folder; "" = the default."""
    return os.environ.get(JOBS_ENV, "").strip()


@cache
def cache_dir() -> Path:
    """Where background callbacks keep their results and progress: the folder given in
    ``WORKBENCH_JOBS``, else a new private folder of this server instance (``mkdtemp``: mode
    0700, a fresh random name, removed at exit). Job results are pickles, so the folder must
    be this user's alone: one owned by someone else or open to others is refused."""
    given = jobs_setting()
    if given and "://" not in given:
        folder = Path(given).expanduser().resolve()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="workbench-jobs-"))
        owner = os.getpid()
        atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, True))
    check_private(folder)
    return folder


def check_private(folder: Path) -> None:
    """Refuse a folder not owned by this user or readable, writable or enterable by others."""
    info = folder.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise JobsFolderError(f"{folder}: the folder of background jobs is not a folder")
    if info.st_uid != os.geteuid():
        raise JobsFolderError(f"{folder}: the folder of background jobs belongs to another "
                              "user; give a folder of your own (WORKBENCH_JOBS / serve --jobs)")
    if info.st_mode & 0o077:
        raise JobsFolderError(f"{folder}: the folder of background jobs is open to other "
                              f"users (mode {stat.S_IMODE(info.st_mode):o}); run chmod 700 on "
                              "it or give another folder")


def celery_app(url: str) -> Any:
    """The Celery app of background jobs on Redis (broker and results): ``serve --jobs
    redis://HOST:6379/0`` in every serving process, and workers started with
    ``celery -A workbench.app.worker worker`` under the same ``WORKBENCH_*`` settings."""
    try:
        from celery import Celery
    except ImportError as exc:
        raise RuntimeError("background jobs on Redis need Celery: install the `jobs` extra "
                           "(pip install 'lab-workbench[jobs]')") from exc
    app = Celery("workbench", broker=url, backend=url)
    app.conf.update(result_expires=3600, task_acks_late=True, worker_prefetch_multiplier=1,
                    broker_connection_retry_on_startup=True)
    return app


@cache
def background_manager() -> dash.DiskcacheManager | dash.CeleryManager:
    """One manager per process. By default diskcache in this instance's private folder (jobs
    run in worker processes of this server). With ``WORKBENCH_JOBS=redis://...`` Celery on
    Redis: several serving processes share the queue and the results, and Celery workers run
    the jobs."""
    given = jobs_setting()
    if given.startswith(("redis://", "rediss://", "unix://")):
        return dash.CeleryManager(celery_app(given), expire=3600)
    import diskcache

    return dash.DiskcacheManager(diskcache.Cache(str(cache_dir())), expire=3600)
