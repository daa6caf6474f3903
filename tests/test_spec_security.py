"""The OpenAPI side of authentication: security schemes, requirements, 401 and 403.

Every document is read from a real `Api` (`api.spec(app)` for OpenAPI 3.1,
`api.make_spec(app, openapi_version="3.0")` for 3.0.3) and passes openapi-spec-validator.
How `restkit.spec.diff` reads these documents is in test_spec_security_diff.py.
"""

from __future__ import annotations

import pytest
from flask import Flask

from restkit import (
    Api,
    ApiKey,
    Blueprint,
    Check,
    DeclarationError,
    HttpBasic,
    HttpBearer,
    Resource,
    Roles,
    Scopes,
    operation,
)
from tests.spec_helpers import mount, operation_of, problem_response, validated
from tests.spec_security_helpers import (
    API_KEY,
    BASIC,
    BEARER,
    CALLER,
    JWT,
    KEY,
    OK,
    TOKEN,
    guarded,
    hidden,
    spec_of,
)

CHALLENGE = {"$ref": "#/components/headers/WWW-Authenticate"}
BEARER_TEXT = "A bearer token in the Authorization header: `Authorization: Bearer <token>`."


# components.securitySchemes


@pytest.mark.parametrize(
    ("authenticator", "name", "scheme"),
    [
        (BEARER, "bearerAuth", {"type": "http", "scheme": "bearer", "description": BEARER_TEXT}),
        (
            HttpBearer(
                tokens={TOKEN: CALLER},
                bearer_format="opaque",
                scheme_name="sessionToken",
                description="A token from POST /sessions.",
            ),
            "sessionToken",
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "opaque",
                "description": "A token from POST /sessions.",
            },
        ),
        (
            JWT,
            "bearerAuth",
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A JSON Web Token in the Authorization header: "
                "`Authorization: Bearer <token>`.",
            },
        ),
        (
            API_KEY,
            "apiKeyAuth",
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "An API key in the `X-API-Key` header.",
            },
        ),
        (
            ApiKey(keys={KEY: CALLER}, name="api_key", location="query"),
            "apiKeyAuth",
            {
                "type": "apiKey",
                "in": "query",
                "name": "api_key",
                "description": "An API key in the `api_key` query parameter.",
            },
        ),
        (
            ApiKey(
                keys={KEY: CALLER},
                name="session",
                location="cookie",
                scheme_name="cookieAuth",
                description="The session cookie.",
            ),
            "cookieAuth",
            {
                "type": "apiKey",
                "in": "cookie",
                "name": "session",
                "description": "The session cookie.",
            },
        ),
        (
            BASIC,
            "basicAuth",
            {
                "type": "http",
                "scheme": "basic",
                "description": "A user name and password in the Authorization header (RFC 7617).",
            },
        ),
    ],
    ids=["bearer", "bearer-custom", "jwt", "key-header", "key-query", "key-cookie", "basic"],
)
@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_authenticator_is_written_as_its_security_scheme(authenticator, name, scheme, version):
    document = spec_of({"/r": guarded()}, version=version, auth=authenticator)

    assert document["components"]["securitySchemes"] == {name: scheme}
    assert operation_of(document)["security"] == [{name: []}]


def test_spec_security_schemes_list_only_those_some_operation_uses():
    class R(Resource):
        auth = (API_KEY, BASIC)

        @operation(response=OK, auth=API_KEY)
        def get(self): ...

        @operation(response=OK, auth=False)
        def post(self): ...

    # The API's bearer is overridden everywhere; the resource's basic by each operation.
    document = spec_of({"/r": R}, auth=BEARER)

    assert list(document["components"]["securitySchemes"]) == ["apiKeyAuth"]


def test_spec_security_schemes_are_sorted_by_name():
    zeta = HttpBearer(tokens={TOKEN: CALLER}, scheme_name="zeta")
    alpha = ApiKey(keys={KEY: CALLER}, scheme_name="alpha")
    middle = HttpBasic(lambda name, password: None, scheme_name="middle")

    document = spec_of({"/r": guarded()}, auth=[zeta, middle, alpha])

    assert list(document["components"]["securitySchemes"]) == ["alpha", "middle", "zeta"]
    assert operation_of(document)["security"] == [{"zeta": []}, {"middle": []}, {"alpha": []}]


