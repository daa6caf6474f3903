"""Object permissions: the resource's `authorize_object(self, obj, identity, method)` hook.

With the hook, every method of the resource loads its object with `get_object` first and
asks the hook: `NotFound` hides the object, `Forbidden` refuses the action. The hook runs
after `requires=` (403) and parsing (422), before preconditions (412/428). Also how `current`
reaches methods, and the 403/404 the OpenAPI document lists. `Scopes`, `Roles` and
`requires=` are in test_permissions.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields
from openapi_spec_validator import validate

from restkit import (
    Api,
    Blueprint,
    Conditional,
    DeclarationError,
    HttpBearer,
    Identity,
    Resource,
    Roles,
    operation,
)
from restkit.api import get_apis
from restkit.problems import Forbidden, NotFound

ALICE = Identity(id="alice", user=None)
BOB = Identity(id="bob", user=None)
ROOT = Identity(id="root", user=None, roles={"admin"})
bearer = HttpBearer(tokens={f"{who.id}-token-0123456789": who for who in (ALICE, BOB, ROOT)})


def as_(identity: Identity[Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {identity.id}-token-0123456789"}


@dataclass
class Note:
    id: int
    owner: str
    text: str
    version: int = 1


def _notes() -> dict[int, Note]:
    return {1: Note(1, "alice", "mine"), 2: Note(2, "everyone", "shared")}


@dataclass
class Db:
    """Alice's note 1, a note 2 everyone may read, and what the resource was asked."""

    notes: dict[int, Note] = field(default_factory=_notes)
    loads: list[int] = field(default_factory=list)
    checks: list[tuple[int, str | None, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.notes = _notes()
        self.loads.clear()
        self.checks.clear()


class NoteSchema(Schema):
    text = fields.String(required=True)


class PatchSchema(Schema):
    text = fields.String()


def note_item(db: Db, *, hook: bool = True, **attributes: Any) -> type[Resource]:
    """Notes at `/notes/<int:note_id>`; an admin may delete, the owner do the rest."""

    class Base(Resource):
        def get_object(self, note_id: int) -> Note | None:
            db.loads.append(note_id)
            return db.notes.get(note_id)

        @operation(response=NoteSchema)
        def get(self, note_id: int) -> Note:
            return db.notes[note_id]

        @operation(body=NoteSchema, response=NoteSchema)
        def put(self, note_id: int, body: dict[str, Any]) -> Note:
            db.notes[note_id].text = body["text"]
            return db.notes[note_id]

        @operation(body=PatchSchema, response=NoteSchema)
        def patch(self, note_id: int, body: dict[str, Any]) -> Note:
            return db.notes[note_id]

        @operation(body=NoteSchema, response=NoteSchema)
        def post(self, note_id: int, body: dict[str, Any]) -> Note:
            return db.notes[note_id]

        @operation(status=204)
        def delete(self, note_id: int) -> None:
            del db.notes[note_id]

    def authorize_object(self: Any, obj: Note, identity: Identity[Any] | None, method: str) -> None:
        db.checks.append((obj.id, identity.id if identity else None, method))
        admin = identity is not None and "admin" in identity.roles
        mine = identity is not None and obj.owner == identity.id
        if not (mine or admin or obj.owner == "everyone"):
            raise NotFound()
        if method == "DELETE" and not admin:
            raise Forbidden("Only an admin may delete notes.")

    namespace = {"authorize_object": authorize_object} if hook else {}
    return type("NoteItem", (Base,), namespace | attributes)


def serve(resource: type[Resource], rule: str = "/notes/<int:note_id>", **api: Any) -> Flask:
    blueprint = Blueprint("notes")
    blueprint.add_resource(resource, rule)
    app = Flask(__name__)
    registry = Api(**api)
    registry.register_blueprint(blueprint)
    registry.init_app(app)
    return app


@pytest.fixture(scope="module")
def served() -> tuple[Db, Flask]:
    """One app for the tests that need no other declarations: building one takes a while.

    Built before conftest's validating fixture applies, so its document is validated here.
    """
    shared = Db()
    app = serve(note_item(shared), auth=bearer)
    validate(dict(get_apis(app)["api"].spec(app)))
    return shared, app


@pytest.fixture
def db(served: tuple[Db, Flask]) -> Db:
    shared, _ = served
    shared.reset()
    return shared


@pytest.fixture
def client(served: tuple[Db, Flask], db: Db) -> FlaskClient:
    return served[1].test_client()


BODIES = {"GET": None, "HEAD": None, "PUT": {"text": "new"}, "PATCH": {}, "POST": {"text": "c"}}


def call(client: FlaskClient, method: str, path: str, **kwargs: Any) -> Any:
    return client.open(path, method=method, json=BODIES.get(method), **kwargs)


# --- NotFound hides, Forbidden refuses -----------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"])
def test_authorize_object_raising_not_found_hides_the_object(
    client: FlaskClient, db: Db, method: str
) -> None:
    response = call(client, method, "/notes/1", headers=as_(BOB))

    assert response.status_code == 404
    assert db.loads == [1]
    assert db.checks == [(1, "bob", "GET" if method == "HEAD" else method)]
    assert db.notes[1] == Note(1, "alice", "mine")


@pytest.mark.parametrize(
    ("identity", "method", "status"),
    [
        (ALICE, "GET", 200),
        (ALICE, "HEAD", 200),
        (ALICE, "PUT", 200),
        (ALICE, "PATCH", 200),
        (ALICE, "POST", 200),
        (ALICE, "DELETE", 403),
        (BOB, "GET", 404),
        (ROOT, "GET", 200),
        (ROOT, "DELETE", 204),
    ],
)
def test_authorize_object_decides_per_caller_and_method(
    client: FlaskClient, identity: Identity[Any], method: str, status: int
) -> None:
    response = call(client, method, "/notes/1", headers=as_(identity))

    assert response.status_code == status


def test_authorize_object_raising_forbidden_refuses_only_that_action(
    client: FlaskClient, db: Db
) -> None:
    refused = client.delete("/notes/2", headers=as_(BOB))
    read = client.get("/notes/2", headers=as_(BOB))

    assert refused.status_code == 403
    assert "WWW-Authenticate" not in refused.headers
    assert refused.json["detail"] == "Only an admin may delete notes."
    assert read.status_code == 200
    assert read.json == {"text": "shared"}
    assert 2 in db.notes


@pytest.mark.parametrize(
    ("method", "seen"),
    [("GET", "GET"), ("HEAD", "GET"), ("PUT", "PUT"), ("PATCH", "PATCH"), ("DELETE", "DELETE")],
)
def test_authorize_object_receives_the_object_identity_and_method(
    client: FlaskClient, db: Db, method: str, seen: str
) -> None:
    call(client, method, "/notes/1", headers=as_(ALICE))

    assert db.checks == [(1, "alice", seen)]


@pytest.mark.parametrize(("note_id", "status"), [(2, 200), (1, 404)])
def test_authorize_object_on_a_public_operation_receives_no_identity(
    db: Db, note_id: int, status: int
) -> None:
    client = serve(note_item(db, auth=False), auth=bearer).test_client()

    response = client.get(f"/notes/{note_id}", headers=as_(ALICE))

    assert response.status_code == status
    assert db.checks == [(note_id, None, "GET")]


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_authorize_object_is_not_called_when_get_object_finds_nothing(
    client: FlaskClient, db: Db, method: str
) -> None:
    response = call(client, method, "/notes/99", headers=as_(ROOT))

    assert response.status_code == 404
    assert db.loads == [99]
    assert db.checks == []


# --- Where the hook runs in the pipeline ---------------------------------------------------


@pytest.mark.parametrize(
    ("identity", "if_match", "status"),
    [
        pytest.param(BOB, None, 404, id="hidden-not-428"),
        pytest.param(BOB, '"7"', 404, id="hidden-not-412"),
        pytest.param(BOB, '"1"', 404, id="hidden-with-right-tag"),
        pytest.param(ALICE, None, 428, id="owner-without-if-match"),
        pytest.param(ALICE, '"7"', 412, id="owner-stale-tag"),
        pytest.param(ALICE, '"1"', 200, id="owner-current-tag"),
    ],
)
def test_authorize_object_runs_before_preconditions(
    db: Db, identity: Identity[Any], if_match: str | None, status: int
) -> None:
    conditional = Conditional(version="version", require_if_match=True)
    client = serve(note_item(db, conditional=conditional), auth=bearer).test_client()
    headers = as_(identity) | ({"If-Match": if_match} if if_match else {})

    response = client.put("/notes/1", headers=headers, json={"text": "new"})

    assert response.status_code == status
    assert db.checks == [(1, identity.id, "PUT")]


@pytest.mark.parametrize(("identity", "status"), [(BOB, 404), (ALICE, 304)])
def test_authorize_object_runs_before_not_modified(
    db: Db, identity: Identity[Any], status: int
) -> None:
    client = serve(note_item(db, conditional=Conditional(version="version")), auth=bearer)

    response = client.test_client().get(
        "/notes/1", headers=as_(identity) | {"If-None-Match": '"1"'}
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        pytest.param({}, {"text": "new"}, 401, id="401"),
        pytest.param(as_(BOB), {"text": 5}, 422, id="422-even-when-hidden"),
        pytest.param(as_(ALICE), {}, 422, id="422-for-the-owner"),
    ],
)
def test_authorize_object_runs_after_authentication_and_parsing(
    client: FlaskClient, db: Db, headers: dict[str, str], body: Any, status: int
) -> None:
    response = client.put("/notes/1", headers=headers, json=body)

    assert response.status_code == status
    assert db.loads == []
    assert db.checks == []


def test_authorize_object_runs_after_requires(db: Db) -> None:
    client = serve(note_item(db, requires=Roles("editor")), auth=bearer).test_client()

    response = client.get("/notes/1", headers=as_(ALICE))

    assert response.status_code == 403
    assert response.json["detail"] == "You need role 'editor'."
    assert db.loads == []


# --- get_object and `current` --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hook", "takes_current", "loads"),
    [
        pytest.param(False, False, [], id="neither"),
        pytest.param(False, True, [1], id="current-only"),
        pytest.param(True, False, [1], id="hook-only"),
        pytest.param(True, True, [1], id="both-load-once"),
    ],
)
def test_get_loads_the_object_for_the_hook_or_current(
    db: Db, hook: bool, takes_current: bool, loads: list[int]
) -> None:
    def with_current(self: Any, note_id: int, current: Note) -> Note:
        assert current is db.notes[note_id]
        return Note(0, "", f"current {current.text}")

    def without_current(self: Any, note_id: int) -> Note:
        return db.notes[note_id]

    method = with_current if takes_current else without_current
    get = operation(response=NoteSchema)(method)
    client = serve(note_item(db, hook=hook, get=get), auth=bearer).test_client()

    response = client.get("/notes/1", headers=as_(ALICE))

    assert response.status_code == 200
    assert response.json == {"text": "current mine" if takes_current else "mine"}
    assert db.loads == loads
    assert db.checks == ([(1, "alice", "GET")] if hook else [])


