"""Swagger UI's "Authorize" dialog in a real browser, with every security scheme restkit has.

`python -m tests.auth_server` serves one operation per scheme (bearer token, API key in a
header, in a query parameter and in a cookie, Basic) and a public one; headless Chromium
(the same helpers as tests/test_docs_ui_browser.py) fills the dialog and runs "Try it out",
and each test reads the live response Swagger UI shows. Every test starts from a page loaded
afresh with the site's storage and cookies cleared, so the tests do not depend on their order.

The cookie API key is the odd one out. Browsers do not let page scripts set a `Cookie`
header (it is a forbidden header name of the Fetch standard), so the header Swagger UI adds
for it is dropped. It works in two ways only, both same-origin: the cookie is in the
browser's cookie jar (set by a login, here by DevTools `Network.setCookie`), or Swagger UI
puts it there itself: with `persistAuthorization` (which restkit turns on) the dialog writes
the key to `document.cookie`, marked `Secure`, so that only works on HTTPS or localhost.

Basic has a quirk of its own: a 401 with a `Basic` challenge (RFC 9110 requires one) makes the
browser hold the request and show its own login prompt, with no credentials or wrong ones,
before Swagger UI sees the response. Headless Chromium waits for an answer forever, so that
test answers the prompt with Cancel over DevTools' Fetch domain.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.auth_server import (
    BASIC_PASSWORD,
    BASIC_USER,
    BEARER_TOKEN,
    COOKIE_KEY,
    COOKIE_NAME,
    HEADER_KEY,
    QUERY_KEY,
)
from tests.live import ROOT, free_port, stop, wait_for
from tests.test_docs_ui_browser import CHROMIUM, Page, chromium

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

# Each scheme is one `.auth-container` form in the dialog, found by the scheme name in its
# `h4 code`; the API key forms all give their input id="api_key_value", so inputs are only
# looked up inside their form.
DIALOG_INPUTS: dict[str, dict[str, str]] = {
    "bearerAuth": {"input": BEARER_TOKEN},
    "headerKeyAuth": {"input": HEADER_KEY},
    "queryKeyAuth": {"input": QUERY_KEY},
    "basicAuth": {"input[name=username]": BASIC_USER, "input[name=password]": BASIC_PASSWORD},
}


@dataclass(frozen=True)
class Operation:
    """One `GET /v1/whoami/...` operation, as Swagger UI knows it."""

    operation_id: str
    path: str


BEARER = Operation("getBearerCaller", "/v1/whoami/bearer")
HEADER = Operation("getHeaderKeyCaller", "/v1/whoami/header-key")
QUERY = Operation("getQueryKeyCaller", "/v1/whoami/query-key")
COOKIE = Operation("getCookieKeyCaller", "/v1/whoami/cookie-key")
BASIC = Operation("getBasicCaller", "/v1/whoami/basic")
PUBLIC = Operation("getPublicCaller", "/v1/whoami/public")


@dataclass(frozen=True)
class LiveResponse:
    """What Swagger UI shows of the response to "Execute", and the curl command it sent."""

    status: int
    body: Any
    headers: list[str]
    curl: str


@contextlib.contextmanager
def live_server(module: str, directory: Path, ready_path: str) -> Iterator[str]:
    """Run `python -m <module>` with PORT set; yield its URL once `ready_path` answers 200."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"{base_url}{ready_path}", process, log)
        yield base_url
    finally:
        stop(process)


def command(page: Page, method: str, **params: Any) -> dict[str, Any]:
    """Send a DevTools command, failing the test if the browser refuses it."""
    message = page.call(method, **params)
    if "error" in message:
        pytest.fail(f"{method} failed: {message['error']}")
    result: dict[str, Any] = message["result"]
    return result


def load_docs(page: Page, base_url: str) -> None:
    """Navigate to /v1/docs and wait until Swagger UI has rendered the operations."""
    page.evaluate("window.previousPage = true")  # gone once the new document is loaded
    command(page, "Page.navigate", url=f"{base_url}/v1/docs")
    page.wait_for("!window.previousPage && document.querySelectorAll('.opblock').length > 0")


