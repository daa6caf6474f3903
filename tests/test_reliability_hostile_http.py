"""Hostile input against Taskboard over HTTP, part two: headers, cursors, byte-exact requests.

Forged cursors, malformed If-Match and Idempotency-Key values, requests written byte for byte
on a socket (a lying Content-Length, chunked bodies, duplicated headers, invalid UTF-8 in the
path, NUL bytes in header values, very long headers and query strings) and uploads at and over
the 5 MiB limit. Each gets a 4xx, never a 500 or a hang: a problem+json from restkit, or a
plain 4xx from the server itself (the werkzeug development server here) where the request
never reaches the app. A rejected write leaves nothing behind; the server stays healthy.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.taskboard_live import (
    MERGE_PATCH,
    PROBLEM,
    SECRET_KEY,
    TIMEOUT,
    Account,
    Taskboard,
    make_project,
    make_task,
)
from tests.test_reliability_hostile import assert_no_tasks, named, problem

pytest_plugins = ["tests.taskboard_live"]

MIB = 1024 * 1024


@pytest.fixture
def account(taskboard: Taskboard) -> Iterator[Account]:
    """A user of this module's own; the server is healthy after each test."""
    yield taskboard.shared("hostile-http", lambda: taskboard.sign_up("Hostile"))
    health = taskboard.client().get("/healthz")
    assert health.status_code == 200, health.text
    assert health.json() == {"status": "ok"}


@pytest.fixture
def hostile(taskboard: Taskboard, account: Account) -> httpx.Client:
    """A client signed in as the module's user."""
    return taskboard.client(account.token)


@pytest.fixture
def tasks_url(hostile: httpx.Client) -> str:
    """The task list of a new, empty project of the module's user."""
    return f"/v1/projects/{make_project(hostile, 'Hostile')['id']}/tasks"


def project_of(tasks_url: str) -> int:
    return int(tasks_url.split("/")[3])


# -- forged cursors -----------------------------------------------------------------------------

STALE_CURSOR = (
    "The cursor is invalid, expired, or from another list or filter; start again from the first "
    "page (without cursor)."
)


@pytest.fixture
def cursor(hostile: httpx.Client, tasks_url: str) -> str:
    """The next-page cursor of the first page (one task) of a list of three."""
    project_id = project_of(tasks_url)
    for title in ("One", "Two", "Three"):
        make_task(hostile, project_id, title)
    first = hostile.get(tasks_url, params={"limit": 1})
    assert first.status_code == 200, first.text
    return str(httpx.URL(first.links["next"]["url"]).params["cursor"])


def changed(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    ("forge", "params"),
    [
        (lambda cursor: "aGVsbG8gd29ybGQ", {}),
        (lambda cursor: "eyJwIjpbMV0sInEiOiIwIn0.AAAAAA.AAAA", {}),
        (lambda cursor: changed(cursor, 5), {}),
        # Not the last character: its low bits are padding, which base64 decoding drops.
        (lambda cursor: changed(cursor, len(cursor) - 5), {}),
        (lambda cursor: cursor, {"sort": "title"}),
        (lambda cursor: cursor, {"done": "false"}),
        (lambda cursor: cursor, {"q": "one"}),
    ],
    ids=["random", "unsigned", "payload-byte", "signature-byte", "sort", "filter", "search"],
)
def test_list_tasks_with_forged_cursor_returns_422_naming_it(
    hostile: httpx.Client, tasks_url: str, cursor: str, forge: Any, params: dict[str, str]
) -> None:
    body = problem(hostile.get(tasks_url, params={"cursor": forge(cursor), **params}), 422)

    assert named(body) == [("query", "cursor")]
    assert body["errors"][0]["detail"] == STALE_CURSOR


def test_list_tasks_with_cursor_of_another_project_returns_422(
    hostile: httpx.Client, cursor: str
) -> None:
    other = f"/v1/projects/{make_project(hostile, 'Other')['id']}/tasks"

    body = problem(hostile.get(other, params={"cursor": cursor}), 422)

    assert body["errors"][0]["detail"] == STALE_CURSOR


@pytest.mark.parametrize(("cursor", "expected"), [("", "1 and 4096"), ("A" * 4097, "1 and 4096")])
def test_list_tasks_with_empty_or_huge_cursor_returns_422(
    hostile: httpx.Client, tasks_url: str, cursor: str, expected: str
) -> None:
    body = problem(hostile.get(tasks_url, params={"cursor": cursor}), 422)

    assert named(body) == [("query", "cursor")]
    assert expected in body["errors"][0]["detail"]


def test_list_projects_with_a_cursor_returns_422_unknown(
    hostile: httpx.Client, cursor: str
) -> None:
    body = problem(hostile.get("/v1/projects", params={"cursor": cursor}), 422)

    assert named(body) == [("query", "cursor")]


