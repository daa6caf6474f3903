"""Hostile input against Taskboard over HTTP, on both databases: every answer a 4xx problem.

Bodies over the size limit and nested too deep, numbers beyond 64 bits in paths, page
parameters and bodies, invalid UTF-8 and NUL characters, wrong Content-Types, repeated query
keys, forged cursors and malformed If-Match and Idempotency-Key values each get the problem
the HTTP contract documents (application/problem+json, the right status, a detail that says
what to fix), never a 500; a rejected write leaves nothing behind, and the server stays
healthy. Byte-exact requests (raw sockets) and uploads are in test_reliability_hostile_http.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.taskboard_live import (
    MERGE_PATCH,
    PROBLEM,
    Taskboard,
    etag_of,
    make_project,
    make_task,
)

pytest_plugins = ["tests.taskboard_live"]

MAX_BODY = 1024 * 1024
"""restkit's default body limit, which Taskboard's JSON operations keep."""
MAX_DEPTH = 32
"""restkit's default JSON nesting limit."""
BEYOND_64_BITS = ["99999999999999999999999", str(2**63 - 1), str(2**63), str(2**64)]


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert `response` is a problem+json of `status`; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"]
    assert body["title"]
    assert body["detail"]
    return body


def named(body: dict[str, Any]) -> list[tuple[str, str]]:
    """Return each input error of a 422 as (location, name or pointer)."""
    return [(error["in"], error.get("name", error.get("pointer"))) for error in body["errors"]]


@pytest.fixture
def hostile(taskboard: Taskboard) -> Iterator[httpx.Client]:
    """A client signed in as a user of this module's own; the server is healthy afterwards."""
    account = taskboard.shared("hostile", lambda: taskboard.sign_up("Hostile"))
    yield taskboard.client(account.token)
    health = taskboard.client().get("/healthz")
    assert health.status_code == 200, health.text
    assert health.json() == {"status": "ok"}


@pytest.fixture
def tasks_url(hostile: httpx.Client) -> str:
    """The task list of a new, empty project of the hostile user's."""
    return f"/v1/projects/{make_project(hostile, 'Hostile')['id']}/tasks"


def post_json(client: httpx.Client, url: str, raw: bytes, **headers: str) -> httpx.Response:
    return client.post(url, content=raw, headers={"Content-Type": "application/json", **headers})


def assert_no_tasks(client: httpx.Client, tasks_url: str) -> None:
    listed = client.get(tasks_url)
    assert listed.status_code == 200, listed.text
    assert listed.json() == []


# -- body size and nesting ----------------------------------------------------------------------


def test_create_task_with_body_over_limit_returns_413_and_writes_nothing(
    hostile: httpx.Client, tasks_url: str
) -> None:
    raw = b'{"title": "' + b"x" * MAX_BODY + b'"}'

    body = problem(post_json(hostile, tasks_url, raw), 413)

    assert body["detail"] == f"The request body is larger than {MAX_BODY} bytes."
    assert_no_tasks(hostile, tasks_url)


def test_create_task_with_body_of_exactly_the_limit_is_read_and_validated(
    hostile: httpx.Client, tasks_url: str
) -> None:
    raw = b'{"title": "' + b"x" * (MAX_BODY - 13) + b'"}'
    assert len(raw) == MAX_BODY

    body = problem(post_json(hostile, tasks_url, raw), 422)

    assert named(body) == [("body", "/title")]


def test_create_task_with_chunked_body_over_limit_returns_413(
    hostile: httpx.Client, tasks_url: str
) -> None:
    def chunks() -> Iterator[bytes]:  # a generator: httpx sends it chunked, without a length
        yield b'{"title": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    body = problem(post_json(hostile, tasks_url, chunks()), 413)  # type: ignore[arg-type]

    assert str(MAX_BODY) in body["detail"]
    assert_no_tasks(hostile, tasks_url)


def nested(levels: int) -> bytes:
    """A task whose tags are arrays nested so that the body is `levels` deep."""
    return b'{"title": "Deep", "tags": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 100_000], ids=["33", "100000"])
def test_create_task_nested_too_deep_returns_400_with_the_depth(
    hostile: httpx.Client, tasks_url: str, levels: int
) -> None:
    body = problem(post_json(hostile, tasks_url, nested(levels)), 400)

    assert body["detail"] == f"The request body is nested deeper than {MAX_DEPTH} levels."
    assert_no_tasks(hostile, tasks_url)


def test_create_task_nested_to_the_limit_is_validated(
    hostile: httpx.Client, tasks_url: str
) -> None:
    body = problem(post_json(hostile, tasks_url, nested(MAX_DEPTH)), 422)

    assert named(body) == [("body", "/tags/0")]


# -- numbers beyond 64 bits ---------------------------------------------------------------------


@pytest.mark.parametrize("number", BEYOND_64_BITS)
@pytest.mark.parametrize(
    "path",
    [
        "/v1/tasks/{}",
        "/v1/projects/{}",
        "/v1/projects/{}/tasks",
        "/v1/tasks/{}/attachments",
        "/v1/attachments/{}/content",
    ],
)
def test_get_with_huge_path_id_returns_404(hostile: httpx.Client, path: str, number: str) -> None:
    problem(hostile.get(path.format(number)), 404)