def open_docs(page: Page, base_url: str) -> None:
    """Load /v1/docs afresh, without the stored authorizations or cookies of earlier tests."""
    command(page, "Network.clearBrowserCookies")
    command(page, "Storage.clearDataForOrigin", origin=base_url, storageTypes="local_storage")
    load_docs(page, base_url)


def authorize(page: Page, inputs: dict[str, dict[str, str]]) -> None:
    """Click "Authorize", fill and apply each scheme's form, and close the dialog."""
    page.evaluate("document.querySelector('.auth-wrapper button.authorize').click()")
    page.wait_for("!!document.querySelector('.dialog-ux .modal-ux .auth-container')")
    for scheme, values in inputs.items():
        form = (
            "[...document.querySelectorAll('.dialog-ux .auth-container')]"
            f".find(form => form.querySelector('h4 code')?.textContent === {json.dumps(scheme)})"
        )
        for selector, value in values.items():
            # React keeps its own copy of an input's value: set it the way typing does.
            page.evaluate(
                f"""(() => {{
                    const input = {form}.querySelector({json.dumps(selector)});
                    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')
                        .set.call(input, {json.dumps(value)});
                    input.dispatchEvent(new Event('input', {{bubbles: true}}));
                }})()"""
            )
        page.evaluate(f"{form}.querySelector('button.authorize[type=submit]').click()")
        page.wait_for(f"{form}.querySelector('h6')?.textContent === 'Authorized'")
    page.evaluate("document.querySelector('.dialog-ux button.close-modal').click()")
    page.wait_for("!document.querySelector('.dialog-ux .modal-ux')")


def open_operation(page: Page, operation: Operation) -> str:
    """Expand the operation, clear an earlier response, and return its block's selector."""
    block = f"#operations-whoami-{operation.operation_id}"
    page.evaluate(
        f"""(() => {{
            const block = document.querySelector('{block}');
            if (!block.classList.contains('is-open'))
                block.querySelector('button.opblock-summary-control').click();
            block.querySelector('.live-responses-table')
                && block.querySelector('button.btn-clear').click();
        }})()"""
    )
    # A click on Execute before Swagger UI has resolved the opened operation is lost.
    page.wait_for(
        f"!!document.querySelector('{block} button.execute') && !!window.ui.specSelectors"
        f".specResolvedSubtree(['paths', {json.dumps(operation.path)}, 'get'])"
        f" && !document.querySelector('{block} .live-responses-table')"
    )
    return block


def read_live_response(page: Page, block: str) -> LiveResponse:
    """Wait for the response Swagger UI shows under "Execute", and read it."""
    shown = page.wait_for(
        f"""(() => {{
            const table = document.querySelector('{block} .live-responses-table');
            return table && {{
                status: table.querySelector('tr.response td.response-col_status').textContent,
                body: table.querySelector('.highlight-code pre').textContent,
                headers: [...table.querySelectorAll('.headerline')]
                    .map(line => line.textContent.trim()),
                curl: document.querySelector('{block} .curl-command pre').textContent,
            }};
        }})()"""
    )
    return LiveResponse(
        status=int(shown["status"]),
        body=json.loads(shown["body"]),
        headers=shown["headers"],
        curl=shown["curl"],
    )


def try_it_out(page: Page, operation: Operation) -> LiveResponse:
    """Open the operation, click "Execute" and return the live response Swagger UI shows."""
    block = open_operation(page, operation)
    page.evaluate(f"document.querySelector('{block} button.execute').click()")
    return read_live_response(page, block)


