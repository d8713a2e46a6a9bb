"""A configured Executor's jobs run with the build's SOURCE_DATE_EPOCH, wherever they run.

A local pool's workers inherit the build's environment; a cluster's workers were started
elsewhere, with their own. Each job submitted through ``Dated`` carries the build's
SOURCE_DATE_EPOCH (clock.pinned), so a reproducible build stays reproducible on a cluster.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future

from casebook import clock


class Dated(Executor):
    """``pool``'s jobs, each run under the SOURCE_DATE_EPOCH of the process that submits it."""

    def __init__(self, pool: Executor):
        self.pool = pool

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self.pool.submit(run_dated, clock.epoch(), fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:  # not every Executor knows the argument (Dask's does not)
            self.pool.shutdown(wait=wait, cancel_futures=True)
        else:
            self.pool.shutdown(wait=wait)


def run_dated(epoch: str | None, fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)`` with build_time() taken from ``epoch`` (in a worker)."""
    with clock.pinned(epoch):
        return fn(*args, **kwargs)
