"""The Dask recipe of docs/internals.md, as `--executor dask_executor:executor` takes it.

The scheduler's address comes from CASEBOOK_DASK_SCHEDULER (a test starts a LocalCluster
and sets it); everything else is the recipe as written.
"""

from __future__ import annotations

import os

from dask.distributed import Client

clients: list[Client] = []  # closed by the test that started the cluster


def executor(max_workers):
    clients.append(Client(os.environ["CASEBOOK_DASK_SCHEDULER"]))
    return clients[-1].get_executor()
