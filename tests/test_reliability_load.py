"""Load: Taskboard under gunicorn on PostgreSQL and Redis, busy for a fixed time, no errors.

Eight client threads (each its own user and connection) run a mix of what a phone app does
(list projects and tasks, create a task with an Idempotency-Key, read it, patch it with
If-Match, complete or delete it) against gunicorn with two workers of four threads on
127.0.0.1. Every answer must be the one the operation documents; not one error (no 5xx, no
connection failure) is allowed. The workers' resident memory is read after a warm-up and
at the end: it may grow by at most `MEMORY_BOUND` per worker over the run.

`make test` runs it for `LOAD_SECONDS` (15 s); `make reliability` sets RESTKIT_LOAD_SECONDS
for a longer run.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import _service_url
from tests.live import gunicorn_taskboard, sign_up
from tests.taskboard_live import production_environment

LOAD_SECONDS = float(os.environ.get("RESTKIT_LOAD_SECONDS", "15"))
WARM_UP_SECONDS = 3.0
CLIENTS = 8
MEMORY_BOUND = 24 * 1024 * 1024
"""Bytes each worker's resident memory may grow by between the warm-up and the end."""
REDIS_DB = 11
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """Taskboard under gunicorn: (its URL, the master's PID)."""
    master: list[int] = []
    with production_environment(
        _service_url("DATABASE_TEST_URL"),
        _service_url("REDIS_TEST_URL"),
        REDIS_DB,
        SECRET_KEY="load-tests-secret-0123456789abcdef-0123",
        TASKBOARD_TOKEN_RATE_LIMIT="100000/minute",
    ) as env:
        directory = tmp_path_factory.mktemp("load")
        with gunicorn_taskboard(directory, env, workers=2, threads=4, master=master) as url:
            yield url, master[0]


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def _resident(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


class _Client:
    """One phone: a user of its own, one connection, a loop of everyday requests."""

    def __init__(self, base_url: str) -> None:
        _, headers = sign_up(base_url, "load")
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)
        project = self.http.post("/v1/projects", json={"name": "Load"}).json()
        self.tasks_url = f"/v1/projects/{project['id']}/tasks"
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.failures: list[str] = []

    def expect(self, name: str, response: httpx.Response, *allowed: int) -> httpx.Response:
        self.statuses[name, response.status_code] += 1
        if response.status_code not in allowed:
            self.failures.append(f"{name}: {response.status_code} {response.text[:300]}")
        return response

    def round(self, index: int) -> None:
        http = self.http
        self.expect("list projects", http.get("/v1/projects"), 200)
        key = {"Idempotency-Key": uuid.uuid4().hex}
        created = self.expect(
            "create task",
            http.post(self.tasks_url, json={"title": f"t{index}", "tags": ["a"]}, headers=key),
            201,
        )
        if created.status_code != 201:
            return
        task_url = f"/v1/tasks/{created.json()['id']}"
        current = self.expect("read task", http.get(task_url), 200)
        patched = self.expect(
            "patch task",
            http.patch(
                task_url,
                content=b'{"notes": "busy", "priority": "high"}',
                headers={"If-Match": current.headers["ETag"], "Content-Type": MERGE_PATCH},
            ),
            200,
        )
        self.expect("list tasks", http.get(self.tasks_url, params={"limit": 20}), 200)
        if index % 2:
            self.expect("complete task", http.post(f"{task_url}/complete"), 200)
        else:
            etag = {"If-Match": patched.headers.get("ETag", "")}
            self.expect("delete task", http.delete(task_url, headers=etag), 204)

    def run(self, stop_at: float) -> None:
        index = 0
        try:
            while time.monotonic() < stop_at:
                self.round(index)
                index += 1
        except httpx.HTTPError as error:  # a refused or broken connection is an error too
            self.failures.append(f"{type(error).__name__}: {error}")
        finally:
            self.http.close()


def _run(base_url: str, seconds: float) -> list[_Client]:
    clients = [_Client(base_url) for _ in range(CLIENTS)]
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=client.run, args=(stop_at,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
        assert not thread.is_alive(), "a client hung"
    return clients


def test_load_run_has_no_errors_and_steady_worker_memory(server: tuple[str, int]) -> None:
    base_url, master = server
    _run(base_url, WARM_UP_SECONDS)  # every code path compiled, every pool filled
    workers = _workers(master)
    assert len(workers) == 2
    before = {pid: _resident(pid) for pid in workers}

    clients = _run(base_url, LOAD_SECONDS)

    assert _workers(master) == workers  # no worker died or was replaced
    after = {pid: _resident(pid) for pid in workers}
    failures = [failure for client in clients for failure in client.failures]
    assert failures == []
    statuses = sum((client.statuses for client in clients), Counter())
    assert statuses["create task", 201] >= CLIENTS  # every client got work done
    growth = {pid: after[pid] - before[pid] for pid in workers}
    assert all(grown <= MEMORY_BOUND for grown in growth.values()), growth
