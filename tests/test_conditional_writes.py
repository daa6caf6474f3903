"""Conditional writes: If-Match, If-Unmodified-Since and If-None-Match before the method runs.

A failed precondition is a 412 and nothing is written; `require_if_match` makes If-Match
mandatory (428); malformed tag lists are a 400. Also where `conditional` is declared, and the
mistakes that raise `DeclarationError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from restkit import Conditional, DeclarationError, Resource, operation
from restkit.problems import NotFound
from tests.conditional_helpers import (
    LATER_HTTP,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    PROBLEM_JSON,
    SECOND_AFTER,
    SECOND_BEFORE,
    T0,
    T0_HTTP,
    UNCHANGED,
    VERSIONED,
    WEAK_TAG,
    FakeDb,
    Row,
    TaskSchema,
    send,
    task_resources,
)

MakeClient = Callable[..., FlaskClient]


@pytest.fixture
def db() -> FakeDb:
    return FakeDb()


@pytest.fixture
def client(make_client: MakeClient, db: FakeDb) -> FlaskClient:
    return make_client(task_resources(db))


# --- writes: If-Match, If-Unmodified-Since, If-None-Match ---------------------------------


HOLDING = [
    {},
    {"If-Match": '"3"'},
    {"If-Match": '"1", "3"'},
    {"If-Match": "*"},
    {"If-Unmodified-Since": T0_HTTP},
    {"If-Unmodified-Since": SECOND_AFTER},
    {"If-Unmodified-Since": "last week"},  # invalid: ignored
    {"If-Match": '"3"', "If-Unmodified-Since": SECOND_BEFORE},  # §13.2.2: If-Match decides
    {"If-None-Match": '"2"'},
    {"If-Modified-Since": SECOND_AFTER},  # only for GET and HEAD
]
FAILING = [
    {"If-Match": '"2"'},
    {"If-Match": 'W/"3"'},  # RFC 9110 §13.1.1: If-Match compares strongly
    {"If-Match": '"2", W/"3"'},
    {"If-Unmodified-Since": SECOND_BEFORE},
    {"If-Match": '"2"', "If-Unmodified-Since": SECOND_AFTER},
    {"If-None-Match": '"3"'},
    {"If-None-Match": 'W/"3"'},  # weak comparison, then 412 for a write
    {"If-None-Match": "*"},
    {"If-Match": '"3"', "If-None-Match": '"3"'},
]


@pytest.mark.parametrize("headers", HOLDING)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_conditional_write_whose_preconditions_hold_runs_and_sends_the_new_etag(
    client: FlaskClient, db: FakeDb, method: str, headers: dict[str, str]
) -> None:
    response = send(client, method, headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == '"4"'
    assert response.headers["Last-Modified"] == LATER_HTTP
    assert response.get_json() == {"id": 1, "title": "Buy oat milk", "version": 4}
    assert db.loads == [1]
    assert db.writes == [(method, 1)]


@pytest.mark.parametrize("headers", HOLDING)
def test_conditional_delete_whose_preconditions_hold_returns_204_without_etag(
    client: FlaskClient, db: FakeDb, headers: dict[str, str]
) -> None:
    response = send(client, "DELETE", headers)

    assert response.status_code == 204
    assert "ETag" not in response.headers
    assert response.data == b""
    assert db.loads == [1]
    assert db.writes == [("DELETE", 1)]


@pytest.mark.parametrize("headers", FAILING)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_conditional_write_whose_precondition_fails_returns_412_and_writes_nothing(
    client: FlaskClient, db: FakeDb, method: str, headers: dict[str, str]
) -> None:
    response = send(client, method, headers)

    assert response.status_code == 412
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "ETag" not in response.headers
    assert response.get_json() == PRECONDITION_FAILED
    assert db.loads == [1]
    assert db.writes == []
    assert db.rows == UNCHANGED


def test_conditional_write_passes_the_loaded_object_as_current(
    client: FlaskClient, db: FakeDb
) -> None:
    loaded = db.rows[1]

    response = send(client, "PUT", {"If-Match": '"3"'})

    assert response.status_code == 200
    assert len(db.currents) == 1
    assert db.currents[0] is loaded


def test_conditional_get_does_not_load_the_current_object(client: FlaskClient, db: FakeDb) -> None:
    response = client.get("/tasks/1")

    assert response.status_code == 200
    assert db.loads == []


def test_conditional_etag_of_a_write_matches_the_next_read(client: FlaskClient) -> None:
    written = send(client, "PATCH", {"If-Match": '"3"'})

    read = client.get("/tasks/1", headers={"If-None-Match": written.headers["ETag"]})
    stale = send(client, "PUT", {"If-Match": '"3"'})

    assert written.headers["ETag"] == '"4"'
    assert read.status_code == 304
    assert stale.status_code == 412


def test_conditional_post_201_sends_the_new_objects_etag(client: FlaskClient, db: FakeDb) -> None:
    response = client.post("/tasks", json={"title": "Walk the dog"})

    assert response.status_code == 201
    assert response.headers["Location"] == "/tasks/2"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Last-Modified"] == T0_HTTP
    assert response.get_json() == {"id": 2, "title": "Walk the dog", "version": 1}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("headers", [{}, {"If-Match": '"3"'}])
def test_conditional_write_to_a_missing_object_returns_404(
    make_client: MakeClient, db: FakeDb, method: str, headers: dict[str, str]
) -> None:
    conditional = Conditional(version="version", require_if_match=True)
    client = make_client(task_resources(db, conditional))

    response = send(client, method, headers, url="/tasks/9")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "The requested resource was not found.",
    }
    assert db.loads == [9]
    assert db.writes == []


def test_conditional_get_object_raising_not_found_returns_its_404(make_client: MakeClient) -> None:
    class TaskItem(Resource):
        conditional = Conditional(version="version")

        def get_object(self, task_id: int) -> Row:
            raise NotFound(f"There is no task {task_id}.")

        @operation(status=204)
        def delete(self, task_id: int) -> None:
            raise AssertionError("not called")

    client = make_client({"/tasks/<int:task_id>": TaskItem})

    response = client.delete("/tasks/9", headers={"If-Match": '"1"'})

    assert response.status_code == 404
    assert response.get_json()["detail"] == "There is no task 9."


# --- require_if_match --------------------------------------------------------------------


REQUIRING = Conditional(version="version", require_if_match=True)


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({}, PRECONDITION_REQUIRED),
        ({"If-None-Match": '"2"'}, PRECONDITION_REQUIRED),
        ({"If-Unmodified-Since": SECOND_AFTER}, PRECONDITION_REQUIRED),
        ({"If-Match": '"2"'}, PRECONDITION_FAILED),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_conditional_require_if_match_refuses_writes_without_it_with_428(
    make_client: MakeClient, db: FakeDb, method: str, headers: dict[str, str], problem: Row
) -> None:
    client = make_client(task_resources(db, REQUIRING))

    response = send(client, method, headers)

    assert response.status_code == problem["status"]
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == problem
    assert db.writes == []
    assert db.rows == UNCHANGED


@pytest.mark.parametrize("headers", [{"If-Match": '"3"'}, {"If-Match": "*"}])
@pytest.mark.parametrize(("method", "status"), [("PUT", 200), ("PATCH", 200), ("DELETE", 204)])
def test_conditional_require_if_match_runs_writes_with_it(
    make_client: MakeClient, db: FakeDb, method: str, status: int, headers: dict[str, str]
) -> None:
    client = make_client(task_resources(db, REQUIRING))

    response = send(client, method, headers)

    assert response.status_code == status
    assert db.writes == [(method, 1)]


def test_conditional_require_if_match_leaves_reads_and_creates_alone(
    make_client: MakeClient, db: FakeDb
) -> None:
    conditional = Conditional(version="version", require_if_match=True)
    client = make_client(task_resources(db, conditional))

    read = client.get("/tasks/1")
    created = client.post("/tasks", json={"title": "Walk the dog"})

    assert read.status_code == 200
    assert read.headers["ETag"] == '"3"'
    assert created.status_code == 201
    assert created.headers["ETag"] == '"1"'


# --- malformed tag lists -----------------------------------------------------------------


MALFORMED = ["abc", '"unterminated', 'W/ "x"', 'w/"x"', '"a" "b"', '"a b"', '*, "a"', '"a";']


@pytest.mark.parametrize("value", MALFORMED)
@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("GET", "If-None-Match"),
        ("GET", "If-Match"),
        ("PUT", "If-Match"),
        ("DELETE", "If-None-Match"),
    ],
)
def test_conditional_malformed_entity_tags_return_400(
    client: FlaskClient, db: FakeDb, method: str, name: str, value: str
) -> None:
    response = send(client, method, {name: value})

    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert "ETag" not in response.headers
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": (
            f"The {name} header must be * or a comma-separated list of entity-tags such as "
            '"v3" or W/"v3".'
        ),
    }
    assert db.writes == []


# --- computed tags on writes -------------------------------------------------------------


def computed_tags(make_client: MakeClient, db: FakeDb) -> tuple[FlaskClient, str]:
    """Serve the tasks with computed (weak) ETags; return the client and task 1's ETag."""
    client = make_client(task_resources(db, Conditional()))
    return client, client.get("/tasks/1").headers["ETag"]


