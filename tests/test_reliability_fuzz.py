"""Contract fuzzing: schemathesis against a live Taskboard finds nothing the spec forbids.

Taskboard runs on SQLite on 127.0.0.1; a fresh user signs in over HTTP, and the schemathesis
CLI (`st run`, in a subprocess with a time limit) tests every operation of the served spec
(`/openapi.json`, the document committed as `openapi/openapi.json`) with that user's token:
all of its checks, positive and negative data, in its examples, coverage, fuzzing and stateful
phases. The spec declares no OpenAPI links; the stateful phase runs on the links schemathesis
infers from `Location` headers and from matching ids between operations.

The run is deterministic (`--generation-deterministic`, which keeps no example database) and
bounded: a fixed number of examples per operation, `RESTKIT_FUZZ_EXAMPLES` (20 by default;
`make reliability` raises it), and a wall-clock limit that grows with it. The test fails with
every failure schemathesis reports: operation, check, response and a curl command that
reproduces it.

A few failures are schemathesis asking for something HTTP itself forbids; the CLI loads this
module as its hooks module (`SCHEMATHESIS_HOOKS`), and `accept_documented_failure` drops
exactly those, each rule naming its reason. The CLI prints how many it dropped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.http import parse_date

from tests.live import ROOT, example_service, sign_up

HOOKS_ENV = "SCHEMATHESIS_HOOKS"
DROPPED_ENV = "RESTKIT_FUZZ_DROPPED"
"""Where the hooks record each failure they drop, with its reason, one a line."""
EXAMPLES = int(os.environ.get("RESTKIT_FUZZ_EXAMPLES", "20"))
"""Examples per operation and phase; `make reliability` raises it for a long run."""
WALL_CLOCK = 120 + 6 * EXAMPLES
"""Seconds the whole schemathesis run may take (about 40 s at 20 examples on 2 cores)."""
SETTINGS = {
    "SECRET_KEY": "taskboard-fuzz-secret-0123456789abcdef-0123",
    # schemathesis signs in and signs up thousands of times from 127.0.0.1.
    "TASKBOARD_TOKEN_RATE_LIMIT": "100000/minute",
    "REDIS_URL": "",
    "TASKBOARD_PROXY_COUNT": "0",
}


def sign_in(base_url: str) -> str:
    """Sign up a fresh user over HTTP and return their access token."""
    _, headers = sign_up(base_url, "fuzz")
    return headers["Authorization"].removeprefix("Bearer ")


def dropped_counts(dropped: Path) -> dict[str, int]:
    """Count the failures the hooks dropped, by reason."""
    lines = dropped.read_text().splitlines() if dropped.exists() else []
    return dict(Counter(line.split("\t", 1)[0] for line in lines))


def failures_of(output: str) -> str:
    """Return the FAILURES and SUMMARY sections of the CLI's output, or all of it."""
    start = output.find("= FAILURES =")
    return output[output.rfind("\n", 0, start) + 1 :] if start != -1 else output


