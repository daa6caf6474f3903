"""The OpenAPI document in its served forms: JSON and YAML, with an ETag.

A `SpecDocument` is made once, when the API is mounted (and again when a blueprint is added
later); the endpoints only send its bytes. Both forms are deterministic: the same API gives
the same bytes on every run, so a committed copy can be compared with a fresh one. An app
mounted under a path (`SCRIPT_NAME`) serves a copy with a `servers` entry for that path
(see `SpecDocument.under`), made per request; at the root the built bytes are sent as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson
from flask import Blueprint as FlaskBlueprint
from flask import Response, request

__all__ = ["SpecDocument", "make_spec_blueprint", "spec_to_json", "spec_to_yaml"]

ViewDecorator = Callable[[Callable[..., Any]], Callable[..., Any]]

_URL_PATH = "/!$&'()*+,;=:@"  # RFC 3986 §3.3: kept as they are in a path; the rest is quoted


def spec_to_json(spec: Mapping[str, Any]) -> bytes:
    """Return the document as indented UTF-8 JSON with a final newline, keys in their order."""
    try:
        return orjson.dumps(spec, option=orjson.OPT_INDENT_2) + b"\n"
    except orjson.JSONEncodeError:  # an integer beyond 64 bits (a schema's bound): json has it
        text = json.dumps(spec, indent=2, ensure_ascii=False, allow_nan=False)
        return text.encode() + b"\n"


def spec_to_yaml(spec: Mapping[str, Any]) -> str:
    """Return the document as YAML, keys in their order."""
    import yaml  # on first use: most apps serve JSON only, and PyYAML takes a while to import

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

    def under(self, script_root: str) -> SpecDocument:
        """Return the document as served by an app mounted under a path.

        An app mounted at `/tasks-api` (the WSGI `SCRIPT_NAME`, which a proxy sets) serves
        `/v1/tasks` at `/tasks-api/v1/tasks`, but the document's paths start at the API's
        prefix, and a document without `servers` has the server `/`, the host's root
        (OpenAPI 3.1 §4.8.1). So under a path the document gets a `servers` entry for it,
        after `info`; "Try it out" and generated clients then call the app where it is.

        Args:
            script_root: The path the app is mounted at, such as Flask's
                `request.script_root`; `""` at the host's root.

        Returns:
            This document itself at the root, or one that names its own `servers`, so the
            bytes of a document served at the root stay those of a committed copy; else a
            new document with `servers` (this one is left alone).
        """
        if not script_root or "servers" in self.spec:
            return self
        server = [{"url": quote(script_root, safe=_URL_PATH)}]
        spec: dict[str, Any] = {}
        for key, value in self.spec.items():
            spec[key] = value
            if key == "info":
                spec["servers"] = server
        spec.setdefault("servers", server)
        return SpecDocument(spec)


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

    Both answer `If-None-Match` with 304 (RFC 9110 §13.1.2). Under a script root (the app
    mounted at a path), they send the document with `servers` for it (see
    `SpecDocument.under`), whose ETag is its own.
    """
    blueprint = FlaskBlueprint(name, __name__)

    def served() -> SpecDocument:
        # Made per request, not cached: the script root comes from the request (a proxy's
        # X-Forwarded-Prefix), so a cache keyed by it would grow with what clients send.
        return get_document().under(request.script_root)

    def send(body: Callable[[], bytes | str], etag: str, mimetype: str) -> Response:
        # RFC 9110 §13.1.2: a matching If-None-Match on a GET is answered 304, without a body.
        # (werkzeug's make_conditional would also add a Date header, which servers add again.)
        if request.if_none_match.contains_weak(etag):  # weak comparison, also "*"
            response = Response(status=304)
        else:
            response = Response(body(), mimetype=mimetype)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def openapi_json() -> Response:
        document = served()
        return send(lambda: document.json, document.etag, "application/json")

    def openapi_yaml() -> Response:
        document = served()
        # RFC 9110 §8.8.3: a strong tag names one representation; the YAML's differs from the
        # JSON's, and changes with the document as the JSON's does.
        return send(document.yaml, f"{document.etag}-yaml", "application/yaml")

    for path, view in ((json_path, openapi_json), (yaml_path, openapi_yaml)):
        if path is None:
            continue
        # Fixed endpoint names: a decorator without functools.wraps renames the function.
        for decorator in decorators:
            view = decorator(view)
        endpoint = "openapi_json" if path == json_path else "openapi_yaml"
        blueprint.add_url_rule(path, endpoint=endpoint, view_func=view, methods=["GET"])
    return blueprint