def execute_cancelling_login_prompt(page: Page, operation: Operation) -> dict[str, Any]:
    """Click "Execute" and answer the browser's own login prompt with Cancel.

    A 401 with a `Basic` challenge makes the browser hold the request and ask the user for a
    password; DevTools' Fetch domain reports that prompt (`Fetch.authRequired`) and answers it.
    Returns the challenge the browser prompted for.
    """
    block = open_operation(page, operation)
    command(
        page,
        "Fetch.enable",
        patterns=[{"urlPattern": f"*{operation.path}*"}],
        handleAuthRequests=True,
    )

    def send(method: str, **params: Any) -> None:
        page.socket.send(json.dumps({"id": next(page.ids), "method": method, "params": params}))

    # Sent without waiting for the answer, so that no event is skipped while waiting.
    send("Runtime.evaluate", expression=f"document.querySelector('{block} button.execute').click()")
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            message = json.loads(page.socket.recv())
            if message.get("method") == "Fetch.requestPaused":
                send("Fetch.continueRequest", requestId=message["params"]["requestId"])
            elif message.get("method") == "Fetch.authRequired":
                send(
                    "Fetch.continueWithAuth",
                    requestId=message["params"]["requestId"],
                    authChallengeResponse={"response": "CancelAuth"},
                )
                challenge: dict[str, Any] = message["params"]["authChallenge"]
                return challenge
        pytest.fail(f"The browser did not ask for a password for {operation.path} in 15 s.")
    finally:
        command(page, "Fetch.disable")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, str]]:
    with (
        live_server(
            "tests.auth_server", tmp_path_factory.mktemp("server"), "/v1/whoami/public"
        ) as base_url,
        chromium(tmp_path_factory.mktemp("profile")) as page,
    ):
        yield page, base_url


@pytest.fixture
def docs(browser: tuple[Page, str]) -> tuple[Page, str]:
    """The Swagger UI page, loaded afresh: nothing authorized, no cookies."""
    page, base_url = browser
    open_docs(page, base_url)
    return page, base_url


@pytest.fixture
def authorized_docs(docs: tuple[Page, str]) -> tuple[Page, str]:
    """The page after the dialog was given the bearer token, both keys and the password."""
    authorize(docs[0], DIALOG_INPUTS)
    return docs


def test_swagger_ui_authorize_dialog_offers_every_scheme(docs):
    page, _ = docs

    page.evaluate("document.querySelector('.auth-wrapper button.authorize').click()")
    page.wait_for("!!document.querySelector('.dialog-ux .auth-container')")
    names = page.evaluate(
        "[...document.querySelectorAll('.dialog-ux .auth-container h4 code')]"
        ".map(code => code.textContent)"
    )

    assert names == ["basicAuth", "bearerAuth", "cookieKeyAuth", "headerKeyAuth", "queryKeyAuth"]


@pytest.mark.parametrize(
    ("operation", "challenge"),
    [  # Swagger UI shows the parts of a header value joined by "," alone
        (BEARER, 'Bearer realm="Auth demo"'),
        (HEADER, 'ApiKey realm="Auth demo",in="header",name="X-API-Key"'),
        (QUERY, 'ApiKey realm="Auth demo",in="query",name="api_key"'),
        (COOKIE, 'ApiKey realm="Auth demo",in="cookie",name="session_key"'),
    ],
    ids=["bearer", "header-key", "query-key", "cookie-key"],
)
def test_swagger_ui_try_it_out_before_authorize_returns_401(docs, operation, challenge):
    page, _ = docs

    response = try_it_out(page, operation)

    assert response.status == 401
    assert f"www-authenticate: {challenge}" in response.headers
    assert response.body["title"] == "Unauthorized"


@pytest.mark.parametrize(
    "inputs",
    [{}, {"basicAuth": {"input[name=username]": BASIC_USER, "input[name=password]": "wrong"}}],
    ids=["no-password", "wrong-password"],
)
def test_swagger_ui_try_it_out_basic_refused_prompts_for_password_then_returns_401(docs, inputs):
    """The browser, not Swagger UI, first sees the Basic challenge and asks for a password."""
    page, base_url = docs
    authorize(page, inputs)

    challenge = execute_cancelling_login_prompt(page, BASIC)
    response = read_live_response(page, f"#operations-whoami-{BASIC.operation_id}")

    assert challenge == {
        "source": "Server",
        "origin": base_url,
        "scheme": "basic",
        "realm": "Auth demo",
    }
    assert response.status == 401
    assert 'www-authenticate: Basic realm="Auth demo",charset="UTF-8"' in response.headers


