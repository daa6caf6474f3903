"""Stores are atomic across processes: two Python processes race on one shared store.

Each process (tests/store_worker.py) builds its own store on the same Redis prefix or SQL
table, waits until both are connected, then races `add` on one key and `increment` on
another. Between them they must see every count exactly once and exactly one `add` win.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from restkit.stores.redis import RedisStore
from restkit.stores.sql import SqlStore

WORKER = Path(__file__).resolve().parent / "store_worker.py"
PROCESSES = 2
INCREMENTS = 200
TIMEOUT = 60.0


def wait_for(paths: list[Path], processes: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not all(path.exists() for path in paths):
        exited = [process.args for process in processes if process.poll() is not None]
        assert not exited, f"a worker exited before it was ready: {exited}"
        assert time.monotonic() < deadline, "the workers did not get ready in time"
        time.sleep(0.01)


def run_workers(url: str, name: str, tmp_path: Path) -> list[dict[str, Any]]:
    """Start the workers, let them go at once, and return what each printed."""
    go_file = tmp_path / "go"
    ready_files = [tmp_path / f"ready-{number}" for number in range(PROCESSES)]
    command = [sys.executable, str(WORKER), url, name, "race", str(INCREMENTS)]
    processes = [
        subprocess.Popen(
            [*command, str(ready_file), str(go_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for ready_file in ready_files
    ]
    try:
        wait_for(ready_files, processes)
        go_file.touch()
        outputs = []
        for process in processes:
            stdout, stderr = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 0, stderr
            outputs.append(json.loads(stdout))
        return outputs
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_store_shared_by_processes_counts_and_adds_once(
    shared_store: tuple[str, str], tmp_path: Path
) -> None:
    url, name = shared_store

    outputs = run_workers(url, name, tmp_path)

    counts = [count for output in outputs for count in output["counts"]]
    assert sorted(counts) == list(range(1, PROCESSES * INCREMENTS + 1))
    assert [output["added"] for output in outputs].count(True) == 1
    winner = next(output["pid"] for output in outputs if output["added"])
    store = (
        RedisStore.from_url(url, prefix=name)
        if url.startswith("redis://")
        else SqlStore.from_url(url, table_name=name)
    )
    assert store.get("race:add") == str(winner).encode()
    store.close()
