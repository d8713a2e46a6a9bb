#!/usr/bin/env python3
"""A Dask LocalCluster for the bench: two worker processes of one thread each.

Writes the scheduler's address into ``TASKS.address`` (TASKS: the first argument), then runs
until its stdin is closed. The scheduler records every task it runs (a task stream): on exit
it writes, to TASKS, each task's seconds of work on its worker, as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dask.distributed import LocalCluster
from distributed.diagnostics.task_stream import TaskStreamPlugin
from make_book import ROOT  # the project on sys.path: the scheduler unpickles the jobs too

# the workers are fresh interpreters: this checkout's casebook, not another installed one
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT),
                                                         os.environ.get("PYTHONPATH"))))


def main() -> None:
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    stream = TaskStreamPlugin(cluster.scheduler)
    cluster.scheduler.add_plugin(stream)
    address = Path(sys.argv[1] + ".address")
    address.with_suffix(".tmp").write_text(cluster.scheduler_address, encoding="utf-8")
    address.with_suffix(".tmp").replace(address)
    sys.stdin.read()  # until the bench closes it
    tasks = [{"key": str(t["key"]), "worker": t["worker"],
              "seconds": sum(s["stop"] - s["start"] for s in t["startstops"]
                             if s["action"] == "compute")} for t in stream.buffer]
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(tasks, out)
    cluster.close()


if __name__ == "__main__":
    main()
