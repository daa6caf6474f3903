"""Over HTTP: each app served by gunicorn on 127.0.0.1, loaded by wrk for a bounded time.

One gunicorn process with one worker serves one app, with as many threads as the load has
connections (the threaded worker of the deployment guide, which keeps connections alive);
wrk (Debian's package) opens a few connections from one thread and sends one request for a
fixed number of seconds, three times per (app, request) pair, interleaved; the median run
counts. With two cores, the worker and the load generator each get one.
When wrk is missing, a small Python load generator (threads and `http.client`) stands in; it
is slower than wrk, so its numbers are lower but still comparable between frameworks of the
same run, and the output says so.
Every server is stopped by its PID when its runs are over, whatever happens.
"""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.apps import factory_path
from benchmarks.endpoints import ENDPOINTS, Endpoint

__all__ = ["CONNECTIONS", "Load", "load_tool", "run", "serve"]

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 4
"""Concurrent connections the load generator keeps open."""


@dataclass(frozen=True)
class Load:
    """One load run's result.

    Attributes:
        requests_per_second: Responses received per second.
        p50_ms: The median latency, in milliseconds.
        p99_ms: The 99th percentile latency, in milliseconds.
        errors: Socket errors and timeouts (not HTTP error statuses, which the invalid-body
            request is meant to get).
    """

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def load_tool() -> str:
    """Return `"wrk"` when wrk is on the PATH, otherwise `"python"`."""
    return "wrk" if shutil.which("wrk") else "python"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def serve(framework: str, timeout: float = 30.0) -> Iterator[int]:
    """Serve a framework's app with gunicorn on 127.0.0.1; yield its port; stop it after."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers=1",
        "--worker-class=gthread",
        f"--threads={CONNECTIONS}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "--graceful-timeout=5",
        f"{factory_path(framework)}()",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn serving {framework} exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"gunicorn serving {framework} did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _millis(text: str) -> float:
    value, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def _wrk(port: int, endpoint: Endpoint, seconds: int) -> Load:
    script = "\n".join(
        [
            f'wrk.method = "{endpoint.method}"',
            f"wrk.body = [[{endpoint.raw_body.decode()}]]",
            'wrk.headers["Content-Type"] = "application/json"' if endpoint.body else "",
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(
            [
                *("wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"),
                *("-s", file.name, f"http://127.0.0.1:{port}{endpoint.path}"),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    finally:
        Path(file.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([0-9.]+\w+)", output).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([0-9.]+\w+)", output).group(1)  # type: ignore[union-attr]
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = sum(map(int, re.findall(r"\d+", socket_errors.group(1)))) if socket_errors else 0
    return Load(rate, _millis(p50), _millis(p99), errors)


def _python_load(port: int, endpoint: Endpoint, seconds: float) -> Load:
    """A stand-in for wrk: `CONNECTIONS` threads, each sending requests back to back."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    headers = {"Content-Type": "application/json"} if endpoint.body else {}
    started = time.perf_counter()
    deadline = started + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                connection.request(endpoint.method, endpoint.path, endpoint.raw_body, headers)
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                with lock:
                    errors[0] += 1
                continue
            mine.append(time.perf_counter() - sent)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        return Load(0.0, 0.0, 0.0, errors[0])
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Load(len(latencies) / elapsed, cuts[49] * 1e3, cuts[98] * 1e3, errors[0])


def run(frameworks: list[str], quick: bool = False) -> dict[str, dict[str, Load]]:
    """Load every app over gunicorn; return each (app, request) pair's median round.

    Every app is served at once (idle servers cost nothing), and the runs are interleaved,
    one run of each pair per round, so that no framework gets a calmer moment of the machine
    than another. The quick mode loads only the list, once, for one second.
    """
    seconds, rounds = (1, 1) if quick else (2, 3)
    endpoints = ENDPOINTS[:1] if quick else ENDPOINTS
    use_wrk = load_tool() == "wrk"
    runs: dict[tuple[str, str], list[Load]] = {}
    with ExitStack() as stack:
        ports = {framework: stack.enter_context(serve(framework)) for framework in frameworks}
        for _ in range(rounds):
            for endpoint in endpoints:
                for framework, port in ports.items():
                    load = (
                        _wrk(port, endpoint, seconds)
                        if use_wrk
                        else _python_load(port, endpoint, seconds)
                    )
                    runs.setdefault((framework, endpoint.key), []).append(load)
    results: dict[str, dict[str, Load]] = {framework: {} for framework in frameworks}
    for (framework, key), loads in runs.items():
        loads.sort(key=lambda load: load.requests_per_second)
        results[framework][key] = loads[len(loads) // 2]
    return results
