"""Where many independent runs go: this process, local worker processes, or a Dask cluster.

Trials, comparisons and sweeps all hand their runs here as a list of picklable jobs and get the
answers back in the jobs' order, so what they report never depends on which backend ran them or
which worker was faster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from dslab.errors import InputError

J = TypeVar("J")
R = TypeVar("R")

#: the environment variable that names a Dask scheduler when --scheduler is not given
SCHEDULER_ENV = "DSLAB_SCHEDULER"


def scheduler_address(given: str | None = None) -> str | None:
    """The Dask scheduler to use: ``given``, else ``$DSLAB_SCHEDULER``, else None (run locally)."""
    address = given if given is not None else os.environ.get(SCHEDULER_ENV) or None
    if address is not None and "://" not in address:
        raise InputError(f"'{address}' is not a Dask scheduler's address; it looks like "
                         "tcp://HOST:8786.",
                         hint=f"Start one with 'dask scheduler', or unset {SCHEDULER_ENV} to run "
                              "on this machine.")
    return address


def run_jobs(fn: Callable[[J], R], jobs: Sequence[J], workers: int | None = None,
             scheduler: str | None = None, progress: Callable[[int], None] | None = None,
             ) -> list[R]:
    """``[fn(job) for job in jobs]``, in that order: on the Dask cluster at ``scheduler`` if
    given, else in ``workers`` local processes (one per core, at most 8, by default; this
    process alone for one worker or a handful of jobs). ``progress(1)`` is called as each job
    finishes; the first job to raise stops the rest and its error is raised here."""
    if scheduler is not None:
        return _on_dask(fn, jobs, scheduler, progress)
    workers = workers or min(os.cpu_count() or 1, 8)
    outs: list[R] = []
    if workers <= 1 or len(jobs) < 8:
        for job in jobs:
            outs.append(fn(job))
            if progress:
                progress(1)
        return outs
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        for out in pool.map(fn, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
            outs.append(out)
            if progress:
                progress(1)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # no job starts after a failure
        raise
    pool.shutdown()
    return outs


def _on_dask(fn: Callable[[J], R], jobs: Sequence[J], address: str,
             progress: Callable[[int], None] | None) -> list[R]:
    """The jobs on an existing Dask cluster, gathered in order. The workers need dslab installed
    (the same version), since each job is a call of ``fn`` by name."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("Running on a Dask cluster needs dask.distributed, which is not installed.",
                         hint='pip install "dslab-labs[cluster]", or leave out --scheduler (and '
                              f"unset {SCHEDULER_ENV}) to run on this machine.") from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise InputError(f"No Dask scheduler answered at {address} ({e}).",
                         hint="Start one with 'dask scheduler' and workers with 'dask worker "
                              f"{address}', or leave out --scheduler to run here.") from None
    try:
        futures = client.map(fn, list(jobs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        outs: list[Any] = [None] * len(futures)
        try:
            with client.as_current():  # as_completed finds its client here, not in a global
                for future in as_completed(futures):
                    outs[index[future.key]] = future.result()  # raises the job's own error
                    if progress:
                        progress(1)
        except BaseException:
            client.cancel(futures)
            raise
        return outs
    finally:
        client.close()
