"""The example of docs/docs-ui.md (docs/examples/docs_ui.py) and the page's other claims.

The pages each API serves, moving and switching them off through the config, the staff
password the example's guard asks for, the pages of the legacy document, and the headers and
settings of what a page loads, each as the page shows them.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from importlib.metadata import version
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.middleware.proxy_fix import ProxyFix

from restkit import Api
from restkit import docs_ui as docs_ui_module
from restkit.docs_ui import InstalledAssets, get_installed_assets
from restkit.errors import DeclarationError
from tests.test_docs_examples import load_example

PROBLEM_JSON = "application/problem+json"
PAGES = {"/v1/docs": "swagger_ui", "/v1/redoc": "redoc", "/v1/scalar": "scalar"}
STAFF = {"Authorization": "Basic " + base64.b64encode(b"staff:correct horse").decode()}


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_example("docs_ui", monkeypatch)


def client_of(example: ModuleType, **config: Any) -> FlaskClient:
    app: Flask = example.create_app(config)
    return app.test_client()


def page_config(html: str) -> dict[str, Any]:
    """The settings a page hands its script: the JSON after `const config =`."""
    found = re.search(r"const config = (.*);\n", html)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def page_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def missing(package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `package` look uninstalled to restkit's docs pages."""
    real_find_spec = docs_ui_module.find_spec
    monkeypatch.setattr(
        docs_ui_module,
        "find_spec",
        lambda name: None if name == package else real_find_spec(name),
    )


# What you get


@pytest.mark.parametrize(("path", "page"), PAGES.items())
def test_docs_ui_example_page_returns_html_titled_after_the_api(
    example: ModuleType, path: str, page: str
) -> None:
    response = client_of(example).get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    assert "<title>Tasks API</title>" in html
    assert page_config(html)["url"] == "/v1/openapi.json"
    installed = get_installed_assets(page)
    assert page_urls(html)
    for url in page_urls(html):
        assert url.startswith(f"{path}/assets/")
        assert url.endswith(f"?v={installed.version}")


def test_docs_ui_example_swagger_ui_page_matches_the_transcript(example: ModuleType) -> None:
    response = client_of(example).get("/v1/docs")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    v = version("flask-swagger-ui")
    assert html.startswith(
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Tasks API</title>\n"
    )
    assert f'<link rel="stylesheet" href="/v1/docs/assets/swagger-ui.css?v={v}">' in html
    assert f'<script src="/v1/docs/assets/swagger-ui-bundle.js?v={v}"></script>' in html
    assert page_config(html) == {
        "deepLinking": True,
        "oauth2RedirectUrl": "/v1/docs/assets/oauth2-redirect.html",
        "persistAuthorization": True,
        "tryItOutEnabled": True,
        "url": "/v1/openapi.json",
        "validatorUrl": None,
    }


def test_docs_ui_example_scalar_page_turns_off_what_calls_out(example: ModuleType) -> None:
    response = client_of(example).get("/v1/scalar")

    assert response.status_code == 200
    config = page_config(response.get_data(as_text=True))
    assert config["withDefaultFonts"] is False
    assert config["showDeveloperTools"] == "never"
    assert config["agent"] == {"disabled": True}
    assert config["telemetry"] is False
    assert config["hideClientButton"] is True
    assert config["persistAuth"] is True
    assert "proxyUrl" not in config


@pytest.mark.parametrize("path", PAGES)
def test_docs_ui_example_page_sends_the_documented_csp(example: ModuleType, path: str) -> None:
    response = client_of(example).get(path)

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "worker-src 'self' blob:; connect-src * data: blob:; object-src 'none'; base-uri 'self'"
    )


def test_docs_ui_example_asset_is_cached_for_a_year(example: ModuleType) -> None:
    client = client_of(example)
    html = client.get("/v1/redoc").get_data(as_text=True)
    (script,) = page_urls(html)

    response = client.get(script)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert response.mimetype in {"text/javascript", "application/javascript"}
    response.close()


# Moving pages, or switching them off


