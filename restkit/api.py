"""The `Api` registry: mounts blueprints of resources onto a Flask app.

```python
api = Api(url_prefix="/v1", name="v1")
api.register_blueprint(tasks)

def create_app():
    app = Flask(__name__)
    api.init_app(app)
    return app
```

`Api(app)` works too. Several APIs may share an app (for example `/v1` and `/v2`), each with
its own name, URL prefix and settings. Every error under an API's prefix is answered with
`application/problem+json`: the API installs one app-level handler that renders problems for
its own routes and prefixes and leaves other errors to Flask (or to a handler the app had).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, got_request_exception, request
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.response import Response as BaseResponse

from restkit._rules import check_rule, lazy_builders
from restkit.auth import ApiKey, AuthLike
from restkit.blueprint import Blueprint, MountedRoute, _check_prefix
from restkit.cli import restkit_cli
from restkit.conditional import Conditional
from restkit.deprecation import Deprecation
from restkit.docs_ui import DocsUI, get_installed_assets, make_docs_blueprint
from restkit.errors import DeclarationError
from restkit.features import make_policies, resolve_features
from restkit.idempotency import Idempotency
from restkit.operation import Operation
from restkit.pagination import Pagination, query_fields
from restkit.parsing import effective_unknown
from restkit.permissions import Requirement
from restkit.problems import InternalServerError, Problem, problem_for_status, translate_error
from restkit.ratelimit import RateLimitLike
from restkit.resource import Resource, bind_path
from restkit.settings import Settings
from restkit.spec.builder import build_spec
from restkit.spec.document import SpecDocument, make_spec_blueprint
from restkit.stores import Store, make_store
from restkit.view import ViewContext, make_view, takes_current, takes_identity

__all__ = ["Api", "get_apis", "make_problem_response"]

_EXTENSION = "restkit"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

ErrorHandler = Callable[[Exception], Any]
ViewDecorator = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass
class _Mounted:
    """One API on one app: its settings, its mounted routes and its built document."""

    api: Api
    settings: Settings
    context: ViewContext
    routes: list[MountedRoute] = field(default_factory=list)
    document: SpecDocument | None = None


@dataclass
class _AppState:
    """What restkit keeps per Flask app: its mounted APIs, for the error handler."""

    prefixes: list[re.Pattern[str]] = field(default_factory=list)
    blueprint_names: set[str] = field(default_factory=set)
    apis: dict[str, _Mounted] = field(default_factory=dict)
    fallback: ErrorHandler | None = None


class Api:
    """The registry that mounts blueprints of resources onto a Flask app.

    Args:
        app: The Flask app; or call `init_app` later (factory style).
        name: The API's name: the first part of its endpoint names. Unique per app.
        url_prefix: A prefix for every route, such as `/v1`.
        title: The OpenAPI document's title; defaults to the name.
        version: The API's version in the OpenAPI document.
        info: Other members of the OpenAPI info object, such as `description`, `contact` or
            `license`.
        spec_decorators: View decorators wrapped around the OpenAPI document and docs pages,
            for example to require a login.
        store: Where rate-limit counters and idempotency records live (see
            `restkit.stores`); defaults to the store the `store_url` setting names, a
            `MemoryStore` unless configured.
        pagination: Pagination defaults of every list operation.
        conditional: Conditional requests for every operation.
        idempotency: `Idempotency-Key` handling for every POST.
        rate_limit: Limits counted over all of the API's operations together.
        deprecated: Deprecation of every operation.
        auth: The authenticators every operation requires, any of which may pass;
            blueprints, resources and operations override it (`False` for public ones).
            See `restkit.auth`.
        requires: What the caller needs for every operation (see `restkit.permissions`).
        **settings: Settings of this API, overriding the app's `RESTKIT_*` config
            (see `Settings`), for example `max_body_size=10_000_000`.

    Raises:
        DeclarationError: The name, prefix or a setting is invalid.

    Example:
        ```python
        app = Flask(__name__)
        api = Api(app, url_prefix="/v1", name="v1")
        api.register_blueprint(tasks)
        ```
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        name: str = "api",
        url_prefix: str = "",
        title: str | None = None,
        version: str = "1.0.0",
        info: Mapping[str, Any] | None = None,
        spec_decorators: Sequence[ViewDecorator] = (),
        store: Store | None = None,
        pagination: Pagination | bool | None = None,
        conditional: Conditional | bool | None = None,
        idempotency: Idempotency | bool | None = None,
        rate_limit: RateLimitLike | Literal[False] | None = None,
        deprecated: Deprecation | bool | None = None,
        auth: AuthLike = None,
        requires: Requirement | Sequence[Requirement] | Literal[False] | None = None,
        **settings: Any,
    ) -> None:
        if not isinstance(name, str) or _NAME.fullmatch(name) is None:
            raise DeclarationError(
                f"Api name {name!r} is invalid; use letters, digits, '_' and '-'."
            )
        _check_prefix(url_prefix, f"Api {name!r}")
        Settings.from_config({}, settings)  # unknown names and bad values fail here, not later
        self.name = name
        self.url_prefix = url_prefix.rstrip("/")
        self.title = title or name
        self.version = version
        self.info = dict(info or {})
        self.spec_decorators = tuple(spec_decorators)
        if store is not None and not isinstance(store, Store):
            raise DeclarationError(
                f"Api {name!r} was given store={store!r}; give a restkit.stores.Store such as "
                "RedisStore.from_url(...)."
            )
        self.store = store
        self.policies = make_policies(
            f"Api {name!r}",
            pagination=pagination,
            conditional=conditional,
            idempotency=idempotency,
            rate_limit=rate_limit,
            deprecated=deprecated,
            auth=auth,
            requires=requires,
        )
        self._settings_overrides = dict(settings)
        self._blueprints: dict[str, Blueprint] = {}
        self._apps: list[weakref.ref[Flask]] = []
        if app is not None:
            self.init_app(app)

    @property
    def blueprints(self) -> tuple[Blueprint, ...]:
        """The registered blueprints, in registration order."""
        return tuple(self._blueprints.values())

    def register_blueprint(self, blueprint: Blueprint) -> None:
        """Add a blueprint to this API, and mount it on every app the API is already on.

        Raises:
            DeclarationError: Another blueprint of this API has the same name, or a resource
                cannot take the variables of this API's URL prefix.
        """
        if not isinstance(blueprint, Blueprint):
            raise DeclarationError(
                f"Api {self.name!r} was given {blueprint!r}; register a restkit.Blueprint."
            )
        if blueprint.name in self._blueprints:
            raise DeclarationError(
                f"Api {self.name!r} already has a blueprint named {blueprint.name!r}; "
                "give one of them another name."
            )
        self._blueprints[blueprint.name] = blueprint
        for ref in self._apps:
            app = ref()
            if app is not None:
                mounted = _state(app).apis[self.name]
                self._mount(app, blueprint, mounted)
                mounted.document = SpecDocument(self.make_spec(app))

    def get_settings(self, app: Flask) -> Settings:
        """Return the settings this API uses on `app`.

        They are read once, at `init_app`: this API's keyword arguments over `app.config`. A
        config change after that changes neither the mounted routes nor what this returns.

        Raises:
            DeclarationError: The API is not mounted on `app`.
        """
        return self._mounted(app).settings

    def init_app(self, app: Flask) -> None:
        """Mount this API's blueprints on `app` and install the problem handler.

        Raises:
            DeclarationError: Another API on `app` has this name, a declaration does not fit
                the mounted URLs, or a URL rule names a converter that `app.url_map.converters`
                lacks (register the app's converters before `init_app`).
        """
        state = app.extensions.get(_EXTENSION)
        if state is None:
            state = _AppState()
            app.extensions[_EXTENSION] = state
            _install_error_handler(app, state)
            app.cli.add_command(restkit_cli)
        if self.name in state.apis:
            raise DeclarationError(
                f"This Flask app already has an API named {self.name!r}; "
                "give each Api its own name=..."
            )
        settings = Settings.from_config(app.config, self._settings_overrides)
        context = ViewContext(
            api_name=self.name,
            settings=settings,
            store=self.store or make_store(settings.store_url),
            cursor_secret=settings.cursor_secret or app.secret_key,
            # The realm goes into WWW-Authenticate, which must be Latin-1 and one line.
            realm=self.title if re.fullmatch(r"[\x20-\x7e]+", self.title) else self.name,
        )
        mounted = _Mounted(self, settings, context)
        state.apis[self.name] = mounted
        state.prefixes.append(_prefix_pattern(self.url_prefix))
        for blueprint in self._blueprints.values():
            self._mount(app, blueprint, mounted)
        mounted.document = SpecDocument(self.make_spec(app))
        self._serve_spec(app, mounted)
        self._apps.append(weakref.ref(app))

    def make_spec(self, app: Flask, *, openapi_version: str | None = None) -> dict[str, Any]:
        """Build this API's OpenAPI document as mounted on `app`.

        The document `init_app` built is served and returned by `spec`; this builds a new
        one, for example in another OpenAPI version.

        Args:
            app: An app this API was mounted on with `init_app`.
            openapi_version: `"3.1.0"` or `"3.0.3"` (or `"3.1"`, `"3.0"`); defaults to the
                `openapi_version` setting.

        Raises:
            DeclarationError: The API is not mounted on `app`, two operations share an
                operationId, or two schemas a component name.
        """
        mounted = self._mounted(app)
        version = mounted.settings.openapi_version
        if openapi_version is not None:
            overrides = {**self._settings_overrides, "openapi_version": openapi_version}
            version = Settings.from_config(app.config, overrides).openapi_version
        return build_spec(
            title=self.title,
            version=self.version,
            openapi_version=version,
            routes=mounted.routes,
            blueprints=self.blueprints,
            info=self.info,
            store_failure=mounted.settings.store_failure,
        )

    def spec(self, app: Flask) -> Mapping[str, Any]:
        """Return the OpenAPI document this API serves on `app` (built at `init_app`).

        Raises:
            DeclarationError: The API is not mounted on `app`.
        """
        return self._document(app).spec

    def _mounted(self, app: Flask) -> _Mounted:
        mounted = _state(app).apis.get(self.name) if _EXTENSION in app.extensions else None
        if mounted is None or mounted.api is not self:
            raise DeclarationError(f"Api {self.name!r} is not mounted on {app!r}; call init_app.")
        return mounted

    def _document(self, app: Flask) -> SpecDocument:
        document = self._mounted(app).document
        if document is None:  # init_app failed before it built the document
            raise DeclarationError(f"Api {self.name!r} is not mounted on {app!r}; call init_app.")
        return document

    def _serve_spec(self, app: Flask, mounted: _Mounted) -> None:
        settings = mounted.settings
        if settings.openapi_json_path is not None or settings.openapi_yaml_path is not None:
            blueprint = make_spec_blueprint(
                "restkit_spec",
                get_document=lambda: self._document(app),
                json_path=settings.openapi_json_path,
                yaml_path=settings.openapi_yaml_path,
                decorators=self.spec_decorators,
            )
            app.register_blueprint(blueprint, url_prefix=self.url_prefix, name_prefix=self.name)
        ui = _docs_ui(settings)
        if ui == DocsUI(None, None, None):
            return
        if settings.openapi_json_path is None:
            raise DeclarationError(
                f"Api {self.name!r} serves docs pages but no JSON document, which they read. "
                "Set openapi_json_path, or switch the pages off (swagger_ui_path=None, ...)."
            )
        docs = make_docs_blueprint(
            "restkit_docs",
            spec_url=self.url_prefix + settings.openapi_json_path,
            title=self.title,
            ui=ui,
            decorators=self.spec_decorators,
        )
        app.register_blueprint(docs, url_prefix=self.url_prefix, name_prefix=self.name)

    def _mount(self, app: Flask, blueprint: Blueprint, mounted: _Mounted) -> None:
        flask_blueprint = FlaskBlueprint(blueprint.name, __name__)
        prefix = self.url_prefix + blueprint.url_prefix
        for route in blueprint.routes.values():
            where = repr(prefix + route.rule)
            endpoint = f"{self.name}.{blueprint.name}.{route.endpoint}"
            # A blueprint accepted any converter name: only the app knows its own (`hex`).
            converters = app.url_map.converters
            parsed = check_rule(prefix + route.rule, converters)
            arguments = parsed.arguments
            bound = bind_path(route.resource, arguments, where, complete=False)
            resolved = {
                method: self._resolve(route.resource, blueprint, endpoint, op)
                for method, op in bound.items()
            }
            extra = {
                method: (("page",) if op.features.pagination else ())
                + (("current",) if takes_current(route.resource, op) else ())
                + (("identity",) if takes_identity(route.resource, op) else ())
                for method, op in resolved.items()
            }
            bind_path(route.resource, arguments, where, extra=extra)
            view = make_view(route.resource, resolved, mounted.context, app.response_class)
            operations = resolved
            flask_blueprint.add_url_rule(
                route.rule, endpoint=route.endpoint, view_func=view, methods=list(operations)
            )
            mounted.routes.append(
                MountedRoute(
                    rule=prefix + route.rule,
                    endpoint=endpoint,
                    blueprint=blueprint,
                    route=route,
                    operations=operations,
                    converters=dict(parsed.converters),
                )
            )
        neighbours = [route.resource for route in blueprint.routes.values()]
        for resource in dict.fromkeys(neighbours):
            resource.check_blueprint(neighbours, f"blueprint {blueprint.name!r}")
        # Registering with the API's name as prefix names the endpoints "<api>.<blueprint>.<x>"
        # as a nested blueprint would, while allowing blueprints to be added after init_app.
        had_own = "url_rule_class" in vars(app)
        own = app.url_rule_class
        app.url_rule_class = lazy_builders(own)  # only while these routes are added
        try:
            app.register_blueprint(flask_blueprint, url_prefix=prefix, name_prefix=self.name)
        finally:
            if had_own:
                app.url_rule_class = own
            else:
                del app.url_rule_class
        _state(app).blueprint_names.add(f"{self.name}.{blueprint.name}")

    def _resolve(
        self, resource: type[Resource], blueprint: Blueprint, endpoint: str, op: Operation
    ) -> Operation:
        levels = [
            (f"operation:{endpoint}:{op.method}", op.declaration.policies),
            (f"resource:{endpoint}", resource.policies),
            (f"blueprint:{self.name}.{blueprint.name}", blueprint.policies),
            (f"api:{self.name}", self.policies),
        ]
        default = next(iter(op.responses.values()))
        lists = default.schema is not None and default.schema.many
        features = resolve_features(
            levels,
            method=op.method,
            lists=lists,
            loads_current=getattr(resource, "get_object", None) is not None,
            culprit=op.qualname,
        )
        query = op.inputs.get("query")
        if features.pagination is not None and query is not None:
            clash = sorted(
                set(query_fields(features.pagination))
                & {f.data_key or name for name, f in query.schema.load_fields.items()}
            )
            if clash:
                raise DeclarationError(
                    f"{op.qualname}'s query schema declares {', '.join(clash)}, which its "
                    "pagination reads. Rename those fields (or their data_key)."
                )
        for scheme in features.authenticators:
            if isinstance(scheme, ApiKey) and scheme.location == "query" and query is not None:
                declared = {f.data_key or name for name, f in query.schema.load_fields.items()}
                if scheme.name in declared or effective_unknown(query.schema, "query") == ma.RAISE:
                    raise DeclarationError(
                        f"{op.qualname}'s query schema "
                        + (
                            f"declares {scheme.name!r}, the API key parameter"
                            if scheme.name in declared
                            else "refuses unknown parameters, such as the API key's "
                            f"{scheme.name!r}"
                        )
                        + ". Rename the field, let the schema exclude unknown parameters, or "
                        "send the key in a header."
                    )
        if features.pagination is not None and not lists:
            raise DeclarationError(
                f"{op.qualname} is paginated, but its response is not a list. Declare "
                "response=ItemSchema(many=True), or pagination=False."
            )
        return dataclasses.replace(op, features=features)

    def __repr__(self) -> str:
        return f"<Api {self.name!r} {self.url_prefix or '/'} ({len(self._blueprints)} blueprints)>"