@pytest.mark.parametrize(
    ("header", "sent"),
    [
        ("If-Match", lambda tag: tag),  # a computed tag is weak: never equal under If-Match
        ("If-Match", lambda tag: tag.removeprefix("W/")),
        ("If-None-Match", lambda tag: tag),
        ("If-None-Match", lambda tag: tag.removeprefix("W/")),
    ],
    ids=["if-match-weak", "if-match-strong", "if-none-match-weak", "if-none-match-strong"],
)
def test_conditional_write_with_the_computed_etag_of_the_get_returns_412(
    make_client: MakeClient, db: FakeDb, header: str, sent: Callable[[str], str]
) -> None:
    client, etag = computed_tags(make_client, db)

    response = send(client, "PUT", {header: sent(etag)})

    assert response.status_code == 412
    assert db.writes == []


@pytest.mark.parametrize("headers", [{"If-Match": "*"}, {"If-None-Match": '"other"'}, {}])
def test_conditional_write_with_computed_etag_and_holding_precondition_runs(
    make_client: MakeClient, db: FakeDb, headers: dict[str, str]
) -> None:
    client, etag = computed_tags(make_client, db)

    response = send(client, "PUT", headers)

    assert response.status_code == 200
    assert WEAK_TAG.fullmatch(response.headers["ETag"])
    assert response.headers["ETag"] != etag
    assert db.writes == [("PUT", 1)]


