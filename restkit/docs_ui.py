"""Offline API documentation pages: Swagger UI, ReDoc and Scalar.

Each page is a small HTML document written by restkit; its JavaScript and CSS come from a
package installed from PyPI and are served by the app itself, so the pages work with no
internet access and load nothing from a CDN: Swagger UI from `flask-swagger-ui`, ReDoc from
`flask-openapi-redoc` (2.x) and Scalar from `flask-openapi-scalar`.

```python
docs = make_docs_blueprint(
    "docs", spec_url="/v1/openapi.json", title="Tasks API", ui=DocsUI(scalar=None)
)
app.register_blueprint(docs, url_prefix="/v1")  # /v1/docs and /v1/redoc
```

Each page is sent with a Content-Security-Policy that lets the browser load scripts, styles,
images, fonts and frames only from the app (or inline, `data:` and `blob:`), so a bundle's
stray reference to a CDN is never fetched. The requests that "Try it out" sends
(`connect-src`) are left alone: they go where the document's `servers` say.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request, send_from_directory, url_for
from jinja2 import Environment, Template
from markupsafe import Markup

from restkit.errors import DeclarationError

__all__ = ["DocsUI", "InstalledAssets", "get_installed_assets", "make_docs_blueprint"]

_AssetUrl = Callable[[str], str]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_ONE_YEAR = 365 * 24 * 60 * 60  # asset URLs carry the package version, so they never go stale
_CSP = (  # loads from the app only; connect-src is open for "Try it out" (see above)
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "worker-src 'self' blob:; connect-src * data: blob:; object-src 'none'; base-uri 'self'"
)
_LAYOUT_SOURCE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
{%- for href in stylesheets %}
<link rel="stylesheet" href="{{ href }}">
{%- endfor %}
<style>body { margin: 0; }</style>
</head>
<body>
<div id="docs"></div>
{%- for src in scripts %}
<script src="{{ src }}"></script>
{%- endfor %}
<script>
const config = {{ config|tojson }};
{{ start }}
</script>
</body>
</html>
"""


@functools.cache
def _layout() -> Template:
    """Return the page layout, compiled on the first page served (not at import)."""
    return Environment(autoescape=True).from_string(_LAYOUT_SOURCE)


@dataclass(frozen=True, slots=True)
class DocsUI:
    """Which documentation pages to serve, and where.

    Each path is relative to the prefix the docs blueprint is registered with; `None`
    switches that page off (and then its package need not be installed).

    Attributes:
        swagger_ui: The path of the Swagger UI page.
        redoc: The path of the ReDoc page.
        scalar: The path of the Scalar page.
    """

    swagger_ui: str | None = "/docs"
    redoc: str | None = "/redoc"
    scalar: str | None = "/scalar"


@dataclass(frozen=True, slots=True)
class InstalledAssets:
    """The installed files of one documentation page.

    Attributes:
        distribution: The PyPI package that ships them, such as `flask-swagger-ui`.
        version: Its installed version; asset URLs carry it so browsers may cache them long.
        directory: The directory that holds the files.
    """

    distribution: str
    version: str
    directory: Path


@dataclass(frozen=True, slots=True)
class _Page:
    """What restkit knows about one UI: where its files are and how to start it."""

    label: str
    distribution: str
    versions: str
    package: str
    directory: str
    scripts: tuple[str, ...]
    make_config: Callable[[str, _AssetUrl], dict[str, Any]]
    start: str
    stylesheets: tuple[str, ...] = ()
    other_files: tuple[str, ...] = ()


def _swagger_ui_config(spec_url: str, asset_url: _AssetUrl) -> dict[str, Any]:
    return {
        "url": spec_url,
        "deepLinking": True,
        "tryItOutEnabled": True,
        "persistAuthorization": True,
        "validatorUrl": None,  # else a badge image is fetched from validator.swagger.io
        # made absolute by the page's script; unversioned, as authorization servers compare it
        "oauth2RedirectUrl": asset_url("oauth2-redirect.html"),
    }


def _redoc_config(spec_url: str, asset_url: _AssetUrl) -> dict[str, Any]:
    # ReDoc 2 has no option that fetches anything; its "API docs by Redocly" logo comes from
    # cdn.redoc.ly unconditionally, and the page's CSP (img-src 'self') blocks it.
    return {"url": spec_url}


def _scalar_config(spec_url: str, asset_url: _AssetUrl) -> dict[str, Any]:
    return {
        "url": spec_url,
        "withDefaultFonts": False,  # else @font-face rules load Inter from fonts.scalar.com
        "showDeveloperTools": "never",  # shown on localhost by default; links to Scalar's cloud
        "agent": {"disabled": True},  # "Ask AI", on by default on localhost, calls Scalar's API
        "telemetry": False,
        "hideClientButton": True,  # a link that hands the document's URL to client.scalar.com
        "persistAuth": True,
        # no proxyUrl: "Try it" requests go straight to the API, not through proxy.scalar.com
    }


_PAGES: dict[str, _Page] = {
    "swagger_ui": _Page(
        label="Swagger UI",
        distribution="flask-swagger-ui",
        versions=">=5.21,<6",
        package="flask_swagger_ui",
        directory="dist",
        stylesheets=("swagger-ui.css",),
        scripts=("swagger-ui-bundle.js",),
        other_files=("oauth2-redirect.html",),
        make_config=_swagger_ui_config,
        start="config.oauth2RedirectUrl = new URL(config.oauth2RedirectUrl, location.href).href;\n"
        'window.ui = SwaggerUIBundle({...config, dom_id: "#docs", '
        "presets: [SwaggerUIBundle.presets.apis]});",
    ),
    "redoc": _Page(
        label="ReDoc",
        distribution="flask-openapi-redoc",
        versions=">=2.5.2,<3",
        package="flask_openapi_redoc",
        directory="templates/redoc/js",
        scripts=("redoc.standalone.js",),
        make_config=_redoc_config,
        start='Redoc.init(config.url, {}, document.getElementById("docs"));',
    ),
    "scalar": _Page(
        label="Scalar",
        distribution="flask-openapi-scalar",
        versions=">=1.76,<2",
        package="flask_openapi_scalar",
        directory="templates/scalar/js",
        scripts=("scalar.standalone.js",),
        make_config=_scalar_config,
        start='Scalar.createApiReference("#docs", config);',
    ),
}


