"""Concurrency on PostgreSQL: Taskboard under gunicorn, many clients at once, nothing lost.

- Many clients update one task with `If-Match`, each retrying on 412 with the fresh ETag:
  every update lands (none is lost) and each version of the task is won by exactly one.
- Many clients send one create with the same `Idempotency-Key` at the same moment: one
  project is created; every answer is that project or the documented 409 "in progress".
- The sign-in rate limit holds across two gunicorn servers sharing Redis.

gunicorn runs two workers of four threads each on 127.0.0.1 (tests/live.py), bounded in time,
stopped by PID; the database is a schema of its own on the test PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import redis

from tests.conftest import _service_url
from tests.live import SIGN_UP_PASSWORD as PASSWORD
from tests.live import gunicorn_taskboard, sign_up
from tests.taskboard_live import production_environment

T = TypeVar("T")
CLIENTS = 8
SIGN_INS = 6
REDIS_DB = 12
"""The Redis database these servers share, emptied before and after: no other test uses it."""
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A schema of its own and a Redis database: the environment of the servers."""
    with production_environment(
        _service_url("DATABASE_TEST_URL"),
        _service_url("REDIS_TEST_URL"),
        REDIS_DB,
        SECRET_KEY="concurrency-tests-secret-0123456789abcdef",
        # An hour's window: a minute's could roll over while the second server starts.
        TASKBOARD_TOKEN_RATE_LIMIT=f"{SIGN_INS}/hour",
    ) as env:
        yield tmp_path_factory.mktemp("concurrency"), env


@pytest.fixture(scope="module")
def server(environment: tuple[Path, dict[str, str]]) -> Iterator[str]:
    directory, env = environment
    with gunicorn_taskboard(directory, env, workers=2, threads=4) as base_url:
        yield base_url


def _sign_up(base_url: str) -> tuple[str, dict[str, str]]:
    return sign_up(base_url, "race")


def _all_at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(i)` in `count` threads released together; return the results in order."""
    barrier = threading.Barrier(count, timeout=30)

    def run(index: int) -> T:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_concurrent_if_match_updates_are_all_applied_one_per_version(server: str) -> None:
    _, headers = _sign_up(server)
    with httpx.Client(base_url=server, headers=headers, timeout=10) as client:
        project = client.post("/v1/projects", json={"name": "Race"}).json()
        task = client.post(f"/v1/projects/{project['id']}/tasks", json={"title": "t"}).json()
    url = f"/v1/tasks/{task['id']}"
    wins: list[str] = []  # the ETag each successful update was made against
    lock = threading.Lock()

    def append_marker(index: int) -> int:
        attempts = 0
        with httpx.Client(base_url=server, headers=headers, timeout=10) as client:
            while True:
                attempts += 1
                assert attempts < 200, "no progress"
                current = client.get(url)
                assert current.status_code == 200, current.text
                notes = (current.json().get("notes") or "") + f"[{index}]"
                answer = client.patch(
                    url,
                    content=f'{{"notes": "{notes}"}}',
                    headers={"If-Match": current.headers["ETag"], "Content-Type": MERGE_PATCH},
                )
                if answer.status_code == 200:
                    with lock:
                        wins.append(current.headers["ETag"])
                    return attempts
                assert answer.status_code == 412, answer.text
                assert answer.headers["Content-Type"] == "application/problem+json"

    attempts = _all_at_once(CLIENTS, append_marker)

    with httpx.Client(base_url=server, headers=headers, timeout=10) as client:
        notes = client.get(url).json()["notes"]
    assert sorted(notes.replace("][", "] [").split()) == sorted(f"[{i}]" for i in range(CLIENTS))
    assert len(wins) == len(set(wins)) == CLIENTS  # one winner per version
    assert sum(attempts) >= CLIENTS


def test_concurrent_creates_with_one_idempotency_key_make_one_project(server: str) -> None:
    _, headers = _sign_up(server)
    keyed = {**headers, "Idempotency-Key": f"garden-{uuid.uuid4().hex}"}

    def create(index: int) -> httpx.Response:
        with httpx.Client(base_url=server, headers=keyed, timeout=20) as client:
            return client.post("/v1/projects", json={"name": "Garden"})

    answers = _all_at_once(CLIENTS, create)

    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) <= {201, 409}, [answer.text for answer in answers]
    assert statuses[201] >= 1
    created = {answer.json()["id"] for answer in answers if answer.status_code == 201}
    assert len(created) == 1
    for answer in answers:
        if answer.status_code == 409:  # the first request was still running: retry later
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert int(answer.headers["Retry-After"]) > 0
    with httpx.Client(base_url=server, headers=headers, timeout=10) as client:
        listed = client.get("/v1/projects")
        assert listed.headers["X-Total-Count"] == "1"
        retried = client.post("/v1/projects", json={"name": "Garden"}, headers=keyed)
    assert (retried.status_code, retried.json()["id"]) == (201, created.pop())


def test_sign_in_limit_holds_across_two_gunicorn_servers(
    environment: tuple[Path, dict[str, str]], server: str, request: pytest.FixtureRequest
) -> None:
    directory, env = environment
    store = redis.Redis.from_url(env["REDIS_URL"])
    store.flushdb()  # the other tests' sign-ins counted too
    request.addfinalizer(store.flushdb)  # and the tests after this one sign in again
    email, _ = _sign_up(server)  # one sign-in already counted
    credentials: dict[str, Any] = {"email": email, "password": PASSWORD}
    with gunicorn_taskboard(directory, env, workers=1, threads=2) as other:
        answers = []
        for index in range(SIGN_INS + 2):  # alternate between the two servers
            base_url = server if index % 2 else other
            with httpx.Client(base_url=base_url, timeout=10) as client:
                answers.append(client.post("/v1/auth/tokens", json=credentials).status_code)

    assert answers == [201] * (SIGN_INS - 1) + [429] * 3
