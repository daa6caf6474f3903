"""Rate limits and idempotency keys hold across processes, proven through HTTP.

Two server processes (tests/ratelimit_server.py) serve the same API on their own ports, with
one shared store: Redis, PostgreSQL or a SQLite file. Requests alternate between them: the
limit counts them all together, and an idempotent POST sent to both runs once.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.live import ROOT, free_port, stop, wait_for

SERVER = Path(__file__).resolve().parent / "ratelimit_server.py"
LIMIT = 10  # per hour, as the server declares
REQUESTS = 15
MARGIN = 30.0  # seconds the hour's window must still have left when the test starts


@contextmanager
def two_servers(url: str, name: str, runs: Path, directory: Path) -> Iterator[list[str]]:
    """Start two server processes on one store; yield their base URLs; stop them by PID."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        bases = []
        for number in range(2):
            port = free_port()
            log = directory / f"server-{number}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [sys.executable, str(SERVER), url, name, str(port), str(runs)],
                    cwd=ROOT,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/openapi.json", process, log)
            bases.append(base)
        yield bases
    finally:
        for process in processes:
            stop(process)


def wait_for_room_in_the_hour() -> None:
    """Windows are fixed hours: do not let one begin in the middle of the test."""
    left = 3600 - time.time() % 3600
    if left < MARGIN:
        time.sleep(left + 0.5)


def test_rate_limit_across_processes_counts_every_request_once(
    shared_store: tuple[str, str], tmp_path: Path
) -> None:
    url, name = shared_store
    with (
        two_servers(url, name, tmp_path / "runs.txt", tmp_path) as bases,
        httpx.Client(timeout=10) as client,
    ):
        wait_for_room_in_the_hour()

        responses = [client.get(f"{bases[n % 2]}/limited") for n in range(REQUESTS)]

    assert [r.status_code for r in responses] == [200] * LIMIT + [429] * (REQUESTS - LIMIT)
    assert [r.headers["RateLimit-Limit"] for r in responses] == [str(LIMIT)] * REQUESTS
    assert [int(r.headers["RateLimit-Remaining"]) for r in responses] == [
        *range(LIMIT - 1, -1, -1),
        *[0] * (REQUESTS - LIMIT),
    ]
    assert all(1 <= int(r.headers["Retry-After"]) <= 3600 for r in responses[LIMIT:])
    assert responses[-1].headers["Content-Type"] == "application/problem+json"
    assert responses[-1].json()["status"] == 429
    assert len({r.json()["pid"] for r in responses[:LIMIT]}) == 2  # both processes served


def test_idempotent_post_across_processes_runs_once_and_replays(
    shared_store: tuple[str, str], tmp_path: Path
) -> None:
    url, name = shared_store
    runs = tmp_path / "runs.txt"
    headers = {"Idempotency-Key": f"order-{uuid.uuid4()}"}
    with two_servers(url, name, runs, tmp_path) as bases, httpx.Client(timeout=10) as client:
        first = client.post(f"{bases[0]}/orders", json={"item": "tea"}, headers=headers)
        retry = client.post(f"{bases[1]}/orders", json={"item": "tea"}, headers=headers)
        first_pid = client.get(f"{bases[0]}/limited").json()["pid"]
        retry_pid = client.get(f"{bases[1]}/limited").json()["pid"]

    assert first_pid != retry_pid
    assert (first.status_code, retry.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == first.headers["Location"] == "/orders/1"
    assert retry.json() == first.json() == {"item": "tea", "pid": first_pid}
    assert runs.read_text(encoding="utf-8").splitlines() == [f"{first_pid} tea"]