@pytest.mark.parametrize(
    "position",
    ["x", [2**70, 1], [None], {"a": 1}, [1, 2, 3, 4, 5]],
    ids=["string", "huge-int", "null", "object", "too-long"],
)
def test_list_tasks_with_signed_cursor_of_wrong_shape_returns_422(
    hostile: httpx.Client, tasks_url: str, position: Any
) -> None:
    # Signed with the server's own key, as a cursor of an older version of the app would be.
    signer = URLSafeTimedSerializer(
        SECRET_KEY, salt="restkit.cursor", signer_kwargs={"digest_method": hashlib.sha256}
    )
    query = hashlib.sha256(orjson.dumps([tasks_url, []])).hexdigest()[:16]

    response = hostile.get(tasks_url, params={"cursor": signer.dumps({"p": position, "q": query})})

    body = problem(response, 422)
    assert named(body) == [("query", "cursor")]
    assert "start again from the first page" in body["errors"][0]["detail"]


# -- If-Match and Idempotency-Key ---------------------------------------------------------------

IF_MATCH_DETAIL = (
    'The If-Match header must be * or a comma-separated list of entity-tags such as "v3" or W/"v3".'
)


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ("1", 400),
        ("", 400),
        ('"1', 400),
        ('"1" "2"', 400),
        ("garbage, more garbage", 400),
        ('W/"1"', 412),  # RFC 9110 §13.1.1: If-Match compares strongly; a weak tag never matches
        ('"' + "a" * 8000 + '"', 412),
        (", ".join(f'"x{index}"' for index in range(2000)), 412),
    ],
    ids=["unquoted", "empty", "unterminated", "no-comma", "garbage", "weak", "long", "many"],
)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_write_task_with_malformed_or_unmatched_if_match_changes_nothing(
    hostile: httpx.Client, tasks_url: str, method: str, if_match: str, status: int
) -> None:
    path = f"/v1/tasks/{make_task(hostile, project_of(tasks_url))['id']}"
    content = json.dumps({"title": "Changed"}).encode()
    content_type = MERGE_PATCH if method == "PATCH" else "application/json"
    headers = {"If-Match": if_match, "Content-Type": content_type}

    response = hostile.request(method, path, content=content, headers=headers)

    body = problem(response, status)
    if status == 400:
        assert body["detail"] == IF_MATCH_DETAIL
    assert hostile.get(path).json()["title"] == "Do it"


@pytest.mark.parametrize(
    "key",
    ["", '""', "a" * 256, "clé".encode(), "two words", '"unbalanced', "tab\there"],
    ids=["empty", "empty-quoted", "256-chars", "non-ascii", "inner-space", "quote", "tab"],
)
def test_create_task_with_malformed_idempotency_key_returns_400(
    hostile: httpx.Client, tasks_url: str, key: str | bytes
) -> None:
    response = hostile.post(tasks_url, json={"title": "x"}, headers={"Idempotency-Key": key})

    body = problem(response, 400)
    assert "Idempotency-Key header must be 1 to 255 visible ASCII characters" in body["detail"]
    assert_no_tasks(hostile, tasks_url)


@pytest.mark.parametrize("key", ["k" * 255, '"quoted-key"'], ids=["255-chars", "quoted"])
def test_create_task_with_longest_or_quoted_key_runs_once(
    hostile: httpx.Client, tasks_url: str, key: str
) -> None:
    first = hostile.post(tasks_url, json={"title": "x"}, headers={"Idempotency-Key": key})
    again = hostile.post(tasks_url, json={"title": "x"}, headers={"Idempotency-Key": key})

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(hostile.get(tasks_url).json()) == 1


# -- byte-exact requests ------------------------------------------------------------------------


