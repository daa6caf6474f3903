"""The example of docs/settings.md (docs/examples/settings.py) and the page's other claims.

Settings taken from `Api` arguments over the config over the defaults, read from `FLASK_...`
environment variables, checked at start-up with the page's messages, and the body and depth
limits they set, applied as the page says.
"""

from __future__ import annotations

import dataclasses
import io
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from restkit import Api, Settings
from restkit.errors import DeclarationError
from tests.test_docs_examples import load_example

PROBLEM_JSON = "application/problem+json"
MiB = 1024 * 1024
ALL_SETTINGS = (
    "compile_dumps, compile_loads, cursor_secret, max_body_size, max_json_depth, "
    "openapi_json_path, openapi_version, openapi_yaml_path, redoc_path, scalar_path, "
    "store_failure, store_url, swagger_ui_path"
)


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    for name in ("FLASK_RESTKIT_MAX_JSON_DEPTH", "FLASK_RESTKIT_SCALAR_PATH"):
        monkeypatch.delenv(name, raising=False)
    return load_example("settings", monkeypatch)


@pytest.fixture
def client(example: ModuleType) -> FlaskClient:
    app: Flask = example.create_app()
    return app.test_client()


def note_of(size: int) -> bytes:
    """A JSON note of exactly `size` bytes."""
    overhead = len(b'{"text": ""}')
    return b'{"text": "' + b"a" * (size - overhead) + b'"}'


def nested(depth: int) -> bytes:
    """A note whose `tags` nest arrays until the body is `depth` levels deep."""
    return b'{"tags": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def post_json(client: FlaskClient, path: str, body: bytes, **options: Any) -> Any:
    return client.post(path, data=body, content_type="application/json", **options)


# Where settings come from


def test_settings_example_v1_takes_the_body_limit_from_the_config(client: FlaskClient) -> None:
    too_large = post_json(client, "/v1/notes", note_of(2 * MiB + 1))
    at_limit = post_json(client, "/v1/notes", note_of(2 * MiB))

    assert too_large.status_code == 413
    assert too_large.headers["Content-Type"] == PROBLEM_JSON
    assert too_large.headers["Content-Length"] == "121"
    assert too_large.get_json() == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": "The request body is larger than 2097152 bytes.",
    }
    assert at_limit.status_code == 201


def test_settings_example_v2_takes_its_own_body_limit(client: FlaskClient) -> None:
    body = b'{"text": "' + b"a" * 3_000_000 + b'"}\n'  # the page's big.json

    v1 = post_json(client, "/v1/notes", body)
    v2 = post_json(client, "/v2/notes", body)

    assert v1.status_code == 413
    assert v2.status_code == 201
    assert v2.headers["Content-Type"] == "application/json"
    assert v2.headers["Location"] == "/v2/notes/1"
    assert post_json(client, "/v2/notes", note_of(10 * MiB + 1)).status_code == 413


@pytest.mark.parametrize("prefix", ["/v1", "/v2"])
def test_settings_example_json_depth_from_the_config_applies_to_both(
    client: FlaskClient, prefix: str
) -> None:
    too_deep = post_json(client, f"{prefix}/notes", nested(17))
    at_limit = post_json(client, f"{prefix}/notes", nested(16))

    assert too_deep.status_code == 400
    assert too_deep.headers["Content-Type"] == PROBLEM_JSON
    assert too_deep.get_json()["detail"] == "The request body is nested deeper than 16 levels."
    assert at_limit.status_code == 422  # parsed; then `tags` is an unknown field


def test_settings_example_chunked_body_over_the_limit_returns_413(client: FlaskClient) -> None:
    response = client.post(
        "/v1/notes",
        input_stream=io.BytesIO(note_of(2 * MiB + 1)),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as WSGI servers mark chunked input
    )

    assert response.status_code == 413
    assert response.get_json()["detail"] == "The request body is larger than 2097152 bytes."


def test_settings_example_get_settings_returns_each_api_s_settings(example: ModuleType) -> None:
    app = example.create_app()

    settings = example.v2.get_settings(app)

    assert isinstance(settings, Settings)
    assert (settings.max_body_size, settings.max_json_depth, settings.openapi_version) == (
        10485760,
        16,
        "3.1.0",
    )
    assert example.v1.get_settings(app).max_body_size == 2097152


def test_settings_example_config_changed_after_mount_leaves_routes_alone(
    example: ModuleType,
) -> None:
    app = example.create_app()
    app.config["RESTKIT_MAX_JSON_DEPTH"] = 2

    response = post_json(app.test_client(), "/v1/notes", nested(10))

    assert response.status_code == 422  # still 16 levels allowed: not a 400


