"""Where batch tasks run: in this process, on a local process pool, or on a Dask cluster.

Results are yielded as soon as each task finishes (not in submission order), so the caller can
commit each one at once: stopping the batch loses only the tasks still running. A task that
fails outside its own error handling (a worker killed, a cluster gone) is yielded with the
exception instead of a result; the batch goes on.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

T = TypeVar("T")
Outcome = tuple[Any, Any, BaseException | None]  # (task, result or None, error or None)


def run_all(fn: Callable[[T], Any], tasks: Sequence[T], *, workers: int = 1,
            dask: str | None = None) -> Iterator[Outcome]:
    """Run ``fn(task)`` for every task; yield ``(task, result, error)`` as each completes.

    ``dask`` is a scheduler address (``tcp://host:8786``); otherwise ``workers`` > 1 uses a
    local process pool (spawned processes: no state inherited from the parent) and 1 runs
    here, in order. For a pool or a cluster ``fn`` and the tasks must be picklable.
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


def _pool(fn: Callable[[T], Any], tasks: Sequence[T], workers: int) -> Iterator[Outcome]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(fn, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result(), None
            except Exception as exc:  # BrokenProcessPool, a pickling error...
                yield futures[future], None, exc


def _dask(fn: Callable[[T], Any], tasks: Sequence[T], address: str) -> Iterator[Outcome]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"--dask {address}: no Dask scheduler answered there ({exc}); "
                              "start one with `dask scheduler` and `dask worker ADDRESS`") from exc
    with client:
        futures = {client.submit(fn, task, pure=False): task for task in tasks}
        for future in dask_completed(list(futures)):
            try:
                yield futures[future], future.result(), None
            except Exception as exc:
                yield futures[future], None, exc
