from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib.machinery import ModuleSpec
from importlib.metadata import PackageNotFoundError
from urllib.parse import urlsplit

import pytest
from flask import Flask

from restkit import Api, docs_ui
from restkit.docs_ui import DocsUI, get_installed_assets, make_docs_blueprint
from restkit.errors import DeclarationError

SPEC_URL = "/v1/openapi.json"
PAGES = {"swagger_ui": "/v1/docs", "redoc": "/v1/redoc", "scalar": "/v1/scalar"}
PACKAGES = {
    "swagger_ui": ("flask-swagger-ui", "flask_swagger_ui"),
    "redoc": ("flask-openapi-redoc", "flask_openapi_redoc"),
    "scalar": ("flask-openapi-scalar", "flask_openapi_scalar"),
}
# Only these sources may appear in the fetch directives of a page's Content-Security-Policy.
LOCAL_SOURCES = {"'self'", "'unsafe-inline'", "'unsafe-eval'", "data:", "blob:", "'none'"}
# CDN hosts named inside the bundles. Each is dead on our pages, so a new one must fail here:
KNOWN_CDN_HOSTS = {
    "swagger_ui": set(),
    # ReDoc 2 always renders its "API docs by Redocly" logo from this CDN; there is no option
    # to turn it off, and the page's CSP (img-src 'self' data: blob:) keeps the browser from
    # fetching it (test_page_csp_allows_loads_from_the_app_only).
    "redoc": {"cdn.redoc.ly"},
    # Scalar's default @font-face rules; the page sets withDefaultFonts: false, and its CSP
    # (font-src 'self' data:) would block them anyway.
    "scalar": {"fonts.scalar.com"},
}
CDN_LABELS = {"unpkg", "jsdelivr", "cdnjs", "googleapis", "gstatic", "esm", "skypack", "jspm"}


class _Page(HTMLParser):
    """The URLs an HTML page loads, and the text of its inline scripts."""

    def __init__(self, html):
        super().__init__()
        self.urls = []
        self.inline_scripts = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]

    def handle_data(self, data):
        if self.lasttag == "script" and data.strip():
            self.inline_scripts.append(data)


def _client(ui=None, *, title="Tasks API", spec_url=SPEC_URL):
    app = Flask(__name__)
    blueprint = make_docs_blueprint("docs", spec_url=spec_url, title=title, ui=ui or DocsUI())
    app.register_blueprint(blueprint, url_prefix="/v1")
    return app.test_client()


def _config(html):
    (script,) = _Page(html).inline_scripts
    return json.loads(re.search(r"const config = (.*);\n", script).group(1))


def _cdn_hosts(text):
    hosts = set(re.findall(r"https?://([A-Za-z0-9.-]+)", text))
    return {
        host
        for host in hosts
        if any(label.startswith("cdn") or label in CDN_LABELS for label in host.split("."))
        or host.startswith("fonts.")
    }


@pytest.mark.parametrize(("page", "path"), PAGES.items())
def test_page_when_enabled_returns_html_with_spec_url(page, path):
    response = _client().get(path)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert _config(response.get_data(as_text=True))["url"] == SPEC_URL


@pytest.mark.parametrize("path", PAGES.values())
def test_page_references_only_same_origin_assets(path):
    html = _client().get(path).get_data(as_text=True)

    urls = _Page(html).urls
    assert urls
    assert all(url.startswith(f"{path}/assets/") for url in urls), urls
    assert all(not urlsplit(url).scheme and not urlsplit(url).netloc for url in urls), urls
    assert re.search(r"https?://", html) is None


@pytest.mark.parametrize(("page", "path"), PAGES.items())
def test_page_assets_return_javascript_or_css_cached_by_version(page, path):
    client = _client()
    urls = _Page(client.get(path).get_data(as_text=True)).urls
    installed = get_installed_assets(page)

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype in {"text/javascript", "application/javascript", "text/css"}
        assert response.headers["Cache-Control"] == "public, max-age=31536000"
        assert len(response.get_data()) > 1000
        assert f"v={installed.version}" in urlsplit(url).query
        response.close()


@pytest.mark.parametrize("path", PAGES.values())
def test_page_csp_allows_loads_from_the_app_only(path):
    response = _client().get(path)

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: set(part.split()[1:]) for part in policy.split(";")}
    for name in ["default-src", "script-src", "style-src", "img-src", "font-src", "worker-src"]:
        assert directives[name] <= LOCAL_SOURCES, name
    assert directives["object-src"] == {"'none'"}


