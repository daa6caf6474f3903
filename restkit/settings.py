"""Per-API settings, read once at `Api.init_app` into a frozen, typed object.

Each setting comes, in order of precedence, from the keyword argument given to `Api`, from the
Flask config key `RESTKIT_<NAME>`, or from the default below. Several `Api` instances on one
app may each have their own values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from restkit.errors import DeclarationError

__all__ = ["OPENAPI_VERSIONS", "Settings"]

OPENAPI_VERSIONS = ("3.1.0", "3.0.3")
"""The OpenAPI versions restkit writes."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings of one `Api`.

    Attributes:
        max_body_size: The largest request body accepted, in bytes; larger gets a 413 problem.
            An operation may set its own with `operation(max_body_size=...)`.
        max_json_depth: The deepest nesting of arrays and objects accepted in a JSON body;
            deeper gets a 400 problem.
        openapi_version: The OpenAPI version of the document: `"3.1.0"` or `"3.0.3"` (`"3.1"`
            and `"3.0"` are accepted too).
        openapi_json_path: Where the JSON document is served, under the API's prefix; `None`
            serves none.
        openapi_yaml_path: Where the YAML document is served; `None` serves none.
        swagger_ui_path: Where Swagger UI is served; `None` switches it off.
        redoc_path: Where ReDoc is served; `None` switches it off.
        scalar_path: Where Scalar is served; `None` switches it off.
        store_url: The store of rate-limit counters and idempotency records when `Api` is
            given no `store=`: `"memory://"`, a Redis URL or a SQLAlchemy database URL (see
            `restkit.stores.make_store`).
        store_failure: What to do when the store cannot be reached: `"closed"` answers a 503
            problem with `Retry-After`; `"open"` serves the request without the feature
            (no limit counted, no idempotency record) and logs a warning.
        cursor_secret: The key pagination cursors are signed with; the app's `SECRET_KEY`
            when `None`.
        compile_dumps: Dump responses with functions compiled for each schema (see
            `restkit.dumping`), which give exactly marshmallow's output, faster; `False`
            dumps with marshmallow's own `Schema.dump`.
        compile_loads: Load request inputs with functions compiled for each schema (see
            `restkit.loading`), which give exactly marshmallow's result and errors, faster;
            `False` loads with marshmallow's own `Schema.load`.
    """

    max_body_size: int = 1024 * 1024
    max_json_depth: int = 32
    openapi_version: str = "3.1.0"
    openapi_json_path: str | None = "/openapi.json"
    openapi_yaml_path: str | None = "/openapi.yaml"
    swagger_ui_path: str | None = "/docs"
    redoc_path: str | None = "/redoc"
    scalar_path: str | None = "/scalar"
    store_url: str = "memory://"
    store_failure: Literal["closed", "open"] = "closed"
    cursor_secret: str | None = None
    compile_dumps: bool = True
    compile_loads: bool = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any], overrides: Mapping[str, Any]) -> Settings:
        """Build the settings from the `Api`'s keyword arguments and the Flask config.

        Args:
            config: The Flask app's config; keys are `RESTKIT_` + the setting's name in
                upper case, for example `RESTKIT_MAX_BODY_SIZE`.
            overrides: The values given to `Api`, which win over the config.

        Raises:
            DeclarationError: A setting is unknown (also a mistyped `RESTKIT_*` config key) or
                its value does not fit it.
        """
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(overrides) - known) + sorted(
            key
            for key in config
            if isinstance(key, str)
            and key.startswith("RESTKIT_")
            and key[len("RESTKIT_") :].lower() not in known
        )
        if unknown:
            raise DeclarationError(
                f"Unknown restkit setting(s) {', '.join(unknown)}; the settings are "
                f"{', '.join(sorted(known))} (config keys RESTKIT_ + the name in upper case)."
            )
        values: dict[str, Any] = {}
        for name in known:
            key = "RESTKIT_" + name.upper()
            if name in overrides:
                value, source = overrides[name], f"Api({name}=...)"
            elif key in config:
                value, source = config[key], f"app.config[{key!r}]"
            else:
                continue
            values[name] = _checked(name, value, source)
        return cls(**values)


def _checked(name: str, value: Any, source: str) -> Any:
    if name in ("max_body_size", "max_json_depth"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise DeclarationError(f"{source} must be a positive integer, not {value!r}.")
        return value
    if name == "openapi_version":
        version = {"3.1": "3.1.0", "3.0": "3.0.3"}.get(value, value)
        if version not in OPENAPI_VERSIONS:
            raise DeclarationError(
                f"{source} is {value!r}; restkit writes OpenAPI {' or '.join(OPENAPI_VERSIONS)}."
            )
        return version
    if name in ("compile_dumps", "compile_loads"):
        if not isinstance(value, bool):
            raise DeclarationError(f"{source} must be True or False, not {value!r}.")
        return value
    if name == "store_url":
        if not isinstance(value, str) or "://" not in value:
            raise DeclarationError(
                f"{source} must be a store URL such as 'memory://' or 'redis://host:6379/0', "
                f"not {value!r}."
            )
        return value
    if name == "store_failure":
        if value not in ("closed", "open"):
            raise DeclarationError(f"{source} must be 'closed' or 'open', not {value!r}.")
        return value
    if name == "cursor_secret":
        if value is not None and (not isinstance(value, str) or len(value) < 16):
            raise DeclarationError(
                f"{source} must be a secret string of at least 16 characters, or None."
            )
        return value
    if value is not None and (
        not isinstance(value, str) or not value.startswith("/") or value == "/"
    ):
        raise DeclarationError(
            f"{source} must be a path such as '/docs' (under the API's prefix), or None to "
            f"switch it off, not {value!r}."
        )
    return value