def exchange(
    taskboard: Taskboard, request: bytes, *, finish: bool = True
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Send `request` as is on a new connection; return the status, headers and body.

    With `finish`, the client then stops sending (a half-close), as one that sent less than it
    announced would; without it, the connection stays open while the answer is awaited.
    """
    url = httpx.URL(taskboard.base_url)
    with socket.create_connection((url.host, url.port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        if finish:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.headers, response.read()


def raw(method: str, target: bytes, token: str, *headers: bytes, body: bytes = b"") -> bytes:
    """Return an HTTP/1.1 request, byte for byte, signed in with `token`."""
    lines = [
        method.encode() + b" " + target + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Connection: close",
        b"Authorization: Bearer " + token.encode(),
        *headers,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def raw_problem(answer: tuple[int, http.client.HTTPMessage, bytes], status: int) -> dict:
    """Assert a raw answer is a problem+json of `status`; return its body."""
    code, headers, body = answer
    assert code == status, body
    assert headers["Content-Type"] == PROBLEM
    document: dict[str, Any] = json.loads(body)
    assert document["status"] == status
    assert document["detail"]
    return document


JSON = b"Content-Type: application/json"
TASK = b'{"title": "Raw"}'


@pytest.mark.parametrize(
    ("length", "status"),
    [
        (b"100", 400),  # more than is sent: the client stops sending (a half-close)
        (b"5", 400),  # less than is sent: the body is cut, and is no JSON
        (b"99999999999999999999999", 413),  # refused before anything is read
        # The development server reads an invalid length as no body: 422 "a body is
        # required" (RFC 9112 §6.3 asks for 400, which gunicorn answers itself).
        (b"-1", 422),
        (b"abc", 422),
        (b"1e3", 422),
    ],
    ids=["longer", "shorter", "beyond-64-bits", "negative", "letters", "exponent"],
)
def test_lying_or_invalid_content_length_returns_4xx_and_writes_nothing(
    taskboard: Taskboard,
    account: Account,
    tasks_url: str,
    hostile: httpx.Client,
    length: bytes,
    status: int,
) -> None:
    header = b"Content-Length: " + length
    request = raw("POST", tasks_url.encode(), account.token, JSON, header, body=TASK)

    raw_problem(exchange(taskboard, request), status)
    assert_no_tasks(hostile, tasks_url)


def test_stalled_body_does_not_hold_up_other_requests(
    taskboard: Taskboard, account: Account, tasks_url: str, hostile: httpx.Client
) -> None:
    url = httpx.URL(taskboard.base_url)
    request = raw(
        "POST", tasks_url.encode(), account.token, JSON, b"Content-Length: 100", body=TASK
    )
    with socket.create_connection((url.host, url.port), timeout=TIMEOUT) as stalled:
        stalled.sendall(request)  # 86 bytes short, and the connection stays open

        health = taskboard.client().get("/healthz")

        assert health.status_code == 200
    assert_no_tasks(hostile, tasks_url)


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def test_chunked_body_within_limit_creates_the_task(
    taskboard: Taskboard, account: Account, tasks_url: str, hostile: httpx.Client
) -> None:
    body = chunked(b'{"title": ', b'"Chunky"}')
    request = raw("POST", tasks_url.encode(), account.token, JSON, b"Transfer-Encoding: chunked")

    code, _, _ = exchange(taskboard, request + body)

    assert code == 201
    assert [task["title"] for task in hostile.get(tasks_url).json()] == ["Chunky"]


def test_chunked_body_over_limit_returns_413(
    taskboard: Taskboard, account: Account, tasks_url: str, hostile: httpx.Client
) -> None:
    body = chunked(b'{"title": "', *[b"x" * 65536] * 17, b'"}')
    request = raw("POST", tasks_url.encode(), account.token, JSON, b"Transfer-Encoding: chunked")

    raw_problem(exchange(taskboard, request + body), 413)
    assert_no_tasks(hostile, tasks_url)


def test_duplicated_content_type_of_another_type_returns_415_with_accept(
    taskboard: Taskboard, account: Account, tasks_url: str, hostile: httpx.Client
) -> None:
    length = f"Content-Length: {len(TASK)}".encode()
    request = raw(
        "POST", tasks_url.encode(), account.token, JSON, b"Content-Type: text/plain", length
    )

    answer = exchange(taskboard, request + TASK)

    raw_problem(answer, 415)
    assert answer[1]["Accept"] == "application/json"
    assert_no_tasks(hostile, tasks_url)


def test_repeated_idempotency_key_header_returns_400(
    taskboard: Taskboard, account: Account, tasks_url: str, hostile: httpx.Client
) -> None:
    keys = (b"Idempotency-Key: first-key", b"Idempotency-Key: second-key")
    length = f"Content-Length: {len(TASK)}".encode()
    request = raw("POST", tasks_url.encode(), account.token, JSON, *keys, length)

    raw_problem(exchange(taskboard, request + TASK), 400)
    assert_no_tasks(hostile, tasks_url)


@pytest.mark.parametrize("target", [b"/v1/tasks/\xff\xfe", b"/v1/projects/\xc0\xaf/tasks"])
def test_invalid_utf8_bytes_in_path_return_404(
    taskboard: Taskboard, account: Account, target: bytes
) -> None:
    raw_problem(exchange(taskboard, raw("GET", target, account.token)), 404)


@pytest.mark.parametrize(
    ("method", "header", "status"),
    [
        ("PUT", b'If-Match: "1\x00"', 400),
        ("POST", b"Idempotency-Key: a\x00b", 400),
        ("POST", b"X-Request-Note: a\x00b", 201),
    ],
    ids=["if-match", "idempotency-key", "other"],
)
def test_nul_byte_in_header_value_is_refused_where_read(
    taskboard: Taskboard,
    account: Account,
    hostile: httpx.Client,
    tasks_url: str,
    method: str,
    header: bytes,
    status: int,
) -> None:
    task = make_task(hostile, project_of(tasks_url), "Kept")
    target = tasks_url if method == "POST" else f"/v1/tasks/{task['id']}"
    length = f"Content-Length: {len(TASK)}".encode()
    request = raw(method, target.encode(), account.token, JSON, header, length)

    code, _, body = exchange(taskboard, request + TASK)

    assert code == status, body
    titles = sorted(task["title"] for task in hostile.get(tasks_url).json())
    assert titles == (["Kept", "Raw"] if status == 201 else ["Kept"])


def test_nul_byte_in_token_returns_401(taskboard: Taskboard) -> None:
    request = raw("GET", b"/v1/projects", "a\x00b")

    document = raw_problem(exchange(taskboard, request), 401)

    assert document["detail"] == "The access token is malformed."


@pytest.mark.parametrize(
    ("size", "status"), [(16 * 1024, 401), (70 * 1024, 431)], ids=["16KiB", "70KiB"]
)
def test_very_long_authorization_header_returns_4xx(
    taskboard: Taskboard, size: int, status: int
) -> None:
    # 16 KiB reaches restkit (a malformed token); 70 KiB is over the server's line limit.
    code, _, _ = exchange(taskboard, raw("GET", b"/v1/projects", "a" * size))

    assert code == status


def test_too_many_headers_returns_431(taskboard: Taskboard, account: Account) -> None:
    headers = [b"X-Header-%d: x" % index for index in range(200)]

    code, _, _ = exchange(taskboard, raw("GET", b"/v1/projects", account.token, *headers))

    assert code == 431


def test_very_long_query_string_returns_4xx(
    taskboard: Taskboard, account: Account, tasks_url: str
) -> None:
    within = tasks_url.encode() + b"?q=" + b"a" * 60_000
    beyond = tasks_url.encode() + b"?q=" + b"a" * 64 * 1024

    long_q = raw_problem(exchange(taskboard, raw("GET", within, account.token)), 422)
    too_long, _, _ = exchange(taskboard, raw("GET", beyond, account.token))

    assert long_q["errors"] == [
        {"in": "query", "name": "q", "detail": "Length must be between 1 and 200."}
    ]
    assert too_long == 414  # the server's own limit on the request line


# -- uploads ------------------------------------------------------------------------------------


@pytest.fixture
def attachments_url(hostile: httpx.Client, tasks_url: str) -> str:
    """The attachment list of a new task of the module's user."""
    return f"/v1/tasks/{make_task(hostile, project_of(tasks_url))['id']}/attachments"


@pytest.mark.parametrize(("size", "status"), [(5 * MIB, 201), (5 * MIB + 1, 413)])
def test_upload_at_and_over_5_mib(
    hostile: httpx.Client, attachments_url: str, size: int, status: int
) -> None:
    response = hostile.post(attachments_url, files={"file": ("big.bin", b"\x00" * size)})

    assert response.status_code == status, response.text
    listed = [attachment["size"] for attachment in hostile.get(attachments_url).json()]
    assert listed == ([size] if status == 201 else [])


MULTIPART_FILE = (
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n--x--\r\n'
)


def test_upload_without_boundary_returns_400(hostile: httpx.Client, attachments_url: str) -> None:
    headers = {"Content-Type": "multipart/form-data"}

    response = hostile.post(attachments_url, content=MULTIPART_FILE, headers=headers)

    assert "boundary" in problem(response, 400)["detail"]
    assert hostile.get(attachments_url).json() == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"description": (None, "No file")}, [("files", "file")]),
        ({"file": (None, "just text")}, [("form", "file"), ("files", "file")]),
    ],
    ids=["file-missing", "text-field-for-file"],
)
def test_upload_without_a_file_part_returns_422_naming_file(
    hostile: httpx.Client, attachments_url: str, files: dict, expected: list
) -> None:
    body = problem(hostile.post(attachments_url, files=files), 422)

    assert named(body) == expected
    assert hostile.get(attachments_url).json() == []


@pytest.mark.parametrize("description", [b"\xff\xfe", b"a\x00b"], ids=["invalid-utf8", "nul"])
def test_upload_with_bad_text_in_description_returns_422_naming_it(
    hostile: httpx.Client, attachments_url: str, description: bytes
) -> None:
    content = (
        b'--x\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
        + description
        + b"\r\n"
        + MULTIPART_FILE
    )
    headers = {"Content-Type": "multipart/form-data; boundary=x"}

    response = hostile.post(attachments_url, content=content, headers=headers)

    assert named(problem(response, 422)) == [("form", "description")]
    assert hostile.get(attachments_url).json() == []