def test_settings_get_settings_after_config_change_returns_the_mounted_settings(
    example: ModuleType,
) -> None:
    app = example.create_app()
    app.config["RESTKIT_MAX_JSON_DEPTH"] = 2

    assert example.v1.get_settings(app).max_json_depth == 16


# From environment variables


def test_settings_example_prefixed_env_gives_typed_values(
    example: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_RESTKIT_MAX_JSON_DEPTH", "8")
    monkeypatch.setenv("FLASK_RESTKIT_SCALAR_PATH", "null")

    app = example.create_app()

    client = app.test_client()
    assert example.v1.get_settings(app).max_json_depth == 8
    assert post_json(client, "/v1/notes", nested(9)).status_code == 400
    assert client.get("/v1/scalar").status_code == 404
    assert client.get("/v1/docs").status_code == 200


def test_settings_example_explicit_config_wins_over_environment(
    example: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_RESTKIT_MAX_JSON_DEPTH", "8")

    app = example.create_app({"RESTKIT_MAX_JSON_DEPTH": 4})

    assert example.v1.get_settings(app).max_json_depth == 4


# Mistakes


def test_settings_unknown_argument_fails_at_api_naming_every_setting() -> None:
    with pytest.raises(DeclarationError) as error:
        Api(max_bdy_size=10)

    assert str(error.value) == (
        f"Unknown restkit setting(s) max_bdy_size; the settings are {ALL_SETTINGS} "
        "(config keys RESTKIT_ + the name in upper case)."
    )


def test_settings_misspelt_config_key_fails_init_app() -> None:
    app = Flask(__name__)
    app.config["RESTKIT_MAX_BODYSIZE"] = 10

    with pytest.raises(DeclarationError, match=r"^Unknown restkit setting\(s\) RESTKIT_MAX_BODY"):
        Api(app)


def test_settings_string_from_environment_fails_init_app() -> None:
    app = Flask(__name__)
    app.config["RESTKIT_MAX_JSON_DEPTH"] = "10"

    with pytest.raises(DeclarationError) as error:
        Api(app)

    assert str(error.value) == (
        "app.config['RESTKIT_MAX_JSON_DEPTH'] must be a positive integer, not '10'."
    )


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("max_body_size", True),
        ("max_body_size", 0),
        ("max_json_depth", "16"),
        ("openapi_version", "3.2"),
        ("openapi_json_path", "openapi.json"),
        ("redoc_path", "/"),
        ("store_url", "redis"),
        ("store_failure", "maybe"),
        ("cursor_secret", "too short"),
    ],
)
def test_settings_value_outside_the_table_fails_at_api(setting: str, value: object) -> None:
    with pytest.raises(DeclarationError, match=rf"^Api\({setting}=\.\.\.\)"):
        Api(**{setting: value})


@pytest.mark.parametrize(
    ("setting", "value", "read"),
    [
        ("openapi_version", "3.0", "3.0.3"),
        ("openapi_version", "3.1", "3.1.0"),
        ("scalar_path", None, None),
        ("store_url", "sqlite:///store.db", "sqlite:///store.db"),
        ("store_failure", "open", "open"),
        ("cursor_secret", "sixteen chars ok", "sixteen chars ok"),
    ],
)
def test_settings_value_in_the_table_is_read(setting: str, value: object, read: object) -> None:
    settings = Settings.from_config({}, {setting: value})

    assert getattr(settings, setting) == read


def test_settings_defaults_match_the_table() -> None:
    assert dataclasses.asdict(Settings()) == {
        "max_body_size": 1048576,
        "max_json_depth": 32,
        "openapi_version": "3.1.0",
        "openapi_json_path": "/openapi.json",
        "openapi_yaml_path": "/openapi.yaml",
        "swagger_ui_path": "/docs",
        "redoc_path": "/redoc",
        "scalar_path": "/scalar",
        "store_url": "memory://",
        "store_failure": "closed",
        "cursor_secret": None,
        "compile_dumps": True,
        "compile_loads": True,
    }


@pytest.mark.parametrize(("depth", "status"), [(2, 400), (3, 422)])
def test_settings_json_depth_counts_objects_and_arrays(
    example: ModuleType, depth: int, status: int
) -> None:
    client = example.create_app({"RESTKIT_MAX_JSON_DEPTH": depth}).test_client()

    response = post_json(client, "/v1/notes", b'{"a": [[1]]}')  # 3 levels, as docs/inputs.md says

    assert response.status_code == status
