"""Real servers for tests: the example service on 127.0.0.1, bounded in time, stopped by PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process by its PID: SIGTERM, then SIGKILL after 10 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 20) -> None:
    """Wait until `url` answers 200, failing the test if the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            output = log.read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"{url} did not answer within {seconds} s:\n{output}")
        time.sleep(0.1)


@contextlib.contextmanager
def example_service(directory: Path, **settings: str) -> Iterator[str]:
    """Run `python -m example_service` on a free port; yield its URL.

    The database is a fresh SQLite file in `directory` unless `settings` give a
    `DATABASE_URL`; `settings` are more environment variables, such as `REDIS_URL`.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{directory / 'taskboard.sqlite'}",
        "SECRET_KEY": "taskboard-tests-secret-0123456789abcdef",
        **settings,
    }
    env.pop("FLASK_RUN_FROM_CLI", None)  # set by an in-process `flask` command: app.run() no-ops
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "example_service"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"{base_url}/healthz", process, log)
        yield base_url
    finally:
        stop(process)


@contextlib.contextmanager
def gunicorn_taskboard(
    directory: Path,
    env: dict[str, str],
    *,
    workers: int = 2,
    threads: int = 2,
    master: list[int] | None = None,
) -> Iterator[str]:
    """Serve Taskboard with gunicorn on a free port of 127.0.0.1, as in production; yield its URL.

    `env` is the whole environment of the server (DATABASE_URL, REDIS_URL, SECRET_KEY, ...);
    the venv's `bin` is its PATH. The master's PID is appended to `master` when given.
    Stopped by PID at the end.
    """
    bin_dir = Path(sys.executable).parent
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = directory / f"gunicorn-{port}.log"
    command = [
        str(bin_dir / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
        # One control socket per server, not the shared default in $HOME.
        "--control-socket", str(directory / f"gunicorn-{port}.ctl"),
        "--bind", f"127.0.0.1:{port}", "--timeout", "30", "example_service:create_app()",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={"PATH": str(bin_dir), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    if master is not None:
        master.append(process.pid)
    try:
        # gunicorn retries a port that is taken; answer only once it holds the port, so the
        # health check below cannot reach another test's server.
        deadline = time.monotonic() + 30
        listening = f"Listening at: {base_url}"
        while listening not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not listen on {base_url}:\n{log.read_text()}")
            time.sleep(0.1)
        wait_for(f"{base_url}/healthz", process, log, seconds=30)
        yield base_url
    finally:
        stop(process)


SIGN_UP_PASSWORD = "correct horse battery"
"""The password of the users `sign_up` makes."""


def sign_up(base_url: str, prefix: str = "user") -> tuple[str, dict[str, str]]:
    """Sign a fresh user up on a Taskboard over HTTP and sign them in.

    Returns:
        Their email and the `Authorization` header that carries their access token.
    """
    import httpx  # the live tests' client; imported here so that this module stays light

    email = f"{prefix}-{uuid.uuid4().hex}@taskboard.test"
    credentials = {"email": email, "password": SIGN_UP_PASSWORD}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        created = client.post("/v1/users", json={**credentials, "display_name": prefix})
        assert created.status_code == 201, created.text
        issued = client.post("/v1/auth/tokens", json=credentials)
        assert issued.status_code == 201, issued.text
    return email, {"Authorization": f"Bearer {issued.json()['access_token']}"}