def test_current_goes_to_every_method_that_takes_it(db: Db) -> None:
    @operation(body=NoteSchema, response=NoteSchema)
    def post(self: Any, note_id: int, body: dict[str, Any], current: Note) -> Note:
        return Note(0, "", f"{body['text']} on {current.text}")

    client = serve(note_item(db, post=post), auth=bearer).test_client()

    response = client.post("/notes/1", headers=as_(ALICE), json={"text": "reply"})

    assert response.status_code == 200
    assert response.json == {"text": "reply on mine"}
    assert db.checks == [(1, "alice", "POST")]


def test_current_clashing_with_a_url_variable_fails_at_init_app() -> None:
    class Named(Resource):
        def get_object(self, current: str) -> Note:
            return Note(1, "alice", current)

        @operation(response=NoteSchema)
        def get(self, current: Any) -> Note:
            return Note(1, "alice", str(current))

    with pytest.raises(DeclarationError, match="current"):
        serve(Named, "/named/<current>")


# --- Declarations --------------------------------------------------------------------------


def test_authorize_object_without_get_object_fails_at_class_creation() -> None:
    with pytest.raises(DeclarationError) as caught:

        class Notes(Resource):
            def authorize_object(self, obj: Any, identity: Any, method: str) -> None: ...

            @operation(response=NoteSchema)
            def get(self) -> None: ...

    assert str(caught.value) == (
        "Notes defines authorize_object, which checks the object the URL names; define it as "
        "a method (self, obj, identity, method) and define get_object(self, **path_arguments) "
        "to load the object."
    )