def test_docs_ui_example_with_paths_in_config_moves_and_switches_off_pages(
    example: ModuleType,
) -> None:
    client = client_of(example, RESTKIT_REDOC_PATH="/reference", RESTKIT_SCALAR_PATH=None)

    moved = client.get("/v1/reference")
    off = client.get("/v1/scalar")
    old = client.get("/v1/redoc")

    assert moved.status_code == 200
    assert "redoc.standalone.js" in moved.get_data(as_text=True)
    assert off.status_code == 404
    assert off.headers["Content-Type"] == PROBLEM_JSON
    assert old.status_code == 404
    assert client.get("/v1/docs").status_code == 200


def test_docs_ui_default_page_without_its_package_is_skipped_with_info_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    missing("flask_openapi_redoc", monkeypatch)
    app = Flask(__name__)
    caplog.set_level(logging.INFO, logger="restkit")

    Api(app, name="v1", url_prefix="/v1")

    client = app.test_client()
    assert client.get("/v1/redoc").status_code == 404
    assert client.get("/v1/docs").status_code == 200
    assert "redoc is not served: its package is not installed." in caplog.messages


def test_docs_ui_set_page_without_its_package_fails_init_app_naming_pip_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing("flask_openapi_redoc", monkeypatch)
    api = Api(name="v1", url_prefix="/v1", redoc_path="/reference")

    with pytest.raises(DeclarationError) as error:
        api.init_app(Flask(__name__))

    assert str(error.value).startswith(
        "ReDoc needs the 'flask-openapi-redoc' package, which is not installed; run "
        "`pip install 'flask-openapi-redoc>=2.5.2,<3'`"
    )


def test_docs_ui_set_page_without_its_package_names_the_setting_to_switch_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing("flask_openapi_redoc", monkeypatch)
    api = Api(name="v1", url_prefix="/v1", redoc_path="/reference")

    with pytest.raises(DeclarationError) as error:
        api.init_app(Flask(__name__))

    assert "redoc_path=None" in str(error.value)


def test_docs_ui_pages_without_json_document_fail_init_app() -> None:
    api = Api(name="v1", url_prefix="/v1", openapi_json_path=None)

    with pytest.raises(DeclarationError) as error:
        api.init_app(Flask(__name__))

    assert str(error.value) == (
        "Api 'v1' serves docs pages but no JSON document, which they read. Set "
        "openapi_json_path, or switch the pages off (swagger_ui_path=None, ...)."
    )


def test_docs_ui_every_page_off_serves_only_the_document() -> None:
    app = Flask(__name__)
    Api(app, name="v1", url_prefix="/v1", swagger_ui_path=None, redoc_path=None, scalar_path=None)

    client = app.test_client()

    assert [client.get(path).status_code for path in PAGES] == [404, 404, 404]
    assert client.get("/v1/openapi.json").status_code == 200


def test_docs_ui_two_pages_at_one_path_fail_init_app() -> None:
    api = Api(name="v1", url_prefix="/v1", redoc_path="/docs")

    with pytest.raises(DeclarationError, match="are both '/docs'; move one of them"):
        api.init_app(Flask(__name__))


def test_docs_ui_page_at_the_prefix_itself_is_refused() -> None:
    with pytest.raises(DeclarationError, match=r"must be a path such as '/docs'"):
        Api(name="v1", url_prefix="/v1", swagger_ui_path="/")


# Keeping the pages private


def test_docs_ui_example_with_password_page_without_it_returns_401_basic_challenge(
    example: ModuleType,
) -> None:
    response = client_of(example, DOCS_PASSWORD="correct horse").get("/v1/docs")

    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["Content-Length"] == "105"
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Tasks API docs", charset="UTF-8"'
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "The API documentation is for staff.",
    }


@pytest.mark.parametrize("path", ["/v1/docs", "/v1/openapi.json", "/v1/openapi.yaml"])
def test_docs_ui_example_with_password_page_and_document_with_it_return_200(
    example: ModuleType, path: str
) -> None:
    response = client_of(example, DOCS_PASSWORD="correct horse").get(path, headers=STAFF)

    assert response.status_code == 200