def _docs_ui(settings: Settings) -> DocsUI:
    """Return the docs pages to serve.

    A page left at its default path is skipped when its package is not installed (ReDoc and
    Scalar come with the `redoc` and `scalar` extras); a path set on purpose must be served,
    so a missing package then fails `init_app`.
    """
    defaults = Settings()
    paths: dict[str, str | None] = {}
    for page in ("swagger_ui", "redoc", "scalar"):
        setting = f"{page}_path"
        path: str | None = getattr(settings, setting)
        if path is not None and path == getattr(defaults, setting):
            try:
                get_installed_assets(page)
            except DeclarationError:
                logging.getLogger("restkit").info(
                    "%s is not served: its package is not installed.", page
                )
                path = None
        elif path is not None:
            # Checked here, not by make_docs_blueprint, so the message names the setting.
            get_installed_assets(
                page, switch_off=f"{setting}=None (RESTKIT_{setting.upper()} = None)"
            )
        paths[page] = path
    return DocsUI(**paths)


def get_apis(app: Flask) -> dict[str, Api]:
    """Return the APIs mounted on `app`, by name, in the order they were mounted."""
    state = app.extensions.get(_EXTENSION)
    if state is None:
        return {}
    return {name: mounted.api for name, mounted in state.apis.items()}


