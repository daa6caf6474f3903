"""Private PostgreSQL and Redis servers that a test may stop and start again.

The shared servers of the test run (DATABASE_TEST_URL, REDIS_TEST_URL) must stay up for the
other tests, so the fault tests make their own: a PostgreSQL cluster in a fresh directory
(run as the `postgres` user, since PostgreSQL refuses to run as root) and a `redis-server`
that keeps nothing on disk, each on a free port of 127.0.0.1, bounded in time, stopped by PID.
Without the server programs the tests skip, except under `CI=true`, where they fail.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import free_port

__all__ = ["PrivatePostgres", "PrivateRedis", "private_postgres", "private_redis"]

_START_SECONDS = 30


def _missing(what: str) -> None:
    message = f"{what} is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run the fault tests")
    pytest.skip(message)


def _wait_for_port(port: int, seconds: float, up: bool) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            answered = probe.connect_ex(("127.0.0.1", port)) == 0
        if answered is up:
            return
        if time.monotonic() > deadline:
            state = "answer" if up else "stop answering"
            raise TimeoutError(f"127.0.0.1:{port} did not {state} within {seconds} s")
        time.sleep(0.05)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of the test's own.

    Attributes:
        directory: The data directory (it also holds the socket and the log).
        port: Its port on 127.0.0.1.
    """

    directory: Path
    port: int
    _bin: Path

    @property
    def url(self) -> str:
        """The database URL of its `postgres` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            timeout=_START_SECONDS,
        )

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.directory / "server.log")
        self._as_postgres(
            str(self._bin / "pg_ctl"), "-D", str(self.directory / "data"), "-o", options,
            "-l", log, "-w", "-t", str(_START_SECONDS), "start",
        )  # fmt: skip
        _wait_for_port(self.port, _START_SECONDS, up=True)

    def pid(self) -> int | None:
        """Return the postmaster's PID while it runs."""
        pid_file = self.directory / "data" / "postmaster.pid"
        with contextlib.suppress(FileNotFoundError, ValueError):
            return int(pid_file.read_text().splitlines()[0])
        return None

    def stop(self) -> None:
        """Stop the server by its PID (a fast shutdown: open sessions are cut)."""
        pid = self.pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + _START_SECONDS
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.pid() is not None:
            _kill(pid)
        _wait_for_port(self.port, _START_SECONDS, up=False)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Make, start and finally remove a private PostgreSQL cluster."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found or shutil.which("runuser") is None:
        _missing("PostgreSQL's initdb")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        _missing("the postgres user")
    directory = Path(tempfile.mkdtemp(prefix="restkit-pg-"))
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(directory, free_port(), Path(found[-1]).parent)
    try:
        server._as_postgres(
            str(server._bin / "initdb"), "-D", str(directory / "data"), "-A", "trust",
            "-U", "postgres", "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A `redis-server` of the test's own.

    Attributes:
        port: Its port on 127.0.0.1.
    """

    port: int
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL, database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(self.port, _START_SECONDS, up=True)

    def stop(self) -> None:
        """Stop the server by its PID."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None
        _wait_for_port(self.port, _START_SECONDS, up=False)


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """Start and finally stop a private Redis server."""
    if shutil.which("redis-server") is None:
        _missing("redis-server")
    server = PrivateRedis(free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