# Per-operation security


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_operation_lists_one_requirement_per_authenticator_in_declaration_order(version):
    document = spec_of({"/r": guarded(auth=[API_KEY, BASIC, BEARER])}, version=version)

    assert operation_of(document)["security"] == [
        {"apiKeyAuth": []},
        {"basicAuth": []},
        {"bearerAuth": []},
    ]


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_public_operations_of_a_secured_api_say_security_empty(version):
    class Mixed(Resource):
        auth = BEARER

        @operation(response=OK)
        def get(self): ...

        @operation(response=OK, auth=False)
        def post(self): ...

    # /open says nothing at any level; the API is secured because /mixed is.
    document = spec_of({"/mixed": Mixed, "/open": guarded(name="Open")}, version=version)

    assert operation_of(document, "/mixed", "get")["security"] == [{"bearerAuth": []}]
    assert operation_of(document, "/mixed", "post")["security"] == []
    assert operation_of(document, "/open", "get")["security"] == []


def test_spec_public_blueprint_of_a_secured_api_says_security_empty():
    public = Blueprint("public", auth=False)
    public.add_resource(guarded(), "/health")
    public.add_resource(guarded(auth=True, name="Me"), "/me")
    private = Blueprint("private")
    private.add_resource(guarded(name="Tasks"), "/tasks")
    app = Flask(__name__)
    api = Api(auth=[BEARER, API_KEY])
    api.register_blueprint(public)
    api.register_blueprint(private)
    api.init_app(app)

    document = validated(api.spec(app))

    assert operation_of(document, "/health")["security"] == []
    both = [{"bearerAuth": []}, {"apiKeyAuth": []}]
    assert operation_of(document, "/me")["security"] == both  # auth=True: the API's
    assert operation_of(document, "/tasks")["security"] == both


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_api_without_auth_has_no_security_anywhere(version):
    document = spec_of({"/r": guarded(), "/me": hidden()}, version=version)

    assert "security" not in operation_of(document)
    assert all("security" not in op for op in document["paths"]["/me"].values())
    assert "securitySchemes" not in document["components"]
    assert "security" not in document


def test_spec_blueprint_added_after_init_app_secures_the_document():
    app, api = mount({"/open": guarded()})
    assert "security" not in operation_of(validated(api.spec(app)), "/open")
    private = Blueprint("private", auth=BEARER)
    private.add_resource(guarded(name="Tasks"), "/tasks")

    api.register_blueprint(private)

    document = validated(api.spec(app))
    assert operation_of(document, "/open")["security"] == []
    assert operation_of(document, "/tasks")["security"] == [{"bearerAuth": []}]
    assert list(document["components"]["securitySchemes"]) == ["bearerAuth"]


# Scope and role names


NAMES = [
    (Scopes("a"), ["a"]),
    (Scopes("b", "a"), ["a", "b"]),
    (Roles("admin"), ["admin"]),
    (Scopes("a") & Roles("admin"), ["a", "admin"]),
    (Scopes("a") | Scopes("b"), []),
    (Scopes("a", "b") | Scopes("a", "c"), ["a"]),
    ((Scopes("a") | Roles("admin")) & Scopes("b"), ["b"]),
    (Check(lambda identity: True, "a verified email address"), []),
    (Check(lambda identity: True, "a verified email address") & Scopes("a"), ["a"]),
    ([Roles("r"), Scopes("a")], ["a", "r"]),
]


@pytest.mark.parametrize(("requires", "names"), NAMES)
def test_spec_31_requirement_lists_names_every_allowed_caller_holds(requires, names):
    document = spec_of({"/r": guarded(auth=[BEARER, API_KEY], requires=requires)})

    assert operation_of(document)["security"] == [{"bearerAuth": names}, {"apiKeyAuth": names}]


