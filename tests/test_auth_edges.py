"""Authentication corner cases: API keys in a query, realms that must fit in a header,
whitespace in Authorization, and the scheme restkit records on an identity."""

from __future__ import annotations

import pytest
from flask import Flask
from marshmallow import EXCLUDE, RAISE, Schema, fields

from restkit import (
    Api,
    ApiKey,
    Blueprint,
    DeclarationError,
    HttpBasic,
    HttpBearer,
    Identity,
    Resource,
    operation,
)
from restkit.jwt import JwtBearer
from restkit.parsing import effective_unknown

KEY = "k" * 24
QUERY_KEY = ApiKey(keys={KEY: Identity(id="app", user=None)}, name="key", location="query")


class Filter(Schema):
    done = fields.Boolean()


class StrictFilter(Schema):
    class Meta:
        unknown = RAISE

    done = fields.Boolean()


class KeyFilter(Schema):
    key = fields.String()


class RenamedKeyFilter(Schema):
    token = fields.String(data_key="key")


def mount(query: type[Schema], auth: ApiKey = QUERY_KEY) -> Flask:
    blueprint = Blueprint("tasks")

    @blueprint.route("/tasks")
    class Tasks(Resource):
        @operation(query=query, response={"done": fields.Boolean(allow_none=True)})
        def get(self, query: dict[str, bool]) -> dict[str, bool | None]:
            return {"done": query.get("done")}

    app = Flask(__name__)
    api = Api(app, auth=auth)
    api.register_blueprint(blueprint)
    return app


def test_query_api_key_with_a_lenient_query_schema_is_read_and_not_loaded() -> None:
    client = mount(Filter).test_client()

    response = client.get(f"/tasks?done=true&key={KEY}")

    assert response.status_code == 200
    assert response.get_json() == {"done": True}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (KeyFilter, "Tasks.get's query schema declares 'key', the API key parameter."),
        (RenamedKeyFilter, "Tasks.get's query schema declares 'key', the API key parameter."),
        (StrictFilter, "refuses unknown parameters, such as the API key's 'key'"),
    ],
)
def test_query_api_key_clashing_with_the_query_schema_fails_at_mount(
    query: type[Schema], message: str
) -> None:
    with pytest.raises(DeclarationError, match="send the key in a header") as raised:
        mount(query)

    assert message in str(raised.value)


def test_header_api_key_may_share_its_name_with_a_query_field() -> None:
    header_key = ApiKey(keys={KEY: Identity(id="app", user=None)}, name="key")
    client = mount(KeyFilter, auth=header_key).test_client()

    response = client.get("/tasks?key=anything", headers={"key": KEY})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("schema", "location", "expected"),
    [
        (Filter(), "query", EXCLUDE),
        (Filter(), "headers", EXCLUDE),
        (Filter(), "body", RAISE),
        (Filter(), "form", RAISE),
        (StrictFilter(), "query", RAISE),
        (Filter(unknown=EXCLUDE), "body", EXCLUDE),
    ],
)
def test_effective_unknown_is_lenient_only_where_requests_carry_other_keys(
    schema: Schema, location: str, expected: str
) -> None:
    assert effective_unknown(schema, location) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("realm", ["Tâches", "two\nlines", "", 7])
def test_authenticator_realm_outside_printable_ascii_raises_declaration_error(
    realm: object,
) -> None:
    with pytest.raises(DeclarationError, match="printable ASCII"):
        HttpBearer(tokens={KEY: Identity(id="app", user=None)}, realm=realm)  # type: ignore[arg-type]


def make_app(auth: HttpBearer | HttpBasic, title: str = "Tasks") -> Flask:
    blueprint = Blueprint("me")

    @blueprint.route("/me")
    class Me(Resource):
        @operation(response={"id": fields.String(), "scheme": fields.String()})
        def get(self, identity: Identity[None]) -> dict[str, str | None]:
            return {"id": identity.id, "scheme": identity.scheme}

    app = Flask(__name__)
    Api(app, auth=auth, title=title).register_blueprint(blueprint)
    return app


@pytest.mark.parametrize("title", ["任务 API", "Line one\nline two"])
def test_api_title_unfit_for_a_header_gives_way_to_the_api_name_as_realm(title: str) -> None:
    client = make_app(HttpBearer(tokens={KEY: Identity(id="a", user=None)}), title).test_client()

    response = client.get("/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", [f"Bearer\t{KEY}", f"  Bearer   {KEY}  ", f"bearer\t {KEY}"])
def test_bearer_scheme_and_token_may_be_separated_by_any_whitespace(header: str) -> None:
    client = make_app(HttpBearer(tokens={KEY: Identity(id="a", user=None)})).test_client()

    response = client.get("/me", headers={"Authorization": header})

    assert response.status_code == 200
    assert response.get_json() == {"id": "a", "scheme": "bearerAuth"}


def test_identity_scheme_is_always_the_authenticators_scheme_name() -> None:
    claimed = Identity(id="a", user=None, scheme="somethingElse")
    client = make_app(HttpBasic(lambda user, password: claimed)).test_client()

    response = client.get("/me", headers={"Authorization": "Basic dTpw"})  # u:p

    assert response.status_code == 200
    assert response.get_json() == {"id": "a", "scheme": "basicAuth"}


@pytest.mark.parametrize("header", ["   ", "Bearer x"])
def test_basic_treats_a_blank_or_other_scheme_header_as_no_credentials(header: str) -> None:
    client = make_app(HttpBasic(lambda user, password: None)).test_client()

    response = client.get("/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Tasks", charset="UTF-8"'
    assert response.get_json()["detail"].startswith("This operation requires authentication.")


def test_identity_already_naming_its_scheme_is_kept_as_it_is() -> None:
    named = Identity(id="a", user=None, scheme="basicAuth")
    client = make_app(HttpBasic(lambda user, password: named)).test_client()

    response = client.get("/me", headers={"Authorization": "Basic dTpw"})

    assert response.status_code == 200
    assert response.get_json() == {"id": "a", "scheme": "basicAuth"}


def test_jwt_key_ids_must_be_strings() -> None:
    with pytest.raises(DeclarationError, match="key ids must be strings, not 1"):
        JwtBearer(key={1: "s" * 32})  # type: ignore[dict-item]