def test_docs_ui_example_with_password_assets_need_it_too(example: ModuleType) -> None:
    client = client_of(example, DOCS_PASSWORD="correct horse")
    html = client.get("/v1/docs", headers=STAFF).get_data(as_text=True)
    script = page_urls(html)[-1]

    refused = client.get(script)
    served = client.get(script, headers=STAFF)

    assert refused.status_code == 401
    assert served.status_code == 200
    served.close()


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"staff:wrong horse").decode(),
        "Bearer correct horse",
    ],
)
def test_docs_ui_example_with_wrong_credentials_returns_401(
    example: ModuleType, authorization: str
) -> None:
    client = client_of(example, DOCS_PASSWORD="correct horse")

    response = client.get("/v1/docs", headers={"Authorization": authorization})

    assert response.status_code == 401


def test_docs_ui_example_without_password_pages_are_open(example: ModuleType) -> None:
    response = client_of(example).get("/v1/openapi.json")

    assert response.status_code == 200
    assert response.get_json()["info"] == {"title": "Tasks API", "version": "1.2.0"}


def test_docs_ui_example_guard_leaves_the_operations_alone(example: ModuleType) -> None:
    response = client_of(example, DOCS_PASSWORD="correct horse").get("/v1/tasks")

    assert response.status_code == 200
    assert response.get_json() == [{"id": 1, "title": "Buy milk"}]


# Pages for a document restkit does not build


def test_docs_ui_example_legacy_page_reads_the_legacy_document(example: ModuleType) -> None:
    client = client_of(example)

    page = client.get("/legacy/docs")
    document = client.get("/legacy/openapi.json")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<title>Tasks API (legacy)</title>" in html
    assert page_config(html)["url"] == "/legacy/openapi.json"
    assert all(url.startswith("/legacy/docs/assets/") for url in page_urls(html))
    assert document.status_code == 200
    assert document.get_json()["paths"].keys() == {"/legacy/todo"}
    assert client.get("/legacy/todo").get_json() == ["Buy milk"]


@pytest.mark.parametrize("path", ["/legacy/redoc", "/legacy/scalar"])
def test_docs_ui_example_legacy_pages_switched_off_return_404(
    example: ModuleType, path: str
) -> None:
    response = client_of(example).get(path)

    assert response.status_code == 404


def test_docs_ui_get_installed_assets_names_package_version_and_directory() -> None:
    installed = get_installed_assets("redoc")

    assert isinstance(installed, InstalledAssets)
    assert installed.distribution == "flask-openapi-redoc"
    assert installed.version == version("flask-openapi-redoc")
    assert (installed.directory / "redoc.standalone.js").is_file()


# Behind a proxy, under a sub-path


def test_docs_ui_example_under_script_root_page_reads_document_there(
    example: ModuleType,
) -> None:
    client = client_of(example)

    page = client.get("/v1/docs", base_url="http://localhost/tasks-api")
    document = client.get("/v1/openapi.json", base_url="http://localhost/tasks-api")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert page_config(html)["url"] == "/tasks-api/v1/openapi.json"
    assert all(url.startswith("/tasks-api/v1/docs/assets/") for url in page_urls(html))
    assert document.status_code == 200


def test_docs_ui_example_behind_proxy_fix_takes_the_forwarded_prefix(
    example: ModuleType,
) -> None:
    app: Flask = example.create_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)  # type: ignore[method-assign]

    response = app.test_client().get("/v1/docs", headers={"X-Forwarded-Prefix": "/tasks-api"})

    assert response.status_code == 200
    assert page_config(response.get_data(as_text=True))["url"] == "/tasks-api/v1/openapi.json"


def test_docs_ui_example_under_script_root_document_paths_resolve_under_it(
    example: ModuleType,
) -> None:
    client = client_of(example)
    document_url = "http://localhost/tasks-api/v1/openapi.json"

    response = client.get("/v1/openapi.json", base_url="http://localhost/tasks-api")

    assert response.status_code == 200
    spec = response.get_json()
    # OpenAPI 3.1 §4.8.1: without servers, the server is "/", relative to the document's URL.
    server = (spec.get("servers") or [{"url": "/"}])[0]["url"]
    base = urljoin(document_url, server).rstrip("/")
    assert base + "/v1/tasks" == "http://localhost/tasks-api/v1/tasks"