@pytest.mark.parametrize("number", BEYOND_64_BITS)
@pytest.mark.parametrize(
    ("method", "request_"),
    [
        ("PUT", {"json": {"title": "x"}}),
        ("PATCH", {"content": b'{"title": "x"}', "headers": {"Content-Type": MERGE_PATCH}}),
        ("DELETE", {}),
    ],
    ids=["put", "patch", "delete"],
)
def test_write_task_with_huge_id_returns_404(
    hostile: httpx.Client, method: str, request_: dict[str, Any], number: str
) -> None:
    headers = {"If-Match": "*", **request_.get("headers", {})}
    options = {key: value for key, value in request_.items() if key != "headers"}

    response = hostile.request(method, f"/v1/tasks/{number}", headers=headers, **options)

    problem(response, 404)


@pytest.mark.parametrize("number", BEYOND_64_BITS)
def test_create_task_in_project_with_huge_id_returns_404(
    hostile: httpx.Client, tasks_url: str, number: str
) -> None:
    response = hostile.post(f"/v1/projects/{number}/tasks", json={"title": "Lost"})

    problem(response, 404)
    assert_no_tasks(hostile, tasks_url)


@pytest.mark.parametrize("number", [*BEYOND_64_BITS, "-1", "0", "1e3", "1.5"])
@pytest.mark.parametrize(
    ("url", "name"),
    [("/v1/projects", "page"), ("/v1/projects", "per_page"), ("{tasks}", "limit")],
)
def test_list_with_bad_page_parameter_returns_422_naming_it(
    hostile: httpx.Client, tasks_url: str, url: str, name: str, number: str
) -> None:
    response = hostile.get(url.format(tasks=tasks_url), params={name: number})

    assert named(problem(response, 422)) == [("query", name)]


def test_list_projects_at_the_largest_page_number_returns_200_empty(
    hostile: httpx.Client,
) -> None:
    response = hostile.get("/v1/projects", params={"page": 2**31 - 1, "per_page": 100})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        (b'{"title": "x", "priority": 1180591620717411303424}', "/priority"),
        (b'{"title": 1180591620717411303424}', "/title"),
        (b'{"title": "x", "done": 18446744073709551616}', "/done"),
        (b'{"title": "x", "tags": [-9223372036854775809]}', "/tags/0"),
    ],
    ids=["priority", "title", "done", "tag"],
)
def test_create_task_with_huge_integer_returns_422_with_pointer(
    hostile: httpx.Client, tasks_url: str, raw: bytes, pointer: str
) -> None:
    assert named(problem(post_json(hostile, tasks_url, raw), 422)) == [("body", pointer)]
    assert_no_tasks(hostile, tasks_url)


def test_create_task_with_number_beyond_a_double_returns_400(
    hostile: httpx.Client, tasks_url: str
) -> None:
    body = problem(post_json(hostile, tasks_url, b'{"title": "x", "done": 1e999}'), 400)

    assert body["detail"].startswith("The request body is not valid JSON: ")
    assert "1e999" in body["detail"] or "infinity" in body["detail"]
    assert_no_tasks(hostile, tasks_url)


# -- invalid UTF-8 and NUL ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b'{"title": "\xff\xfe"}', b'{"title": "caf\xe9"}', b'{"title": "\\ud800"}'],
    ids=["ff-fe", "latin-1", "lone-surrogate"],
)
def test_create_task_with_invalid_utf8_returns_400(
    hostile: httpx.Client, tasks_url: str, raw: bytes
) -> None:
    body = problem(post_json(hostile, tasks_url, raw), 400)

    assert body["detail"].startswith("The request body is not valid JSON: ")
    assert_no_tasks(hostile, tasks_url)


def test_create_task_with_raw_nul_byte_in_string_returns_400(
    hostile: httpx.Client, tasks_url: str
) -> None:
    body = problem(post_json(hostile, tasks_url, b'{"title": "a\x00b"}'), 400)

    assert "control character" in body["detail"]
    assert_no_tasks(hostile, tasks_url)


@pytest.mark.parametrize(
    ("url", "raw", "pointer"),
    [
        ("{tasks}", b'{"title": "a\\u0000b"}', "/title"),
        ("{tasks}", b'{"title": "x", "tags": ["\\u0000"]}', "/tags/0"),
        ("/v1/projects", b'{"name": "a\\u0000b"}', "/name"),
    ],
    ids=["task-title", "task-tag", "project-name"],
)
def test_write_with_escaped_nul_in_string_returns_422_with_pointer(
    hostile: httpx.Client, tasks_url: str, url: str, raw: bytes, pointer: str
) -> None:
    projects_before = hostile.get("/v1/projects", params={"per_page": 100}).json()

    response = post_json(hostile, url.format(tasks=tasks_url), raw)

    assert named(problem(response, 422)) == [("body", pointer)]
    assert_no_tasks(hostile, tasks_url)
    assert hostile.get("/v1/projects", params={"per_page": 100}).json() == projects_before