def test_swagger_ui_page_enables_try_it_out_without_validator_badge():
    client = _client()

    config = _config(client.get("/v1/docs").get_data(as_text=True))

    assert config == {
        "url": SPEC_URL,
        "deepLinking": True,
        "tryItOutEnabled": True,
        "persistAuthorization": True,
        "validatorUrl": None,
        "oauth2RedirectUrl": "/v1/docs/assets/oauth2-redirect.html",
    }
    redirect = client.get(config["oauth2RedirectUrl"])
    assert redirect.status_code == 200
    assert redirect.mimetype == "text/html"
    redirect.close()


def test_scalar_page_turns_off_fonts_agent_and_cloud_links():
    config = _config(_client().get("/v1/scalar").get_data(as_text=True))

    assert config == {
        "url": SPEC_URL,
        "withDefaultFonts": False,
        "showDeveloperTools": "never",
        "agent": {"disabled": True},
        "telemetry": False,
        "hideClientButton": True,
        "persistAuth": True,
    }


def test_redoc_page_points_at_spec_url():
    assert _config(_client().get("/v1/redoc").get_data(as_text=True)) == {"url": SPEC_URL}


@pytest.mark.parametrize("page", PAGES)
def test_bundle_names_no_cdn_beyond_the_known_neutralised_ones(page):
    installed = get_installed_assets(page)
    info = docs_ui._PAGES[page]

    found = set()
    for name in (*info.stylesheets, *info.scripts):
        found |= _cdn_hosts((installed.directory / name).read_text(encoding="utf-8"))

    assert found == KNOWN_CDN_HOSTS[page]


@pytest.mark.parametrize("page", PAGES)
def test_page_when_disabled_returns_404_and_others_still_serve(page):
    client = _client(DocsUI(**{page: None}))

    assert client.get(PAGES[page]).status_code == 404
    assert client.get(f"{PAGES[page]}/assets/x.js").status_code == 404
    for other, path in PAGES.items():
        if other != page:
            assert client.get(path).status_code == 200


def test_page_with_custom_and_root_paths_serves_page_and_assets():
    client = _client(DocsUI(swagger_ui="/", redoc="/reference/", scalar=None))

    root = client.get("/v1/")
    reference = client.get("/v1/reference")

    assert root.status_code == 200
    assert reference.status_code == 200
    assert _Page(root.get_data(as_text=True)).urls[0].startswith("/v1/assets/swagger-ui.css?")
    asset = client.get(_Page(reference.get_data(as_text=True)).urls[0])
    assert asset.status_code == 200
    asset.close()


def test_asset_unknown_file_returns_404():
    response = _client().get("/v1/docs/assets/nope.js")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "tail",
    [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..",
        "%2e%2e",
        "..%2Fflask_swagger_ui.py",
        "..%5C..%5Cflask_swagger_ui.py",
        "%2Fetc%2Fpasswd",
    ],
)
def test_asset_path_traversal_returns_404(tail):
    response = _client().get(f"/v1/docs/assets/{tail}")

    assert response.status_code == 404


def test_page_title_is_html_escaped():
    html = _client(title="<script>alert(1)</script>").get("/v1/docs").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


def test_page_spec_url_cannot_close_the_inline_script():
    spec_url = "/v1/openapi.json?x=</script><script>alert(1)</script>"

    html = _client(spec_url=spec_url).get("/v1/scalar").get_data(as_text=True)

    assert "</script><script>alert(1)" not in html
    assert _config(html)["url"] == spec_url


@pytest.mark.parametrize("page", PAGES)
def test_get_installed_assets_finds_the_package_files(page):
    installed = get_installed_assets(page)

    assert installed.distribution == PACKAGES[page][0]
    assert installed.directory.is_dir()
    assert installed.version[0].isdigit()


def test_get_installed_assets_with_unknown_page_raises_declaration_error():
    with pytest.raises(DeclarationError, match=r"no docs page 'rapidoc'"):
        get_installed_assets("rapidoc")