@pytest.mark.parametrize(("requires", "names"), NAMES)
def test_spec_30_requirement_lists_stay_empty(requires, names):
    document = spec_of({"/r": guarded(auth=[BEARER, API_KEY], requires=requires)}, version="3.0")

    assert document["openapi"] == "3.0.3"
    assert operation_of(document)["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]


def test_spec_requirements_of_every_level_stack_in_names_and_403():
    class R(Resource):
        requires = Roles("staff")

        @operation(response=OK, requires=Scopes("tasks:write"))
        def get(self): ...

        @operation(response=OK, requires=False)
        def post(self): ...

    app = Flask(__name__)
    blueprint = Blueprint("test", requires=Scopes("tasks:read"))
    blueprint.add_resource(R, "/r")
    api = Api(auth=BEARER)
    api.register_blueprint(blueprint)
    api.init_app(app)

    document = validated(api.spec(app))

    get = operation_of(document)
    assert get["security"] == [{"bearerAuth": ["staff", "tasks:read", "tasks:write"]}]
    assert get["responses"]["403"]["description"] == (
        "Forbidden: the caller needs scope 'tasks:read' and role 'staff' and scope 'tasks:write'."
    )
    post = operation_of(document, method="post")
    assert post["security"] == [{"bearerAuth": []}]
    assert "403" not in post["responses"]


# 401 and 403 responses


def test_spec_authenticated_operation_documents_401_naming_the_schemes():
    document = spec_of({"/r": guarded(auth=[BEARER, API_KEY, BASIC])})

    assert operation_of(document)["responses"]["401"] == {
        **problem_response(
            "Unauthorized: credentials are missing or not valid. "
            "Accepted: `bearerAuth` or `apiKeyAuth` or `basicAuth`."
        ),
        "headers": {"WWW-Authenticate": CHALLENGE},
    }
    assert document["components"]["headers"]["WWW-Authenticate"] == {
        "description": "One challenge per accepted scheme (RFC 9110 §11.6.1), such as "
        '`Bearer realm="api", error="invalid_token"`.',
        "schema": {"type": "string"},
    }


@pytest.mark.parametrize(
    ("requires", "description"),
    [
        (Scopes("x"), "Forbidden: the caller needs scope 'x'."),
        (Scopes("x", "y"), "Forbidden: the caller needs scopes 'x' and 'y'."),
        (Roles("admin"), "Forbidden: the caller needs role 'admin'."),
        (Scopes("a") | Roles("admin"), "Forbidden: the caller needs scope 'a' or role 'admin'."),
        (
            (Scopes("a") | Scopes("b")) & Roles("r"),
            "Forbidden: the caller needs (scope 'a' or scope 'b') and role 'r'.",
        ),
        (
            Check(lambda identity: True, "a verified email address"),
            "Forbidden: the caller needs a verified email address.",
        ),
    ],
)
def test_spec_operation_with_requirements_documents_403_saying_what_is_needed(
    requires, description
):
    document = spec_of({"/r": guarded(auth=API_KEY, requires=requires)})

    # ApiKey answers 403 without a challenge.
    assert operation_of(document)["responses"]["403"] == problem_response(description)


@pytest.mark.parametrize("auth", [BEARER, JWT, [API_KEY, BEARER]], ids=["bearer", "jwt", "any"])
def test_spec_403_for_scopes_has_a_challenge_when_a_bearer_is_accepted(auth):
    document = spec_of({"/r": guarded(auth=auth, requires=Scopes("x"))})

    forbidden = operation_of(document)["responses"]["403"]
    assert forbidden["headers"] == {"WWW-Authenticate": CHALLENGE}


@pytest.mark.parametrize("auth", [API_KEY, BASIC, [API_KEY, BASIC]], ids=["key", "basic", "both"])
def test_spec_403_has_no_challenge_without_a_bearer(auth):
    document = spec_of({"/r": guarded(auth=auth, requires=Scopes("x"))})

    assert "headers" not in operation_of(document)["responses"]["403"]


def test_spec_403_challenge_matches_the_view_for_missing_scopes():
    app, api = mount({"/r": guarded(auth=BEARER, requires=Scopes("x"))})

    response = app.test_client().get("/r", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 403
    assert response.headers.getlist("WWW-Authenticate") == [
        'Bearer realm="api", error="insufficient_scope", scope="x"'
    ]
    forbidden = operation_of(validated(api.spec(app)))["responses"]["403"]
    assert forbidden["headers"] == {"WWW-Authenticate": CHALLENGE}


@pytest.mark.parametrize(
    "requires",
    [Roles("admin"), Scopes("x") | Scopes("y"), Check(lambda identity: False, "luck")],
    ids=["roles", "any-scope", "check"],
)
def test_spec_403_without_needed_scopes_documents_no_challenge(requires):
    app, api = mount({"/r": guarded(auth=BEARER, requires=requires)})

    response = app.test_client().get("/r", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
    forbidden = operation_of(validated(api.spec(app)))["responses"]["403"]
    assert "headers" not in forbidden


@pytest.mark.parametrize(
    ("auth", "has_401"), [(BEARER, True), (False, False)], ids=["authenticated", "public"]
)
def test_spec_authorize_object_documents_403_and_404_on_every_operation(auth, has_401):
    document = spec_of({"/me": hidden(auth=auth)}, auth=BEARER)

    for method in ("get", "put", "delete"):
        responses = operation_of(document, "/me", method)["responses"]
        assert responses["403"] == problem_response(
            "Forbidden: the caller may not do this to this object."
        )
        assert responses["404"] == problem_response("Not Found")
        assert ("401" in responses) is has_401


def test_spec_public_operations_document_no_401_or_403():
    class R(Resource):
        @operation(response=OK, auth=False)
        def get(self): ...

    # The API's requirement applies only where the operation is authenticated.
    document = spec_of({"/r": R}, auth=BEARER, requires=Scopes("x"))

    responses = operation_of(document)["responses"]
    assert list(responses) == ["200", "default"]


@pytest.mark.parametrize(
    ("routes", "api_kwargs", "has_header"),
    [
        ({"/me": hidden()}, {}, False),
        ({"/r": guarded(auth=False)}, {"auth": BEARER}, False),
        ({"/r": guarded()}, {"auth": API_KEY}, True),
        ({"/r": guarded()}, {"auth": BASIC}, True),
    ],
    ids=["object-hook-only", "public-only", "api-key", "basic"],
)
def test_spec_www_authenticate_component_exists_only_when_used(routes, api_kwargs, has_header):
    document = spec_of(routes, **api_kwargs)

    headers = document["components"].get("headers", {})
    assert ("WWW-Authenticate" in headers) is has_header


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_spec_auth_responses_stay_in_status_order_with_default_last(version):
    class Me(Resource):
        def get_object(self):
            return {"ok": True}

        def authorize_object(self, obj, identity, method):
            return None

        @operation(body=OK, response=OK, status=201, requires=Scopes("x"), rate_limit="5/minute")
        def post(self, body): ...

    document = spec_of({"/me": Me}, version=version, auth=[BEARER, API_KEY])

    *statuses, last = operation_of(document, "/me", "post")["responses"]
    assert statuses == ["201", "400", "401", "403", "404", "413", "415", "422", "429", "503"]
    assert last == "default"


# Scheme names


@pytest.mark.parametrize(
    ("first", "second", "name"),
    [
        (BEARER, ApiKey(keys={KEY: CALLER}, scheme_name="bearerAuth"), "bearerAuth"),
        (BEARER, JWT, "bearerAuth"),
        (API_KEY, ApiKey(keys={KEY: CALLER}, name="X-Other-Key"), "apiKeyAuth"),
    ],
    ids=["bearer-and-key", "bearer-and-jwt", "two-key-headers"],
)
def test_spec_two_authenticators_with_one_scheme_name_fail_init_app(first, second, name):
    routes = {"/a": guarded(auth=first, name="A"), "/b": guarded(auth=second, name="B")}

    with pytest.raises(DeclarationError, match=rf"the scheme name '{name}'.*scheme_name="):
        mount(routes)


def test_spec_two_alike_authenticators_with_one_scheme_name_fail_init_app():
    other = HttpBearer(tokens={"other-token-0123456789": CALLER})

    with pytest.raises(DeclarationError, match=r"the scheme name 'bearerAuth'.*scheme_name="):
        mount({"/r": guarded(auth=[BEARER, other])})


def test_spec_one_authenticator_on_several_levels_is_one_scheme():
    class R(Resource):
        auth = (BEARER, API_KEY)

        @operation(response=OK, auth=BEARER)
        def get(self): ...

        @operation(response=OK)
        def post(self): ...

    app = Flask(__name__)
    blueprint = Blueprint("test", auth=BEARER)
    blueprint.add_resource(R, "/r")
    blueprint.add_resource(guarded(name="S"), "/s")
    api = Api(auth=[BEARER, BEARER])
    api.register_blueprint(blueprint)
    api.init_app(app)

    document = validated(api.spec(app))

    assert list(document["components"]["securitySchemes"]) == ["apiKeyAuth", "bearerAuth"]
    assert operation_of(document, "/r", "get")["security"] == [{"bearerAuth": []}]
    assert operation_of(document, "/r", "post")["security"] == [
        {"bearerAuth": []},
        {"apiKeyAuth": []},
    ]
    assert operation_of(document, "/s")["security"] == [{"bearerAuth": []}]
