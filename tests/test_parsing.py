"""Request parsing: every input location reaches the method, and every mistake is a problem."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList
from werkzeug.datastructures import FileStorage

from restkit import Resource, operation

MakeClient = Callable[..., FlaskClient]
Sender = Callable[[FlaskClient, str, bytes, str], Any]

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def unprocessable(*errors: dict[str, str]) -> dict[str, Any]:
    count = len(errors)
    detail = f"The request contains {count} invalid value{'s' if count > 1 else ''}."
    return {**problem(422, "Unprocessable Content", detail), "errors": list(errors)}


def error(location: str, where: str, detail: str) -> dict[str, str]:
    """Return an `errors` entry: `where` is the pointer for the body, the name elsewhere."""
    return {"in": location, "pointer" if location == "body" else "name": where, "detail": detail}


class Echo(Schema):
    value = fields.Raw()


# --- resources, one per way of taking input -----------------------------------------------


def echo(name: str, method: str, **declared: Any) -> type[Resource]:
    """Return a resource named `name` whose `method` answers with the arguments it got."""

    def answer(self: Resource, **arguments: Any) -> Any:
        return {"value": arguments}

    return type(name, (Resource,), {method: operation(response=Echo, **declared)(answer)})


class TaskPath(Schema):
    task_id = fields.Integer(validate=validate.Range(min=1))


class Filter(Schema):
    tag = fields.List(fields.String())
    ids = fields.List(fields.Integer())
    limit = fields.Integer()
    codes = DelimitedList(fields.Integer())
    low = fields.Integer()
    high = fields.Integer()

    @validates_schema
    def check_range(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("low", 0) > data.get("high", 0):
            raise ValidationError("low must not exceed high.")


class StrictFilter(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer()


class EitherFilter(Schema):
    """A schema whose own `load` adds a rule, raising messages that belong to no field."""

    name = fields.String()
    email = fields.String()

    def load(self, data: Any, **kwargs: Any) -> Any:
        loaded = super().load(data, **kwargs)
        if ("name" in loaded) == ("email" in loaded):
            raise ValidationError(["Filter by name or by email."])
        return loaded


class RequestHeaders(Schema):
    x_request_id = fields.String(required=True)
    trace = fields.String(data_key="X-Trace-Token")
    x_tags = fields.List(fields.String())
    x_limit = fields.Integer()


class Session(Schema):
    session_id = fields.String(required=True)
    theme = fields.String(load_default="light")
    seen = fields.List(fields.String())


class Owner(Schema):
    name = fields.String(required=True)
    id = fields.Integer(dump_only=True)


def must_be_lower(value: Any) -> None:
    if value != str(value).lower():
        raise ValidationError({"case": "Use lower case."})


class Article(Schema):
    id = fields.Integer(dump_only=True)
    created = fields.String(dump_only=True, data_key="createdAt")
    title = fields.String(required=True)
    tags = fields.List(fields.String())
    owner = fields.Nested(Owner)
    odd_key = fields.Integer(data_key="a~b/c")
    slug = fields.String(validate=must_be_lower)
    low = fields.Integer()
    high = fields.Integer()

    @validates_schema
    def check_article(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("low", 0) > data.get("high", 0):
            raise ValidationError("low must not exceed high.")
        if data.get("title") == "reserved":
            raise ValidationError({"title": "This title is reserved."})


class LenientArticle(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    title = fields.String(required=True)


class SignUp(Schema):
    name = fields.String(required=True)
    age = fields.Integer(required=True)
    interests = fields.List(fields.String())


class UploadFiles(Schema):
    upload = fields.Raw(required=True)


class Uploads(Resource):
    @operation(form={"meta": fields.String(required=True)}, files=UploadFiles, response=Echo)
    def post(self, form: dict[str, Any], files: dict[str, FileStorage]) -> Any:
        upload = files["upload"]
        content = upload.read().decode()
        return {"value": [form, type(upload).__name__, upload.filename, content]}


NOTE = {"text": fields.String(), "extra": fields.Raw()}

ROUTES: dict[str, type[Resource]] = {
    "/converted/<int:task_id>/<slug>": echo("Converted", "get"),
    "/checked/<task_id>": echo("Checked", "get", path=TaskPath),
    "/checked-int/<int:task_id>": echo("CheckedInt", "get", path=TaskPath),
    "/search": echo("Search", "get", query=Filter),
    "/strict": echo("StrictSearch", "get", query=StrictFilter),
    "/either": echo("EitherSearch", "get", query=EitherFilter),
    "/traced": echo("Traced", "get", headers=RequestHeaders),
    "/preferences": echo("Preferences", "get", cookies=Session),
    "/articles": echo("Articles", "post", body=Article),
    "/batch": echo("Batch", "post", body=Article(many=True)),
    "/lenient": echo("Lenient", "post", body=LenientArticle),
    "/signups": echo("SignUps", "post", form=SignUp),
    "/uploads": Uploads,
    "/files": echo("Files", "post", files=UploadFiles),
    "/everything/<task_id>": echo(
        "Everything",
        "put",
        path=TaskPath,
        query={"limit": fields.Integer()},
        headers={"x_request_id": fields.String(required=True)},
        cookies={"session_id": fields.String(required=True)},
        body={"title": fields.String(required=True)},
    ),
    "/notes": echo("Notes", "post", body=NOTE),
    "/big-notes": echo("BigNotes", "post", body=NOTE, max_body_size=100),
}

# --- values reach the method --------------------------------------------------------------

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
NOT_INT = "Not a valid integer."
ONE_VALUE = "Expected one value, got 2."
MISSING = "Missing data for required field."


@pytest.mark.parametrize(
    ("url", "value"),
    [
        ("/converted/5/hi", {"task_id": 5, "slug": "hi"}),
        ("/checked/7", {"task_id": 7}),
        ("/checked-int/7", {"task_id": 7}),
        ("/search?tag=a&tag=b", {"query": {"tag": ["a", "b"]}}),
        ("/search?tag=a", {"query": {"tag": ["a"]}}),
        ("/search?ids=1&ids=2&limit=3", {"query": {"ids": [1, 2], "limit": 3}}),
        ("/search?codes=1,2,3", {"query": {"codes": [1, 2, 3]}}),
        ("/search?limit=3&page=1&sort=x", {"query": {"limit": 3}}),
        ("/search", {"query": {}}),
    ],
)
def test_path_and_query_reach_method_as_loaded_values(
    make_client: MakeClient, url: str, value: Any
) -> None:
    client = make_client(ROUTES)

    response = client.get(url)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_json() == {"value": value}


@pytest.mark.parametrize(
    ("headers", "value"),
    [
        ([("x-request-id", "r")], {}),
        ([("X-REQUEST-ID", "r"), ("X-Other", "ignored")], {}),
        ([("X-Request-Id", "r"), ("x-trace-token", "t")], {"trace": "t"}),
        ([("X-Request-Id", "r"), ("X-Tags", "a, b")], {"x_tags": ["a", "b"]}),
        ([("X-Request-Id", "r"), ("X-Tags", "a,,b"), ("X-Tags", "c")], {"x_tags": ["a", "b", "c"]}),
    ],
)
def test_headers_reach_method_by_field_name(
    make_client: MakeClient, headers: list[tuple[str, str]], value: dict[str, Any]
) -> None:
    client = make_client(ROUTES)

    response = client.get("/traced", headers=headers)

    assert response.status_code == 200
    assert response.get_json() == {"value": {"headers": {"x_request_id": "r", **value}}}


@pytest.mark.parametrize(
    ("cookies", "value"),
    [
        ([("session_id", "s", "/"), ("tracking", "x", "/")], {"session_id": "s"}),
        # RFC 6265 §5.4: of a repeated name, the cookie with the longest path is sent first.
        ([("session_id", "1", "/preferences"), ("session_id", "2", "/")], {"session_id": "1"}),
        (
            [("session_id", "s", "/"), ("seen", "a,b", "/preferences"), ("seen", "c", "/")],
            {"session_id": "s", "seen": ["a,b", "c"]},
        ),
    ],
)
def test_cookies_reach_method_first_or_all_for_list(
    make_client: MakeClient, cookies: list[tuple[str, str, str]], value: dict[str, Any]
) -> None:
    client = make_client(ROUTES)
    for name, cookie, path in cookies:
        client.set_cookie(name, cookie, path=path)

    response = client.get("/preferences")

    assert response.status_code == 200
    assert response.get_json() == {"value": {"cookies": {"theme": "light", **value}}}


ARTICLE = b'{"title": "Caf\xc3\xa9", "tags": ["a"]}'
LOADED_ARTICLE = {"body": {"title": "Café", "tags": ["a"]}}
SIGN_UP = {"name": "Ada", "age": "36", "interests": ["math", "engines"]}
LOADED_SIGN_UP = {"form": {"name": "Ada", "age": 36, "interests": ["math", "engines"]}}


@pytest.mark.parametrize(
    ("url", "content_type", "data", "value"),
    [
        ("/articles", "application/json", ARTICLE, LOADED_ARTICLE),
        ("/articles", "application/json; charset=latin-1", ARTICLE, LOADED_ARTICLE),
        ("/articles", "application/merge-patch+json", ARTICLE, LOADED_ARTICLE),
        ("/articles", "application/vnd.x+json; charset=utf-8", ARTICLE, LOADED_ARTICLE),
        (
            "/lenient",
            "application/json",
            b'{"title": "t", "id": 9, "extra": 1}',
            {"body": {"title": "t"}},
        ),
        ("/signups", URLENCODED, SIGN_UP, LOADED_SIGN_UP),
        ("/signups", MULTIPART, SIGN_UP, LOADED_SIGN_UP),
    ],
)
def test_body_or_form_reaches_method_as_loaded_value(
    make_client: MakeClient, url: str, content_type: str, data: Any, value: Any
) -> None:
    client = make_client(ROUTES)

    response = client.post(url, data=data, content_type=content_type)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_json() == {"value": value}


def test_form_and_files_in_one_multipart_request_reach_method(make_client: MakeClient) -> None:
    client = make_client(ROUTES)
    data = {"meta": "x", "upload": (io.BytesIO(b"hello"), "a.txt")}

    response = client.post("/uploads", data=data, content_type=MULTIPART)

    assert response.status_code == 200
    assert response.get_json() == {"value": [{"meta": "x"}, "FileStorage", "a.txt", "hello"]}


# --- invalid values: one 422 listing each -------------------------------------------------


@pytest.mark.parametrize(
    ("url", "headers", "errors"),
    [
        ("/checked/0", [], [error("path", "task_id", "Must be greater than or equal to 1.")]),
        ("/checked/x", [], [error("path", "task_id", NOT_INT)]),
        ("/search?limit=1&limit=2", [], [error("query", "limit", ONE_VALUE)]),
        ("/search?codes=1,2&codes=3", [], [error("query", "codes", ONE_VALUE)]),
        ("/search?limit=x", [], [error("query", "limit", NOT_INT)]),
        ("/search?ids=1&ids=x", [], [error("query", "ids", f"Item 1: {NOT_INT}")]),
        ("/search?codes=1,x", [], [error("query", "codes", f"Item 1: {NOT_INT}")]),
        ("/strict?limit=1&page=2", [], [error("query", "page", "Unknown field.")]),
        # "_schema" is marshmallow's key, not a parameter: no name, as for plain messages.
        pytest.param(
            "/search?low=3&high=1",
            [],
            [error("query", "", "low must not exceed high.")],
            id="schema",
        ),
        ("/either", [], [error("query", "", "Filter by name or by email.")]),
        ("/traced", [], [error("headers", "X-Request-Id", MISSING)]),
        (
            "/traced",
            [("X-Request-Id", "r"), ("X-Limit", "2.5")],
            [error("headers", "X-Limit", NOT_INT)],
        ),
        pytest.param(
            "/traced",
            [("X-Request-Id", "r"), ("X-Limit", "1"), ("X-Limit", "2")],
            [error("headers", "X-Limit", NOT_INT)],
            id="repeated-header-joined",
        ),
        ("/preferences", [], [error("cookies", "session_id", MISSING)]),
    ],
)
def test_path_query_headers_or_cookies_invalid_returns_422(
    make_client: MakeClient, url: str, headers: list[tuple[str, str]], errors: list[Any]
) -> None:
    client = make_client(ROUTES)

    response = client.get(url, headers=headers)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(*errors)


@pytest.mark.parametrize(
    ("url", "content_type", "data", "errors"),
    [
        # No body at all: the form's required fields are missing.
        ("/signups", None, None, [error("form", "name", MISSING), error("form", "age", MISSING)]),
        (
            "/signups",
            URLENCODED,
            {"name": "Ada", "age": "2_0", "extra": "x"},
            [error("form", "age", NOT_INT), error("form", "extra", "Unknown field.")],
        ),
        # The client did send `name`, twice: "Missing data" would send them looking elsewhere.
        pytest.param(
            "/signups",
            MULTIPART,
            {"name": ["a", "b"], "age": "1"},
            [error("form", "name", ONE_VALUE)],
            id="repeated-required",
        ),
        ("/uploads", MULTIPART, {"meta": "x"}, [error("files", "upload", MISSING)]),
    ],
)
def test_form_or_files_invalid_returns_422(
    make_client: MakeClient,
    url: str,
    content_type: str | None,
    data: dict[str, Any] | None,
    errors: list[Any],
) -> None:
    client = make_client(ROUTES)

    response = client.post(url, data=data, content_type=content_type)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(*errors)


def test_errors_of_several_locations_come_back_in_one_422(make_client: MakeClient) -> None:
    client = make_client(ROUTES)

    response = client.put("/everything/0?limit=x", json={"title": 5})

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        error("path", "task_id", "Must be greater than or equal to 1."),
        error("query", "limit", NOT_INT),
        error("headers", "X-Request-Id", MISSING),
        error("cookies", "session_id", MISSING),
        error("body", "/title", "Not a valid string."),
    )


READ_ONLY = "This field is read-only."


@pytest.mark.parametrize(
    ("url", "payload", "errors"),
    [
        ("/articles", {}, [("/title", MISSING)]),
        ("/articles", {"title": "t", "tags": ["a", 7]}, [("/tags/1", "Not a valid string.")]),
        ("/articles", {"title": "t", "owner": {}}, [("/owner/name", MISSING)]),
        ("/articles", {"title": "t", "owner": "x"}, [("/owner", "Invalid input type.")]),
        ("/articles", {"title": "t", "a~b/c": "x"}, [("/a~0b~1c", NOT_INT)]),
        ("/articles", {"title": "t", "x/y~z": 1}, [("/x~1y~0z", "Unknown field.")]),
        ("/articles", {"title": "t", "low": 2, "high": 1}, [("", "low must not exceed high.")]),
        ("/articles", {"title": "reserved"}, [("/title", "This title is reserved.")]),
        ("/articles", {"title": "t", "slug": "Abc"}, [("/slug/case", "Use lower case.")]),
        ("/articles", {"title": "t", "id": 1}, [("/id", READ_ONLY)]),
        ("/articles", {"title": "t", "createdAt": "now"}, [("/createdAt", READ_ONLY)]),
        pytest.param(
            "/articles",
            {"title": "t", "owner": {"name": "n", "id": 1}},
            [("/owner/id", READ_ONLY)],
            id="nested-read-only",
        ),
        ("/articles", [], [("", "Invalid input type.")]),
        (
            "/articles",
            {"tags": "a", "extra": True},
            [("/title", MISSING), ("/tags", "Not a valid list."), ("/extra", "Unknown field.")],
        ),
        ("/batch", [{"title": "a"}, {}], [("/1/title", MISSING)]),
        (
            "/batch",
            [{"title": "a"}, {"title": "b", "low": 1}],
            [("/1", "low must not exceed high.")],
        ),
        ("/batch", [{"title": "a", "tags": [1]}], [("/0/tags/0", "Not a valid string.")]),
        pytest.param(
            "/batch", [{"title": "b", "id": 2}], [("/0/id", READ_ONLY)], id="many-read-only"
        ),
        ("/batch", {"title": "a"}, [("", "Invalid input type.")]),
    ],
)
def test_body_invalid_values_are_reported_at_json_pointers(
    make_client: MakeClient, url: str, payload: Any, errors: list[tuple[str, str]]
) -> None:
    client = make_client(ROUTES)

    response = client.post(url, json=payload)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(*(error("body", p, d) for p, d in errors))


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_body_empty_returns_422_body_required(
    make_client: MakeClient, content_type: str | None
) -> None:
    client = make_client(ROUTES)

    response = client.post("/articles", data=b"", content_type=content_type)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        error("body", "", "A JSON request body is required.")
    )


def test_headers_repeated_single_valued_header_reaches_schema_joined(
    make_client: MakeClient,
) -> None:
    # Under WSGI, repeated header lines arrive as one, joined by ", " (RFC 9110 §5.3).
    client = make_client(ROUTES)

    response = client.get("/traced", headers=[("X-Request-Id", "a"), ("X-Request-Id", "b")])

    assert response.status_code == 200
    assert response.get_json() == {"value": {"headers": {"x_request_id": "a, b"}}}


# --- bodies of the wrong media type -------------------------------------------------------

IS = "The request body is"
NO_TYPE = "The request body has no Content-Type;"
TO_JSON = "send it as application/json."
TO_FORM = f"send it as {URLENCODED} or {MULTIPART}."
TO_MULTIPART = f"send it as {MULTIPART}."
ACCEPT = {
    "/articles": "application/json",
    "/signups": f"{URLENCODED}, {MULTIPART}",
    "/uploads": MULTIPART,
    "/files": MULTIPART,
}


@pytest.mark.parametrize(
    ("url", "send", "detail"),
    [
        ("/articles", {"data": b"{}"}, f"{NO_TYPE} {TO_JSON}"),
        ("/articles", {"data": b"{}", "content_type": "text/plain"}, f"{IS} text/plain; {TO_JSON}"),
        ("/articles", {"data": {"title": "t"}}, f"{IS} {URLENCODED}; {TO_JSON}"),
        ("/signups", {"json": {"name": "Ada"}}, f"{IS} application/json; {TO_FORM}"),
        ("/signups", {"data": b"name=Ada"}, f"{NO_TYPE} {TO_FORM}"),
        ("/uploads", {"data": {"meta": "x"}}, f"{IS} {URLENCODED}; {TO_MULTIPART}"),
        ("/files", {"data": {"upload": "x"}}, f"{IS} {URLENCODED}; {TO_MULTIPART}"),
    ],
)
def test_body_of_wrong_media_type_returns_415_with_accept(
    make_client: MakeClient, url: str, send: dict[str, Any], detail: str
) -> None:
    client = make_client(ROUTES)

    response = client.post(url, **send)

    assert response.status_code == 415
    assert response.content_type == PROBLEM_JSON
    assert response.headers["Accept"] == ACCEPT[url]
    assert response.get_json() == problem(415, "Unsupported Media Type", detail)


# --- limits -------------------------------------------------------------------------------


def note(size: int) -> bytes:
    """Return a JSON body for `/notes` of exactly `size` bytes."""
    return b'{"text":"' + b"x" * (size - 11) + b'"}'


def with_length(client: FlaskClient, url: str, body: bytes, content_type: str) -> Any:
    return client.post(url, data=body, content_type=content_type)


def chunked(client: FlaskClient, url: str, body: bytes, content_type: str) -> Any:
    """Send `body` without Content-Length, as a server that decodes chunked bodies does."""
    return client.post(
        url,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize(
    ("settings", "url", "size", "limit"),
    [
        ({"max_body_size": 50}, "/notes", 51, 50),
        ({"config": {"RESTKIT_MAX_BODY_SIZE": 50}}, "/notes", 51, 50),
        ({"max_body_size": 50}, "/big-notes", 101, 100),
        ({"max_body_size": 500}, "/big-notes", 101, 100),
        ({}, "/notes", 1024 * 1024 + 1, 1024 * 1024),
    ],
)
def test_body_larger_than_limit_by_content_length_returns_413(
    make_client: MakeClient, settings: dict[str, Any], url: str, size: int, limit: int
) -> None:
    client = make_client(ROUTES, **settings)

    response = with_length(client, url, note(size), "application/json")

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == problem(
        413, "Content Too Large", f"The request body is larger than {limit} bytes."
    )


@pytest.mark.parametrize("send", [with_length, chunked])
@pytest.mark.parametrize(
    ("settings", "url", "size"),
    [
        ({"max_body_size": 50}, "/notes", 50),
        ({"config": {"RESTKIT_MAX_BODY_SIZE": 50}}, "/notes", 50),
        ({"max_body_size": 100, "config": {"RESTKIT_MAX_BODY_SIZE": 50}}, "/notes", 100),
        ({"max_body_size": 50}, "/big-notes", 100),
    ],
)
def test_body_within_limit_is_accepted(
    make_client: MakeClient, send: Sender, settings: dict[str, Any], url: str, size: int
) -> None:
    client = make_client(ROUTES, **settings)

    response = send(client, url, note(size), "application/json")

    assert response.status_code == 200
    assert response.get_json() == {"value": {"body": {"text": "x" * (size - 11)}}}


@pytest.mark.parametrize(
    ("url", "body", "content_type"),
    [
        pytest.param("/notes", note(51), "application/json", id="json-51"),
        pytest.param("/notes", note(500), "application/json", id="json-500"),
        # Cut at the limit, this body is still valid JSON: it must not be silently accepted.
        pytest.param("/notes", b'{"text":"x"}' + b" " * 60, "application/json", id="json-padded"),
        pytest.param(
            "/files",
            b'--B\r\nContent-Disposition: form-data; name="upload"; filename="a.txt"\r\n\r\n'
            + b"y" * 200
            + b"\r\n--B--\r\n",
            f"{MULTIPART}; boundary=B",
            id="multipart",
        ),
    ],
)
def test_body_without_content_length_over_limit_returns_413(
    make_client: MakeClient, url: str, body: bytes, content_type: str
) -> None:
    client = make_client(ROUTES, max_body_size=50)

    response = chunked(client, url, body, content_type)

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON
    assert response.get_json() == problem(
        413, "Content Too Large", "The request body is larger than 50 bytes."
    )


# --- one schema, declared by several operations ------------------------------------------


def test_operations_declaring_one_schema_class_share_its_instance_and_plan(
    make_client: MakeClient,
) -> None:
    from restkit.parsing import RequestPlan
    from restkit.settings import Settings

    class Named(Schema):
        name = fields.String(required=True)

    class Things(Resource):
        @operation(body=Named, response=Named)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return body

        @operation(body=Named, response=Named)
        def put(self, body: dict[str, Any]) -> dict[str, Any]:
            return body

    post, put = Things.operations["POST"], Things.operations["PUT"]
    assert post.inputs["body"].schema is put.inputs["body"].schema
    settings = Settings.from_config({}, {})
    assert RequestPlan(post, settings).plans["body"] is RequestPlan(put, settings).plans["body"]

    client = make_client({"/things": Things})
    for method in ("post", "put"):
        assert client.open("/things", method=method, json={"name": "a"}).get_json() == {"name": "a"}
        refused = client.open("/things", method=method, json={"name": 1})
        assert refused.status_code == 422
        assert refused.get_json()["errors"] == [error("body", "/name", "Not a valid string.")]