def test_schemathesis_all_checks_find_no_failure(tmp_path: Path) -> None:
    with example_service(tmp_path, **SETTINGS) as base_url:
        served = httpx.get(f"{base_url}/openapi.json", timeout=10)
        assert served.status_code == 200
        assert served.json() == committed_spec()
        token = sign_in(base_url)
        reports = tmp_path / "reports"
        command = [
            *(sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/openapi.json"),
            *("--header", f"Authorization: Bearer {token}"),
            *("--checks", "all", "--mode", "all"),
            *("--phases", "examples,coverage,fuzzing,stateful"),
            *("--max-examples", str(EXAMPLES), "--generation-deterministic"),
            *("--workers", "1"),
            *("--request-timeout", "10", "--no-color", "--output-sanitize", "false"),
            *("--report", "junit,ndjson", "--report-dir", str(reports)),
        ]
        dropped = tmp_path / "dropped.tsv"
        env = {
            **os.environ,
            HOOKS_ENV: __name__,
            DROPPED_ENV: str(dropped),
            "PYTHONPATH": str(ROOT),
        }
        try:
            run = subprocess.run(
                command,
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=WALL_CLOCK,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            output = (error.stdout or b"").decode(errors="replace")
            pytest.fail(f"schemathesis ran over {WALL_CLOCK} s:\n{output[-20000:]}")
    server_log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    crash = server_log.find("Traceback")
    assert run.returncode == 0, (
        f"schemathesis exited {run.returncode}:\n{failures_of(run.stdout)}\n{run.stderr}\n"
        f"dropped as documented answers: {dropped_counts(dropped)}\n"
        + (
            f"server log from its first traceback:\n{server_log[crash:][:5000]}"
            if crash >= 0
            else ""
        )
    )
    operations = sum(len(item) for item in committed_spec()["paths"].values())
    assert f"Tested: {operations}" in run.stdout, run.stdout
    assert "Traceback" not in server_log, server_log


# --- The schemathesis side: loaded by `st run` as its hooks module ---------------------------


@cache
def committed_spec() -> dict[str, Any]:
    """The committed OpenAPI document, which Taskboard serves at `/openapi.json`."""
    spec: dict[str, Any] = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    return spec


def header_schemas(method: str, path: str) -> dict[str, dict[str, Any]]:
    """Return the schema of each header parameter of an operation, by lower-case name."""
    spec = committed_spec()
    operation = spec["paths"][path][method.lower()]
    schemas = {}
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = spec["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        if parameter["in"] == "header":
            schemas[parameter["name"].lower()] = parameter["schema"]
    return schemas


def violates(value: str, schema: dict[str, Any]) -> bool:
    """Whether a header value breaks its string schema (the only keywords our headers use)."""
    pattern = schema.get("pattern")
    return (
        len(value) < schema.get("minLength", 0)
        or len(value) > schema.get("maxLength", len(value))
        or (pattern is not None and re.search(pattern, value) is None)
    )


def problem_errors(content: bytes) -> list[tuple[str, str]]:
    """Return (in, name) of each entry of a problem's `errors`, or [] if it has none."""
    try:
        problem = json.loads(content)
    except ValueError:
        return []
    errors = problem.get("errors") if isinstance(problem, dict) else None
    return [(error.get("in"), error.get("name")) for error in errors or []]


def false_precondition_possible(method: str, sent: dict[str, str]) -> bool:
    """Whether a generated precondition in `sent` may be false, so that 412 is right.

    RFC 9110 §13.1: `If-Match` other than `*` names a tag the generator cannot know;
    `If-None-Match` on a write fails when it matches (on a read that is a 304, never a 412);
    `If-Unmodified-Since` fails for a date before the last change, and an invalid date is
    ignored (§13.1.4). `If-Match: *` holds for any resource that exists.
    """
    if_match = sent.get("if-match")
    since = sent.get("if-unmodified-since")
    return (
        (if_match is not None and if_match.strip() != "*")
        or ("if-none-match" in sent and method.upper() not in ("GET", "HEAD"))
        or (if_match is None and since is not None and parse_date(since) is not None)
    )


def documented_reason(failure: Any, case: Any, response: Any) -> str | None:
    """Return why a failure is HTTP's documented answer rather than a bug, or None.

    Each rule is as narrow as the behaviour it excuses; anything else fails the run.
    """
    sent = {name.lower(): value for name, value in response.request.headers.items()}
    status = response.status_code
    if failure.code == "ST203" and status == 428 and failure.header_name.lower() == "if-match":
        # RFC 6585 §3: 428 is the answer to a missing precondition the server requires;
        # the spec documents it, and negative_data_rejection counts 428 as a rejection.
        return "428 for a missing If-Match"
    if (
        failure.code in ("ST201", "ST202")
        and status == 412
        and false_precondition_possible(case.method, sent)
    ):
        # RFC 9110 §13.2.1: preconditions are evaluated before the content is processed, so
        # a false one is answered 412 whatever the body; the request is refused either way.
        return "412 for a false precondition"
    message = getattr(failure, "message", "") or ""
    multipart = sent.get("content-type", "").startswith("multipart/form-data")
    if (
        failure.code == "ST201"
        and multipart
        and "in body - violates `type`" in message
        and message.count("violates") == message.count("violates `type`")
    ):
        # A multipart part is text or bytes: the integer 7 and the string "7" are the same
        # bytes on the wire, so a "type" violation of a form field cannot reach the server.
        return "multipart parts have no JSON types"
    if failure.code != "ST202":
        return None
    schemas = header_schemas(case.method, case.operation.path)
    broken = [name for name, value in sent.items() if violates(value, schemas.get(name, {}))]
    if broken:
        # The coverage phase labels some cases positive whose headers break their own
        # pattern (If-Match: 0); rejecting them is what the spec asks.
        return f"the request is not schema-valid: {', '.join(sorted(broken))}"
    errors = problem_errors(response.content)
    if status == 422 and errors == [("query", "cursor")]:
        # A cursor is opaque and signed with the app's key (restkit/pagination.py), so a
        # generated one is a forgery, which is refused with 422 by design.
        return "422 for a cursor the server never issued"
    reused = b"used with another request" in response.content
    if status == 422 and errors == [("headers", "Idempotency-Key")] and reused:
        # The spec's Idempotency-Key description: the same key with another request is a
        # 422; schemathesis sends one generated key with several requests.
        return "422 for an Idempotency-Key reused with another request"
    return None


if os.environ.get(HOOKS_ENV) == __name__:
    import schemathesis

    @schemathesis.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        """Keep every failure that is not HTTP's documented answer; record the others."""
        reason = documented_reason(failure, case, response)
        if reason is not None and DROPPED_ENV in os.environ:
            with open(os.environ[DROPPED_ENV], "a", encoding="utf-8") as record:
                headers = {
                    name: value
                    for name, value in response.request.headers.items()
                    if name.lower().startswith(("if-", "idempotency"))
                }
                record.write(
                    f"{reason}\t{failure.code}\t{failure.operation}\t{case.id}\t{headers!r}\n"
                )
        return reason is None