@pytest.mark.parametrize(
    ("headers", "status", "written"),
    [
        ({}, 204, [1]),
        ({"If-Match": "*"}, 204, [1]),
        ({"If-Match": '"1"'}, 412, []),
        ({"If-None-Match": "*"}, 412, []),
        ({"If-None-Match": '"1"'}, 204, [1]),
    ],
)
def test_conditional_write_of_a_resource_without_get_has_no_current_etag(
    make_client: MakeClient, headers: dict[str, str], status: int, written: list[int]
) -> None:
    deleted: list[int] = []

    class Counter(Resource):
        conditional = Conditional()

        def get_object(self) -> Row:
            return {"id": 1, "title": "count", "version": 1}

        @operation(status=204)
        def delete(self) -> None:
            deleted.append(1)

    client = make_client({"/counter": Counter})

    response = client.delete("/counter", headers=headers)

    assert response.status_code == status
    assert deleted == written


# --- where it is declared ----------------------------------------------------------------


@pytest.mark.parametrize("conditional", [True, Conditional()])
def test_conditional_declared_on_the_api_applies_to_every_get(
    make_client: MakeClient, db: FakeDb, conditional: Conditional | bool
) -> None:
    client = make_client(task_resources(db, None), conditional=conditional)

    item = client.get("/tasks/1")
    listed = client.get("/tasks")
    created = client.post("/tasks", json={"title": "Walk the dog"})
    unchanged = client.get("/tasks/1", headers={"If-None-Match": item.headers["ETag"]})

    assert item.status_code == 200
    assert WEAK_TAG.fullmatch(item.headers["ETag"])
    assert WEAK_TAG.fullmatch(listed.headers["ETag"])
    assert created.status_code == 201
    assert WEAK_TAG.fullmatch(created.headers["ETag"])
    assert unchanged.status_code == 304


