from __future__ import annotations

from functools import wraps

import pytest
import yaml
from flask import Flask, abort, request

from restkit import Api, Blueprint, DeclarationError
from restkit.spec.document import SpecDocument, spec_to_json
from tests.spec_helpers import (
    Ping,
    TaskItem,
    mount,
    validated,
)

# serving


def test_served_json_and_yaml_documents_carry_etag_and_answer_304():
    app, api = mount({"/ping": Ping})
    client = app.test_client()
    document = validated(api.spec(app))

    as_json, as_yaml = client.get("/openapi.json"), client.get("/openapi.yaml")
    unchanged = client.get("/openapi.yaml", headers={"If-None-Match": as_yaml.headers["ETag"]})
    other = client.get("/openapi.yaml", headers={"If-None-Match": as_json.headers["ETag"]})

    assert (as_json.status_code, as_yaml.status_code, unchanged.status_code) == (200, 200, 304)
    assert (as_json.content_type, as_yaml.content_type) == ("application/json", "application/yaml")
    # RFC 9110 §8.8.3: each representation has a strong tag of its own.
    assert as_json.headers["ETag"] == f'"{SpecDocument(document).etag}"'
    assert as_yaml.headers["ETag"] == f'"{SpecDocument(document).etag}-yaml"'
    assert other.status_code == 200
    assert as_json.headers["Cache-Control"] == "no-cache"
    assert as_json.data == spec_to_json(document)
    assert yaml.safe_load(as_yaml.text) == document
    assert unchanged.data == b""


@pytest.mark.parametrize("path", ["/v1/openapi.json", "/v1/openapi.yaml"])
def test_served_document_under_a_script_root_names_it_in_servers(path):
    app, api = mount({"/ping": Ping}, url_prefix="/v1")
    client = app.test_client()
    built = spec_to_json(api.spec(app))

    under = client.get(path, base_url="http://localhost/tasks api")
    etag = {"If-None-Match": under.headers["ETag"]}
    unchanged = client.get(path, base_url="http://localhost/tasks api", headers=etag)
    at_root = client.get(path)

    assert (under.status_code, unchanged.status_code, at_root.status_code) == (200, 304, 200)
    assert under.headers["ETag"] != at_root.headers["ETag"]
    document = validated(yaml.safe_load(under.text))
    assert list(document)[:3] == ["openapi", "info", "servers"]
    assert document["servers"] == [{"url": "/tasks%20api"}]
    assert {**document, "servers": None} == {**validated(api.spec(app)), "servers": None}
    assert "servers" not in yaml.safe_load(at_root.text)
    assert spec_to_json(api.spec(app)) == built  # the built document is left alone


@pytest.mark.parametrize(
    ("spec", "script_root", "expected"),
    [
        ({"openapi": "3.1.0", "info": {}}, "", {"openapi": "3.1.0", "info": {}}),
        (
            {"openapi": "3.1.0", "info": {}, "paths": {}},
            "/a/ü",
            {"openapi": "3.1.0", "info": {}, "servers": [{"url": "/a/%C3%BC"}], "paths": {}},
        ),
        ({"paths": {}}, "/a", {"paths": {}, "servers": [{"url": "/a"}]}),
        (
            {"info": {}, "servers": [{"url": "https://api.example.com"}]},
            "/a",
            {"info": {}, "servers": [{"url": "https://api.example.com"}]},
        ),
    ],
    ids=["root", "after-info", "no-info", "own-servers"],
)
def test_spec_document_under_a_script_root_adds_servers_unless_it_has_some(
    spec, script_root, expected
):
    document = SpecDocument(spec)

    served = document.under(script_root)

    assert list(served.spec.items()) == list(expected.items())
    assert (served is document) is (spec == expected)


# the docs pages read the JSON document: without it they must be switched off too
NO_DOCS_PAGES = {"swagger_ui_path": None, "redoc_path": None, "scalar_path": None}


@pytest.mark.parametrize(
    ("settings", "statuses"),
    [
        (
            {"openapi_json_path": "/spec.json"},
            {"/spec.json": 200, "/openapi.json": 404, "/openapi.yaml": 200},
        ),
        ({"openapi_yaml_path": None}, {"/openapi.json": 200, "/openapi.yaml": 404}),
        (
            {"openapi_json_path": None, "openapi_yaml_path": None, **NO_DOCS_PAGES},
            {"/openapi.json": 404, "/openapi.yaml": 404},
        ),
    ],
)
def test_served_document_paths_follow_settings(make_client, settings, statuses):
    client = make_client({"/ping": Ping}, **settings)

    assert {path: client.get(path).status_code for path in statuses} == statuses