@pytest.mark.parametrize("page", PAGES)
def test_get_installed_assets_when_package_missing_raises_declaration_error(page, monkeypatch):
    monkeypatch.setattr(docs_ui, "find_spec", lambda name: None)
    distribution = PACKAGES[page][0]

    with pytest.raises(DeclarationError, match=rf"pip install '{distribution}[>=]") as error:
        get_installed_assets(page)

    assert f"DocsUI({page}=None)" in str(error.value)


def test_get_installed_assets_when_package_is_a_plain_module_raises(monkeypatch):
    monkeypatch.setattr(docs_ui, "find_spec", lambda name: ModuleSpec(name, None))

    with pytest.raises(DeclarationError, match="'flask-openapi-redoc' package, which is not"):
        get_installed_assets("redoc")


def test_get_installed_assets_when_distribution_missing_raises(monkeypatch):
    def version(distribution):
        raise PackageNotFoundError(distribution)

    monkeypatch.setattr(docs_ui, "version", version)

    with pytest.raises(DeclarationError, match="'flask-openapi-scalar' package, which is not"):
        get_installed_assets("scalar")


def test_get_installed_assets_when_files_missing_names_them(monkeypatch, tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "swagger-ui.css").write_text("body {}")

    monkeypatch.setattr(docs_ui, "find_spec", lambda name: _package(name, tmp_path))

    with pytest.raises(
        DeclarationError, match=r"has no swagger-ui-bundle\.js, oauth2-redirect\.html in"
    ):
        get_installed_assets("swagger_ui")


def _package(name, directory):
    spec = ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [str(directory)]
    return spec


def test_make_docs_blueprint_when_package_missing_raises_declaration_error(monkeypatch):
    monkeypatch.setattr(docs_ui, "find_spec", lambda name: None)

    with pytest.raises(DeclarationError, match="Swagger UI needs the 'flask-swagger-ui'"):
        make_docs_blueprint("docs", spec_url=SPEC_URL, title="T", ui=DocsUI())


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("given", ["argument", "config"])
def test_api_page_set_without_its_package_names_the_setting_to_switch_it_off(
    page, given, monkeypatch
):
    monkeypatch.setattr(docs_ui, "find_spec", lambda name: None)
    setting, key = f"{page}_path", f"RESTKIT_{page.upper()}_PATH"
    app = Flask(__name__)
    app.config.update({key: "/elsewhere"} if given == "config" else {})
    api = Api(name="v1", **({setting: "/elsewhere"} if given == "argument" else {}))

    with pytest.raises(DeclarationError) as error:
        api.init_app(app)

    assert str(error.value).endswith(f"or switch the page off with {setting}=None ({key} = None).")


def test_make_docs_blueprint_for_disabled_page_does_not_need_its_package(monkeypatch):
    real_find_spec = docs_ui.find_spec
    monkeypatch.setattr(
        docs_ui,
        "find_spec",
        lambda name: None if name == "flask_openapi_scalar" else real_find_spec(name),
    )

    client = _client(DocsUI(scalar=None))

    assert client.get("/v1/docs").status_code == 200
    assert client.get("/v1/scalar").status_code == 404


@pytest.mark.parametrize("path", ["docs", "", "/docs/<int:id>", 5])
def test_make_docs_blueprint_with_invalid_path_raises_declaration_error(path):
    with pytest.raises(DeclarationError, match=r"DocsUI\.redoc is .*starts with '/'"):
        make_docs_blueprint("docs", spec_url=SPEC_URL, title="T", ui=DocsUI(redoc=path))


def test_make_docs_blueprint_with_shared_path_raises_declaration_error():
    ui = DocsUI(swagger_ui="/docs", redoc="/docs/")

    with pytest.raises(DeclarationError, match=r"swagger_ui and DocsUI\.redoc are both '/docs'"):
        make_docs_blueprint("docs", spec_url=SPEC_URL, title="T", ui=ui)


@pytest.mark.parametrize("name", ["api.docs", "", 7])
def test_make_docs_blueprint_with_invalid_name_raises_declaration_error(name):
    with pytest.raises(DeclarationError, match="Docs blueprint name"):
        make_docs_blueprint(name, spec_url=SPEC_URL, title="T", ui=DocsUI())


def test_make_docs_blueprint_with_every_page_off_serves_nothing():
    client = _client(DocsUI(swagger_ui=None, redoc=None, scalar=None))

    assert all(client.get(path).status_code == 404 for path in PAGES.values())