def test_conditional_on_the_api_makes_writes_with_get_object_conditional(
    make_client: MakeClient, db: FakeDb
) -> None:
    client = make_client(task_resources(db, None), conditional=VERSIONED)

    stale = send(client, "PUT", {"If-Match": '"2"'})
    fresh = send(client, "PUT", {"If-Match": '"3"'})

    assert stale.status_code == 412
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] == '"4"'
    assert db.writes == [("PUT", 1)]


def test_conditional_on_the_api_skips_writes_of_resources_without_get_object(
    make_client: MakeClient,
) -> None:
    class Settings(Resource):
        @operation(body=TaskSchema, response=TaskSchema)
        def put(self, body: Row) -> Row:
            return {"id": 1, "version": 8, **body}

    client = make_client({"/settings": Settings}, conditional=VERSIONED)

    response = client.put("/settings", json={"title": "x"}, headers={"If-Match": '"1"'})

    assert response.status_code == 200
    assert "ETag" not in response.headers


@pytest.mark.parametrize(
    ("api", "resource"), [(VERSIONED, False), (None, None)], ids=["switched-off", "undeclared"]
)
def test_conditional_switched_off_or_undeclared_sends_no_validators(
    make_client: MakeClient, db: FakeDb, api: Conditional | None, resource: bool | None
) -> None:
    client = make_client(task_resources(db, resource), conditional=api)

    response = client.get("/tasks/1", headers={"If-None-Match": '"3"'})
    written = send(client, "PUT", {"If-Match": '"2"'})

    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert "Last-Modified" not in response.headers
    assert written.status_code == 200
    assert "ETag" not in written.headers


def test_conditional_false_on_an_operation_opts_it_out(make_client: MakeClient) -> None:
    class Report(Resource):
        conditional = VERSIONED

        @operation(response=TaskSchema, conditional=False)
        def get(self) -> Row:
            return {"id": 1, "title": "Report", "version": 3, "updated_at": T0}

    response = make_client({"/report": Report}).get("/report", headers={"If-None-Match": "*"})

    assert response.status_code == 200
    assert "ETag" not in response.headers


# --- declaration errors ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_conditional_on_a_write_without_get_object_raises_at_class_creation(method: str) -> None:
    def write(self: Resource) -> None:
        return None

    declared = operation(status=204, conditional=VERSIONED)

    with pytest.raises(
        DeclarationError,
        match=re.escape(
            f"Settings.{method} declares conditional=..., whose preconditions are checked "
            "against the current object before the write; define "
            "get_object(self, **path_arguments) on the resource to load it."
        ),
    ):
        type("Settings", (Resource,), {method: declared(write)})


def test_conditional_resource_requiring_if_match_without_get_object_raises(
    make_client: MakeClient,
) -> None:
    def routes() -> dict[str, type[Resource]]:
        class Settings(Resource):
            conditional = Conditional(version="version", require_if_match=True)

            @operation(body=TaskSchema, response=TaskSchema)
            def put(self, body: Row) -> Row:
                return body

        return {"/settings": Settings}

    with pytest.raises(DeclarationError, match="get_object"):
        make_client(routes())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Conditional(require_if_match=True),
            "Conditional(require_if_match=True) needs version=...: a computed ETag is weak and "
            "can never satisfy If-Match (RFC 9110 §13.1.1). Declare the attribute that holds "
            "the object's version.",
        ),
        (
            lambda: Conditional(last_modified="updated_at", require_if_match=True),
            "Conditional(require_if_match=True) needs version=...",
        ),
        (
            lambda: Conditional(version=5),
            "Conditional version=5 must be an attribute name or a function of the object.",
        ),
        (
            lambda: Conditional(version=""),
            "Conditional version='' must be an attribute name or a function of the object.",
        ),
        (
            lambda: Conditional(last_modified=True),
            "Conditional last_modified=True must be an attribute name or a function of the object.",
        ),
    ],
)
def test_conditional_with_bad_declaration_raises(
    make: Callable[[], Conditional], message: str
) -> None:
    with pytest.raises(DeclarationError, match=f"^{re.escape(message)}"):
        make()


def test_resource_get_object_that_is_not_a_method_raises_declaration_error():
    with pytest.raises(DeclarationError, match=r"Broken\.get_object is 3"):

        class Broken(Resource):
            get_object = 3

            @operation(status=204)
            def delete(self):
                return None