@pytest.mark.parametrize("name", ["q", "tag"])
def test_list_tasks_with_nul_in_query_value_returns_422_naming_it(
    hostile: httpx.Client, tasks_url: str, name: str
) -> None:
    response = hostile.get(tasks_url, params={name: "a\x00b"})

    assert named(problem(response, 422)) == [("query", name)]


@pytest.mark.parametrize("name", ["q", "tag"])
def test_list_tasks_with_invalid_utf8_in_query_value_returns_422_naming_it(
    hostile: httpx.Client, tasks_url: str, name: str
) -> None:
    response = hostile.get(f"{tasks_url}?{name}=%ff%fe")

    assert named(problem(response, 422)) == [("query", name)]


def test_list_tasks_sorted_by_invalid_utf8_returns_422_naming_sort(
    hostile: httpx.Client, tasks_url: str
) -> None:
    body = problem(hostile.get(f"{tasks_url}?sort=%ff%fe"), 422)

    assert named(body) == [("query", "sort")]
    assert body["errors"][0]["detail"] == "Not valid UTF-8: percent-encode the value's UTF-8 bytes."


@pytest.mark.parametrize("path", ["/v1/tasks/%ff%fe", "/v1/projects/%c0%af/tasks", "/v1/%ff"])
def test_get_with_invalid_utf8_in_path_returns_404(hostile: httpx.Client, path: str) -> None:
    problem(hostile.get(path), 404)


# -- Content-Type -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "named_in_detail"),
    [
        (None, "has no Content-Type"),
        ("text/plain", "is text/plain"),
        ("application/xml", "is application/xml"),
        ("application/x-www-form-urlencoded", "is application/x-www-form-urlencoded"),
        ("multipart/form-data; boundary=x", "is multipart/form-data"),
    ],
    ids=["missing", "text", "xml", "form", "multipart"],
)
def test_create_task_with_wrong_content_type_returns_415_with_accept(
    hostile: httpx.Client, tasks_url: str, content_type: str | None, named_in_detail: str
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}

    response = hostile.post(tasks_url, content=b'{"title": "x"}', headers=headers)

    body = problem(response, 415)
    assert response.headers["Accept"] == "application/json"
    assert named_in_detail in body["detail"]
    assert body["detail"].endswith("send it as application/json.")
    assert_no_tasks(hostile, tasks_url)


def test_patch_task_with_plain_json_returns_415_with_accept_patch(
    hostile: httpx.Client, tasks_url: str
) -> None:
    path = f"/v1/tasks/{make_task(hostile, int(tasks_url.split('/')[3]))['id']}"
    headers = {"Content-Type": "application/json", "If-Match": etag_of(hostile, path)}

    response = hostile.patch(path, content=b'{"title": "Changed"}', headers=headers)

    problem(response, 415)
    assert response.headers["Accept-Patch"] == MERGE_PATCH
    assert hostile.get(path).json()["title"] == "Do it"


@pytest.mark.parametrize("charset", ["utf-8", "latin-1"])
def test_create_task_with_charset_parameter_reads_utf8(
    hostile: httpx.Client, tasks_url: str, charset: str
) -> None:
    # RFC 8259 §11: JSON has no charset parameter, and adding one has no effect: it is UTF-8.
    raw = '{"title": "Café"}'.encode()

    response = post_json(
        hostile, tasks_url, raw, **{"Content-Type": f"application/json; charset={charset}"}
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Café"


def test_create_task_in_latin1_as_it_says_returns_400_not_utf8(
    hostile: httpx.Client, tasks_url: str
) -> None:
    raw = '{"title": "Café"}'.encode("latin-1")
    headers = {"Content-Type": "application/json; charset=latin-1"}

    body = problem(hostile.post(tasks_url, content=raw, headers=headers), 400)

    assert "UTF-8" in body["detail"]
    assert_no_tasks(hostile, tasks_url)


# -- repeated query keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "name"),
    [
        ("{tasks}", "sort=title&sort=due_at", "sort"),
        ("{tasks}", "limit=1&limit=2", "limit"),
        ("{tasks}", "q=a&q=b", "q"),
        ("{tasks}", "done=true&done=false", "done"),
        ("{tasks}", "tag=a&tag=b", "tag"),
        ("{tasks}", "cursor=a&cursor=b", "cursor"),
        ("/v1/projects", "page=1&page=2", "page"),
        ("/v1/projects", "per_page=1&per_page=1", "per_page"),
        ("/v1/projects", "sort=name&sort=-name", "sort"),
    ],
)
def test_list_with_repeated_single_valued_key_returns_422_naming_it(
    hostile: httpx.Client, tasks_url: str, url: str, query: str, name: str
) -> None:
    body = problem(hostile.get(f"{url.format(tasks=tasks_url)}?{query}"), 422)

    assert named(body) == [("query", name)]
    assert body["errors"][0]["detail"] == "Expected one value, got 2."