@pytest.mark.parametrize(
    ("operation", "sent", "identity", "scheme"),
    [
        (BEARER, f"Authorization: Bearer {BEARER_TOKEN}", "bearer-client", "bearerAuth"),
        (HEADER, f"X-API-Key: {HEADER_KEY}", "header-key-client", "headerKeyAuth"),
        (QUERY, f"/v1/whoami/query-key?api_key={QUERY_KEY}'", "query-key-client", "queryKeyAuth"),
        (
            BASIC,
            "Authorization: Basic "
            + base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode(),
            "basic-user",
            "basicAuth",
        ),
    ],
    ids=["bearer", "header-key", "query-key", "basic"],
)
def test_swagger_ui_try_it_out_after_authorize_sends_credentials_and_returns_identity(
    authorized_docs, operation, sent, identity, scheme
):
    page, _ = authorized_docs

    response = try_it_out(page, operation)

    assert response.status == 200
    assert response.body == {"id": identity, "scheme": scheme}
    assert sent in response.curl


def test_swagger_ui_try_it_out_public_operation_without_authorize_returns_200(docs):
    page, _ = docs

    response = try_it_out(page, PUBLIC)

    assert response.status == 200
    assert response.body == {"id": None, "scheme": None}


def test_swagger_ui_authorization_after_reload_is_restored(authorized_docs):
    page, base_url = authorized_docs

    # persistAuthorization: the dialog's values are kept in localStorage across page loads
    load_docs(page, base_url)
    response = try_it_out(page, BEARER)

    assert response.status == 200
    assert response.body == {"id": "bearer-client", "scheme": "bearerAuth"}


def test_swagger_ui_cookie_key_in_browser_cookie_jar_is_sent_same_origin(docs):
    page, base_url = docs
    before = try_it_out(page, COOKIE)

    # As a login response would: an HttpOnly cookie that no page script can read or write.
    command(
        page,
        "Network.setCookie",
        name=COOKIE_NAME,
        value=COOKIE_KEY,
        url=base_url,
        path="/",
        httpOnly=True,
        sameSite="Strict",
    )
    response = try_it_out(page, COOKIE)

    assert before.status == 401
    assert response.status == 200
    assert response.body == {"id": "cookie-key-client", "scheme": "cookieKeyAuth"}
    assert "Cookie" not in response.curl  # sent by the browser, not by Swagger UI


def test_swagger_ui_cookie_key_from_dialog_is_stored_in_document_cookie(docs):
    page, base_url = docs

    authorize(page, {"cookieKeyAuth": {"input": COOKIE_KEY}})
    response = try_it_out(page, COOKIE)
    jar = command(page, "Network.getCookies", urls=[f"{base_url}{COOKIE.path}"])["cookies"]

    assert response.status == 200
    assert response.body == {"id": "cookie-key-client", "scheme": "cookieKeyAuth"}
    assert [(c["name"], c["value"], c["path"], c["secure"]) for c in jar] == [
        (COOKIE_NAME, COOKIE_KEY, "/v1", True)
    ]


def test_swagger_ui_cookie_key_from_dialog_without_browser_cookie_returns_401(docs):
    page, base_url = docs
    authorize(page, {"cookieKeyAuth": {"input": COOKIE_KEY}})

    # Swagger UI still adds `Cookie: session_key=...` to its request; the browser drops it.
    command(page, "Network.deleteCookies", name=COOKIE_NAME, url=f"{base_url}{COOKIE.path}")
    response = try_it_out(page, COOKIE)

    assert response.status == 401
    assert f"Cookie: {COOKIE_NAME}={COOKIE_KEY}" in response.curl