@pytest.mark.parametrize("value", [True, "owner", 1])
def test_authorize_object_that_is_not_callable_fails_at_class_creation(value: Any) -> None:
    with pytest.raises(DeclarationError, match=r"^Notes defines authorize_object"):
        type(
            "Notes",
            (Resource,),
            {"get_object": lambda self: None, "authorize_object": value},
        )


# --- The OpenAPI document ------------------------------------------------------------------


class ProfileSchema(Schema):
    name = fields.String()


class Profile(Resource):
    """At a URL without variables, so a 404 can come only from the hook."""

    def get_object(self) -> dict[str, str]:
        return {"name": "Ann"}

    @operation(response=ProfileSchema)
    def get(self) -> dict[str, str]:
        return {"name": "Ann"}

    @operation(body=ProfileSchema, response=ProfileSchema, auth=False)
    def put(self, body: dict[str, Any]) -> dict[str, str]:
        return body

    @operation(status=204, requires=Roles("admin"))
    def delete(self) -> None: ...


class CheckedProfile(Profile):
    def authorize_object(self, obj: Any, identity: Any, method: str) -> None: ...


NOBODY_MAY = "Forbidden: the caller may not do this to this object."
ADMINS_MAY = "Forbidden: the caller needs role 'admin'."


@pytest.mark.parametrize(
    ("resource", "method", "forbidden", "not_found"),
    [
        (CheckedProfile, "get", NOBODY_MAY, True),
        (CheckedProfile, "put", NOBODY_MAY, True),
        (CheckedProfile, "delete", ADMINS_MAY, True),
        (Profile, "get", None, False),
        (Profile, "put", None, False),
        (Profile, "delete", ADMINS_MAY, False),
    ],
)
def test_authorize_object_documents_403_and_404_on_every_operation(
    resource: type[Resource], method: str, forbidden: str | None, not_found: bool
) -> None:
    blueprint = Blueprint("profile")
    blueprint.add_resource(resource, "/profile")
    app = Flask(__name__)
    api = Api(auth=bearer)
    api.register_blueprint(blueprint)
    api.init_app(app)

    responses = api.spec(app)["paths"]["/profile"][method]["responses"]

    assert responses.get("403", {}).get("description") == forbidden
    assert ("404" in responses) is not_found