def _require_token(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if request.headers.get("X-Token") != "secret":
            abort(401)
        return view(*args, **kwargs)

    return guarded


def test_spec_decorators_wrap_both_documents(make_client):
    client = make_client({"/ping": Ping}, spec_decorators=[_require_token])

    refused = client.get("/openapi.json")
    allowed = client.get("/openapi.yaml", headers={"X-Token": "secret"})

    assert (refused.status_code, refused.content_type) == (401, "application/problem+json")
    assert (allowed.status_code, allowed.content_type) == (200, "application/yaml")


def test_spec_decorator_without_wraps_still_serves_both_documents(make_client):
    def passthrough(view):
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        return wrapper

    client = make_client({"/ping": Ping}, spec_decorators=[passthrough])

    assert (client.get("/openapi.json").status_code, client.get("/openapi.yaml").status_code) == (
        200,
        200,
    )


def test_api_under_url_prefix_serves_full_paths(make_client):
    client = make_client({"/tasks/<int:task_id>": TaskItem}, url_prefix="/v1")

    response = client.get("/v1/openapi.json")

    assert response.status_code == 200
    assert list(validated(response.json)["paths"]) == ["/v1/tasks/{task_id}"]
    assert client.get("/openapi.json").status_code == 404


def test_make_spec_builds_another_openapi_version():
    app, api = mount({"/ping": Ping}, info={"description": "Pings."})

    document = validated(api.make_spec(app, openapi_version="3.0"))

    assert document["openapi"] == "3.0.3"
    assert document["info"] == {"title": "api", "version": "1.0.0", "description": "Pings."}
    assert validated(api.make_spec(app)) == validated(api.spec(app))


@pytest.mark.parametrize("other_api", [False, True])
def test_make_spec_and_spec_on_an_app_without_the_api_raise_declaration_error(other_api):
    api, app = Api(), Flask(__name__)
    if other_api:
        Api(app, name="other")

    message = r"Api 'api' is not mounted on <Flask .*>; call init_app\."
    with pytest.raises(DeclarationError, match=message):
        api.make_spec(app)
    with pytest.raises(DeclarationError, match=message):
        api.spec(app)


def test_blueprint_registered_after_init_app_is_in_the_served_document():
    app, api = mount({"/ping": Ping})
    before = SpecDocument(api.spec(app)).etag  # Flask takes no blueprint after a first request
    late = Blueprint("late", description="Added later.")
    late.add_resource(TaskItem, "/tasks/<int:task_id>")

    api.register_blueprint(late)
    response = app.test_client().get("/openapi.json", headers={"If-None-Match": f'"{before}"'})

    assert response.status_code == 200
    document = validated(response.json)
    assert list(document["paths"]) == ["/ping", "/tasks/{task_id}"]
    assert document["tags"] == [{"name": "test"}, {"name": "late", "description": "Added later."}]


def test_two_apis_on_one_app_serve_separate_documents():
    app = Flask(__name__)
    for name, rule, resource in (("v1", "/ping", Ping), ("v2", "/tasks/<int:task_id>", TaskItem)):
        blueprint = Blueprint(f"{name}-things")
        blueprint.add_resource(resource, rule)
        api = Api(name=name, url_prefix=f"/{name}", title=f"Things {name}")
        api.register_blueprint(blueprint)
        api.init_app(app)
    client = app.test_client()

    first, second = (validated(client.get(f"/{name}/openapi.json").json) for name in ("v1", "v2"))

    assert (first["info"]["title"], list(first["paths"])) == ("Things v1", ["/v1/ping"])
    assert (second["info"]["title"], list(second["paths"])) == (
        "Things v2",
        ["/v2/tasks/{task_id}"],
    )


@pytest.mark.parametrize(
    ("header", "status"),
    [("{etag}", 304), ("W/{etag}", 304), ('"other", {etag}', 304), ("*", 304), ('"other"', 200)],
)
def test_served_document_if_none_match_uses_weak_comparison(make_client, header, status):
    client = make_client({"/ping": Ping})
    etag = client.get("/openapi.json").headers["ETag"]

    response = client.get("/openapi.json", headers={"If-None-Match": header.format(etag=etag)})

    assert response.status_code == status
    assert response.headers["ETag"] == etag
    assert response.headers.getlist("Date") == []
    assert (response.data == b"") is (status == 304)