def get_installed_assets(page: str, *, switch_off: str | None = None) -> InstalledAssets:
    """Find the installed files of a documentation page.

    Args:
        page: `"swagger_ui"`, `"redoc"` or `"scalar"` (the field names of `DocsUI`).
        switch_off: How the error message tells you to switch the page off instead, such as
            `redoc_path=None`; `DocsUI(<page>=None)` by default.

    Raises:
        DeclarationError: The page is unknown, or its package is not installed or lacks a
            file the page needs; the message names the package to install.
    """
    if page not in _PAGES:
        raise DeclarationError(f"There is no docs page {page!r}; use one of {sorted(_PAGES)}.")
    info = _PAGES[page]
    fix = (
        f"run `pip install '{info.distribution}{info.versions}'`, "
        f"or switch the page off with {switch_off or f'DocsUI({page}=None)'}"
    )
    try:
        installed_version = version(info.distribution)
    except PackageNotFoundError:
        installed_version = ""
    module = find_spec(info.package)  # finds the package without importing it
    locations = module.submodule_search_locations if module is not None else None
    if not installed_version or not locations:
        raise DeclarationError(
            f"{info.label} needs the {info.distribution!r} package, which is not installed; {fix}."
        )
    directory = Path(locations[0], info.directory)
    needed = (*info.stylesheets, *info.scripts, *info.other_files)
    missing = [name for name in needed if not (directory / name).is_file()]
    if missing:
        raise DeclarationError(
            f"{info.label}: {info.distribution} {installed_version} has no "
            f"{', '.join(missing)} in {directory}; {fix}."
        )
    return InstalledAssets(info.distribution, installed_version, directory)


def make_docs_blueprint(
    name: str,
    *,
    spec_url: str,
    title: str,
    ui: DocsUI,
    decorators: Sequence[Callable[[Callable[..., Any]], Callable[..., Any]]] = (),
) -> Blueprint:
    """Make a Flask blueprint that serves the enabled documentation pages and their assets.

    Each page is served at its path, and its files under `<path>/assets/<filename>`. The
    blueprint has no URL prefix of its own: register it with the API's prefix.

    Args:
        name: The blueprint's name.
        spec_url: The path of the OpenAPI document in JSON, such as `/v1/openapi.json`;
            the app's script root (the path it is mounted at, if any) is put before it.
        title: The pages' title.
        ui: Which pages to serve, and where.
        decorators: View decorators wrapped around the pages and assets, for example to
            require a login.

    Raises:
        DeclarationError: The name or a path is invalid, two pages share a path, or an enabled
            page's package is not installed.

    Example:
        ```python
        docs = make_docs_blueprint(
            "v1-docs", spec_url="/v1/openapi.json", title="Tasks API", ui=DocsUI()
        )
        app.register_blueprint(docs, url_prefix="/v1")
        ```
    """
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise DeclarationError(
            f"Docs blueprint name {name!r} is invalid; use letters, digits, '_' and '-'."
        )
    blueprint = Blueprint(name, __name__)
    rules: dict[str, str] = {}
    for page in _PAGES:
        path: str | None = getattr(ui, page)
        if path is None:
            continue
        if not isinstance(path, str) or not path.startswith("/") or "<" in path:
            raise DeclarationError(
                f"DocsUI.{page} is {path!r}; give a path that starts with '/' and has no "
                "URL variables, such as '/docs', or None to switch the page off."
            )
        rule = "/" + path.strip("/")
        if rule in rules:
            raise DeclarationError(
                f"DocsUI.{rules[rule]} and DocsUI.{page} are both {rule!r}; move one of them."
            )
        rules[rule] = page
        assets = get_installed_assets(page)
        page_view = _make_page_view(page, assets, spec_url, title)
        assets_view = _make_assets_view(assets.directory)
        for decorator in decorators:
            page_view = decorator(page_view)
            assets_view = decorator(assets_view)
        blueprint.add_url_rule(rule, page, page_view)
        blueprint.add_url_rule(
            rule.rstrip("/") + "/assets/<filename>", f"{page}_assets", assets_view
        )
    return blueprint


def _make_page_view(
    page: str, assets: InstalledAssets, spec_url: str, title: str
) -> Callable[[], Response]:
    info = _PAGES[page]

    def asset_url(filename: str) -> str:
        return url_for(f".{page}_assets", filename=filename)

    def versioned(filename: str) -> str:
        return url_for(f".{page}_assets", filename=filename, v=assets.version)

    def view() -> Response:
        html = _layout().render(
            title=title,
            stylesheets=[versioned(name) for name in info.stylesheets],
            scripts=[versioned(name) for name in info.scripts],
            config=info.make_config(request.script_root + spec_url, asset_url),
            start=Markup(info.start),  # restkit's own code, never user input
        )
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = _CSP
        return response

    return view


def _make_assets_view(directory: Path) -> Callable[[str], Response]:
    def view(filename: str) -> Response:
        # send_from_directory refuses paths that leave the directory (404)
        return send_from_directory(directory, filename, max_age=_ONE_YEAR)

    return view
