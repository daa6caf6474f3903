"""One process of tests/test_stores_processes.py: race other processes on a shared store.

    python tests/store_worker.py URL NAME KEY COUNT READY_FILE GO_FILE

NAME is the Redis key prefix or the SQL table. The worker connects (creating the table), then
creates READY_FILE and waits for GO_FILE; then it races `add` on "KEY:add" once and
`increment` on "KEY:count" COUNT times, and prints {"added": ..., "counts": [...]} as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from restkit.stores import Store
from restkit.stores.redis import RedisStore
from restkit.stores.sql import SqlStore

START_TIMEOUT = 20.0


def make_store(url: str, name: str) -> Store:
    if url.startswith("redis://"):
        return RedisStore.from_url(url, prefix=name)
    return SqlStore.from_url(url, table_name=name)


def main(url: str, name: str, key: str, count: str, ready_file: str, go_file: str) -> None:
    store = make_store(url, name)
    store.get(f"{key}:warm-up")  # connect, and create the table, before the race
    Path(ready_file).touch()
    deadline = time.monotonic() + START_TIMEOUT
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            sys.exit("store_worker: no go file")
        time.sleep(0.001)
    added = store.add(f"{key}:add", str(os.getpid()).encode(), 60)
    counts = [store.increment(f"{key}:count", 60)[0] for _ in range(int(count))]
    store.close()
    print(json.dumps({"pid": os.getpid(), "added": added, "counts": counts}))


if __name__ == "__main__":
    main(*sys.argv[1:])
