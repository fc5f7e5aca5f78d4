"""Where batch tasks run: in this process, on a local process pool, or on a Dask cluster.

Results are yielded as soon as each task finishes (not in submission order), so the caller can
commit each one at once: stopping the batch loses only the tasks still running. A task that
fails outside its own error handling (a pool worker killed, a pickling error) is yielded with
the exception instead of a result; the batch goes on.

Pool workers die with the batch: each sets ``PR_SET_PDEATHSIG`` (Linux), so a ``kill -9`` of
the grading command leaves no worker behind. On Dask, each future is released as soon as its
result is taken (a worker lost later does not make finished students run again), and when no
worker is left the batch stops with :class:`NoWorkers` after :data:`NO_WORKER_GRACE_S`.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

T = TypeVar("T")
Outcome = tuple[Any, Any, BaseException | None]  # (task, result or None, error or None)
NO_WORKER_GRACE_S = 20.0  # a cluster without workers this long: the batch stops
_PR_SET_PDEATHSIG = 1


class NoWorkers(ConnectionError):
    """The Dask cluster lost every worker (or its scheduler) mid-batch."""


def run_all(
    fn: Callable[[T], Any], tasks: Sequence[T], *, workers: int = 1, dask: str | None = None
) -> Iterator[Outcome]:
    """Run ``fn(task)`` for every task; yield ``(task, result, error)`` as each completes.

    ``dask`` is a scheduler address (``tcp://host:8786``); otherwise ``workers`` > 1 uses a
    local process pool (spawned processes: no state inherited from the parent) and 1 runs
    here, in order. For a pool or a cluster ``fn`` and the tasks must be picklable, and paths
    in tasks absolute (a Dask worker runs in its own working folder).
    """
    if not tasks:
        return
    if dask:
        yield from _dask(fn, tasks, dask)
    elif workers > 1:
        yield from _pool(fn, tasks, workers)
    else:
        for task in tasks:
            try:
                yield task, fn(task), None
            except Exception as exc:
                yield task, None, exc


def die_with_parent(parent: int) -> None:
    """Pool initializer: the kernel kills this worker when the process that started it dies
    (Linux ``PR_SET_PDEATHSIG``); if that happened already, exit now."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _pool(fn: Callable[[T], Any], tasks: Sequence[T], workers: int) -> Iterator[Outcome]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = {pool.submit(fn, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures.pop(future)
            try:
                yield task, future.result(), None
            except Exception as exc:  # BrokenProcessPool, a pickling error...
                yield task, None, exc


def _dask(fn: Callable[[T], Any], tasks: Sequence[T], address: str) -> Iterator[Outcome]:
    from distributed import Client, wait

    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"--dask {address}: no Dask scheduler answered there ({exc}); "
            "start one with `dask scheduler` and `dask worker ADDRESS`"
        ) from exc
    with client:
        pending = {client.submit(fn, task, pure=False): task for task in tasks}
        without_workers: float | None = None
        while pending:
            try:
                done, _ = wait(list(pending), timeout=2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            except OSError as exc:
                raise NoWorkers(
                    f"--dask {address}: the scheduler went away ({exc}); "
                    f"{len(pending)} student(s) not graded"
                ) from exc
            for future in done:
                task = pending.pop(future)
                try:
                    yield task, future.result(), None
                except Exception as exc:
                    yield task, None, exc
                finally:
                    future.release()  # the cluster forgets it: never recomputed
            if done:
                continue
            try:
                alive = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            except Exception as exc:
                raise NoWorkers(
                    f"--dask {address}: the scheduler stopped answering ({exc}); "
                    f"{len(pending)} student(s) not graded"
                ) from exc
            if alive:
                without_workers = None
            elif without_workers is None:
                without_workers = time.monotonic()
            elif time.monotonic() - without_workers > NO_WORKER_GRACE_S:
                for future in pending:
                    future.release()
                raise NoWorkers(
                    f"--dask {address}: no Dask worker left for "
                    f"{NO_WORKER_GRACE_S:.0f} s; {len(pending)} student(s) not "
                    "graded. Start workers (`dask worker ADDRESS`, in a folder "
                    "that sees the course at the same path) and run the same "
                    "command again: it resumes"
                )