def _state(app: Flask) -> _AppState:
    state: _AppState = app.extensions[_EXTENSION]
    return state


def _install_error_handler(app: Flask, state: _AppState) -> None:
    """Install the app-level handler that answers errors under restkit APIs with problems.

    A handler the app registered for `Exception` before keeps serving everything else. A
    handler for a more specific class (say `ValueError`, `HTTPException` or 404) still wins, as
    Flask picks the most specific one, except over `Problem`: restkit's problems always render
    as problems.
    """
    state.fallback = app.error_handler_spec[None][None].get(Exception)

    def handle_exception(error: Exception) -> Any:
        if not _is_ours(state):
            if state.fallback is not None:
                return state.fallback(error)
            if isinstance(error, HTTPException):
                return error
            raise error
        return make_problem_response(error)

    app.register_error_handler(Exception, handle_exception)
    app.register_error_handler(Problem, make_problem_response)


def _is_ours(state: _AppState) -> bool:
    if request.blueprint in state.blueprint_names:
        return True
    path = request.path
    return any(prefix.match(path) for prefix in state.prefixes)


def _prefix_pattern(prefix: str) -> re.Pattern[str]:
    """Return a regex matching the paths under a URL prefix, which may have variables."""
    pattern = ""
    for static, variable in re.findall(r"([^<]*)(<[^>]*>)?", prefix):
        pattern += re.escape(static)
        if variable:
            pattern += ".+" if variable.startswith("<path:") else "[^/]+"
    return re.compile(pattern + "(?:/|$)")


def make_problem_response(error: Exception) -> BaseResponse:
    """Return the problem+json response for any exception raised while serving a request.

    This is what restkit's error handler answers with. An app with its own handler for, say,
    `HTTPException` can hand the API's errors back to it.

    `Problem`s render as they are; other HTTP exceptions (`abort(404)`, routing's 404 and 405,
    werkzeug's 413) become the problem of their status, keeping headers such as `Allow`; an
    exception a registered translator knows becomes its problem (see
    `restkit.problems.add_error_translator`: a lost database is a 503); anything else is
    logged with its traceback and answered with a bare 500 problem.
    """
    if isinstance(error, Problem):
        return error.get_response()
    if isinstance(error, HTTPException) and error.code is not None:
        if error.response is not None:
            return error.response
        default = type(error).description
        detail = error.description if error.description != default else None
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return problem_for_status(error.code, detail, headers).get_response()
    problem = translate_error(error) or InternalServerError()
    if problem.status >= 500:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        got_request_exception.send(app, _async_wrapper=app.ensure_sync, exception=error)
        app.log_exception((type(error), error, error.__traceback__))
    return problem.get_response()
