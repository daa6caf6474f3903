"""The OpenAPI document in its served forms: JSON and YAML, with an ETag.

A `SpecDocument` is made once, when the API is mounted (and again when a blueprint is added
later); the endpoints only send its bytes. Both forms are deterministic: the same API gives
the same bytes on every run, so a committed copy can be compared with a fresh one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import yaml
from flask import Blueprint as FlaskBlueprint
from flask import Response, request

__all__ = ["SpecDocument", "make_spec_blueprint", "spec_to_json", "spec_to_yaml"]

ViewDecorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def spec_to_json(spec: Mapping[str, Any]) -> bytes:
    """Return the document as indented UTF-8 JSON with a final newline, keys in their order."""
    return orjson.dumps(spec, option=orjson.OPT_INDENT_2) + b"\n"


def spec_to_yaml(spec: Mapping[str, Any]) -> str:
    """Return the document as YAML, keys in their order."""
    text: str = yaml.safe_dump(
        _plain(spec), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    return text


def _plain(value: Any) -> Any:
    # yaml.safe_dump writes only plain types; the builder's dicts may be subclasses.
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class SpecDocument:
    """One built OpenAPI document and its encodings.

    Attributes:
        spec: The document as a dict. Treat it as read-only.
        json: Its JSON encoding (see `spec_to_json`).
        etag: A strong entity tag of the JSON encoding, for conditional GETs.
    """

    spec: Mapping[str, Any]
    json: bytes = field(init=False)
    etag: str = field(init=False)

    def __post_init__(self) -> None:
        encoded = spec_to_json(self.spec)
        object.__setattr__(self, "json", encoded)
        object.__setattr__(self, "etag", hashlib.sha256(encoded).hexdigest()[:32])

    def yaml(self) -> str:
        """Return the YAML encoding."""
        return spec_to_yaml(self.spec)


def make_spec_blueprint(
    name: str,
    *,
    get_document: Callable[[], SpecDocument],
    json_path: str | None,
    yaml_path: str | None,
    decorators: Sequence[ViewDecorator] = (),
) -> FlaskBlueprint:
    """Return a blueprint serving the document at `json_path` and `yaml_path`.

    Args:
        name: The blueprint's name.
        get_document: Returns the current document (it is rebuilt when blueprints are added).
        json_path: The JSON document's path under the blueprint's prefix, or `None`.
        yaml_path: The YAML document's path, or `None`.
        decorators: View decorators wrapped around both views, for example to require a login.

    Both answer `If-None-Match` with 304 (RFC 9110 §13.1.2).
    """
    blueprint = FlaskBlueprint(name, __name__)

    def send(body: bytes | str, mimetype: str) -> Response:
        document = get_document()
        # RFC 9110 §13.1.2: a matching If-None-Match on a GET is answered 304, without a body.
        # (werkzeug's make_conditional would also add a Date header, which servers add again.)
        if request.if_none_match.contains_weak(document.etag):  # weak comparison, also "*"
            response = Response(status=304)
        else:
            response = Response(body, mimetype=mimetype)
        response.set_etag(document.etag)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def openapi_json() -> Response:
        return send(get_document().json, "application/json")

    def openapi_yaml() -> Response:
        return send(get_document().yaml(), "application/yaml")

    for path, view in ((json_path, openapi_json), (yaml_path, openapi_yaml)):
        if path is None:
            continue
        # Fixed endpoint names: a decorator without functools.wraps renames the function.
        for decorator in decorators:
            view = decorator(view)
        endpoint = "openapi_json" if path == json_path else "openapi_yaml"
        blueprint.add_url_rule(path, endpoint=endpoint, view_func=view, methods=["GET"])
    return blueprint
