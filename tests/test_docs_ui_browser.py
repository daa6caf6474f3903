"""Swagger UI in a real browser: it renders the document and "Try it out" calls the app.

Headless Chromium (Debian's `chromium` package) is driven over the DevTools protocol. The
page, its assets and the request it sends all go to the example service on 127.0.0.1; the
browser starts with its background networking off. Without Chromium the test is skipped,
except under CI=true, where `.ci/run` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from tests.live import example_service, free_port, stop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI") == "true":
    raise RuntimeError("Chromium is required under CI=true; .ci/run installs it.")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


class Page:
    """One browser tab, driven with DevTools protocol commands."""

    def __init__(self, socket_url: str) -> None:
        self.socket = websocket.create_connection(socket_url, timeout=20)
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message: dict[str, Any] = json.loads(self.socket.recv())
            if message.get("id") == number:
                return message

    def evaluate(self, expression: str) -> Any:
        message = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "error" in message or "exceptionDetails" in message.get("result", {}):
            pytest.fail(f"The page could not evaluate {expression!r}: {message}")
        return message["result"]["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 15) -> Any:
        """Evaluate until the expression is truthy; fail after `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        pytest.fail(f"Timed out waiting for: {expression}")


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Page]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-allow-origins=*",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2) as answer:
                    tabs = json.load(answer)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Chromium did not start within 20 s.")
                time.sleep(0.2)
        page = Page(next(tab for tab in tabs if tab["type"] == "page")["webSocketDebuggerUrl"])
        try:
            yield page
        finally:
            page.socket.close()
    finally:
        stop(process)


@pytest.fixture(scope="module")
def swagger_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, str]]:
    with (
        example_service(tmp_path_factory.mktemp("server")) as base_url,
        chromium(tmp_path_factory.mktemp("profile")) as page,
    ):
        page.call("Page.navigate", url=f"{base_url}/docs")
        page.wait_for("document.querySelectorAll('.opblock').length > 0")
        yield page, base_url


def test_swagger_ui_in_browser_lists_every_operation_by_operation_id(swagger_ui):
    page, _ = swagger_ui

    ids = page.evaluate("[...document.querySelectorAll('.opblock')].map(e => e.id)")

    assert ids == [
        "operations-health-getHealth",
        "operations-accounts-createToken",
        "operations-accounts-getMe",
        "operations-accounts-createUser",
        "operations-projects-listProjects",
        "operations-projects-createProject",
        "operations-projects-getProject",
        "operations-projects-updateProject",
        "operations-projects-deleteProject",
        "operations-projects-patchProject",
        "operations-tasks-listTasks",
        "operations-tasks-createTask",
        "operations-tasks-getTask",
        "operations-tasks-updateTask",
        "operations-tasks-deleteTask",
        "operations-tasks-patchTask",
        "operations-tasks-completeTask",
        "operations-attachments-deleteAttachment",
        "operations-attachments-getAttachmentContent",
        "operations-attachments-listAttachments",
        "operations-attachments-createAttachment",
    ]


def test_swagger_ui_in_browser_loaded_only_same_origin_resources(swagger_ui):
    page, base_url = swagger_ui

    urls = page.evaluate("performance.getEntriesByType('resource').map(entry => entry.name)")

    assert urls
    assert [url for url in urls if not url.startswith(base_url)] == []


def test_swagger_ui_try_it_out_signs_up_a_user_on_the_app(swagger_ui):
    page, base_url = swagger_ui
    operation = "#operations-accounts-createUser"
    page.evaluate(f"document.querySelector('{operation} button.opblock-summary-control').click()")
    page.wait_for(f"!!document.querySelector('{operation} textarea.body-param__text')")
    credentials = {"email": "swagger@example.com", "password": "from the browser"}
    body = json.dumps({**credentials, "display_name": "From Swagger UI"})
    page.evaluate(
        f"""(() => {{
            const area = document.querySelector('{operation} textarea.body-param__text');
            const setter = Object.getOwnPropertyDescriptor(
                HTMLTextAreaElement.prototype, 'value').set;
            setter.call(area, {json.dumps(body)});
            area.dispatchEvent(new Event('input', {{bubbles: true}}));
        }})()"""
    )
    page.evaluate(f"document.querySelector('{operation} button.execute').click()")

    table = page.wait_for(f"document.querySelector('{operation} .live-responses-table')?.innerText")

    assert "201" in table
    assert '"display_name": "From Swagger UI"' in table
    assert "password" not in table
    assert "location: /v1/me" in table.lower()
    request = urllib.request.Request(
        f"{base_url}/v1/auth/tokens",
        data=json.dumps(credentials).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        assert json.load(response)["token_type"] == "Bearer"
