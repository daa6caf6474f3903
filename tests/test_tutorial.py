"""The tutorial (docs/tutorial.md) and its apps (docs/examples/tutorial/stepN.py).

Each "Step N" section of the page is replayed against a fresh app of that step: every
`curl` and `flask ... restkit` command of its `console` blocks runs through the Flask test
client (or CLI runner), and the block must print exactly what the page shows. The other
tests check what the page says in prose, and that a step's module can be loaded again
without sharing data with an earlier copy.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from flask import Flask

from tests.transcripts import console_blocks as page_blocks
from tests.transcripts import render, run_curl
from tests.transcripts import replay as replay_block

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial.md"
STEPS = ROOT / "docs" / "examples" / "tutorial"
YAML = re.compile(r"^```yaml\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SNIPPET = re.compile(r'--8<-- "docs/examples/tutorial/(step\d+)\.py(?::(\w+))?"')
# The app each section of the page runs: step 6 adds no code, it reads step 5's document.
APPS = {1: "step1", 2: "step2", 3: "step3", 4: "step4", 5: "step5", 6: "step5"}
# Commands a reader types that a test cannot replay: their output is the page's own.
NOT_REPLAYED = ("python -m venv ", "source ", "pip install ", "flask --app bookmarks run")
MAYA = {"Authorization": "Bearer maya-3f9c1a7e52d8b604"}
LEO = {"Authorization": "Bearer leo-8b21d0c4f7e9a356"}


# --- reading the page -----------------------------------------------------------------------


def sections() -> dict[int, str]:
    """Return the text of each "## Step N" section of the page, by N."""
    found: dict[int, str] = {}
    for part in re.split(r"^(?=## )", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE):
        heading = re.match(r"## Step (\d+):", part)
        if heading:
            found[int(heading.group(1))] = part
    return found


def console_blocks(text: str) -> list[str]:
    return page_blocks(text)


def load_step(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import docs/examples/tutorial/<name>.py afresh, so its data starts empty."""
    module_name = f"docs_tutorial_{name}"
    spec = importlib.util.spec_from_file_location(module_name, STEPS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    return module


# --- replaying a console block --------------------------------------------------------------


def replay(app: Flask, block: str, variables: dict[str, str]) -> str:
    """Run the block's commands; return what the terminal would show.

    `curl` runs through the test client, `flask --app bookmarks restkit ...` through the CLI
    runner; the commands of `NOT_REPLAYED` keep the output the page shows.
    """

    def run(words: list[str]) -> str:
        if words[0] == "curl":
            return render(run_curl(app.test_client(), words))
        if words[:4] == ["flask", "--app", "bookmarks", "restkit"]:
            result = app.test_cli_runner().invoke(args=words[3:])
            return str(result.output).rstrip("\n")
        raise AssertionError(f"a command the test cannot replay: {words!r}")

    return replay_block(block, variables, run, shown_as_is=NOT_REPLAYED)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def step5(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_step("step5", monkeypatch)


@pytest.fixture
def app5(step5: ModuleType) -> Iterator[Flask]:
    app: Flask = step5.create_app()
    yield app
    with app.app_context():
        step5.db.session.remove()
        step5.db.engine.dispose()


# --- the page -------------------------------------------------------------------------------


def test_page_steps_are_numbered_one_to_six() -> None:
    assert sorted(sections()) == sorted(APPS)


@pytest.mark.parametrize("number", sorted(APPS))
def test_page_step_transcripts_print_what_the_step_answers(
    number: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # where `restkit spec -o openapi.json` writes
    module = load_step(APPS[number], monkeypatch)
    app: Flask = module.create_app()
    blocks = console_blocks(sections()[number])
    variables: dict[str, str] = {}

    printed = [replay(app, block, variables) for block in blocks]

    assert blocks
    assert printed == blocks


def test_page_transcripts_outside_the_steps_run_nothing() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for body in sections().values():
        text = text.replace(body, "")

    commands = [
        line for block in console_blocks(text) for line in block.splitlines() if line[:2] == "$ "
    ]

    assert commands == []


@pytest.mark.parametrize("number", sorted(APPS))
def test_page_step_shows_code_of_its_own_step_only(number: int) -> None:
    included = SNIPPET.findall(sections()[number])
    source = {name: (STEPS / f"{name}.py").read_text(encoding="utf-8") for name, _ in included}

    assert {name for name, _ in included} <= {APPS[number]}
    for name, section in included:
        if section:
            assert f"# --8<-- [start:{section}]" in source[name]
            assert f"# --8<-- [end:{section}]" in source[name]


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_page_step_shows_or_links_the_whole_file(number: int) -> None:
    section = sections()[number]
    name = APPS[number]

    shown = f'--8<-- "docs/examples/tutorial/{name}.py"' in section
    linked = f"](examples/tutorial/{name}.py)" in section

    assert shown or linked


def test_page_operation_table_matches_the_document(app5: Flask, step5: ModuleType) -> None:
    spec = step5.api.spec(app5)
    section = sections()[6]
    rows = re.findall(r"^\| `(\w+) (/\S+)` \| `(\w+)` \| (.+?) \|$", section, re.MULTILINE)

    documented = {
        (method.upper(), path): (operation["operationId"], operation["summary"])
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }

    assert len(rows) == 6
    assert {(m, p): (o, s) for m, p, o, s in rows} == documented


def test_page_component_excerpt_is_the_document_s(app5: Flask, step5: ModuleType) -> None:
    spec = step5.api.spec(app5)
    excerpts = YAML.findall(sections()[6])

    assert len(excerpts) == 1
    assert yaml.safe_load(excerpts[0]) == {"Bookmark": spec["components"]["schemas"]["Bookmark"]}


# --- the steps' apps ------------------------------------------------------------------------


def test_step5_written_document_is_the_one_served(
    app5: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)

    result = app5.test_cli_runner().invoke(args=["restkit", "spec", "-o", "openapi.json"])
    served = app5.test_client().get("/openapi.json")

    assert result.exit_code == 0
    assert served.status_code == 200
    assert json.loads((tmp_path / "openapi.json").read_text()) == served.get_json()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/openapi.json", "application/json"),
        ("/openapi.yaml", "application/yaml"),
        ("/docs", "text/html"),
    ],
)
def test_step5_document_and_swagger_ui_without_a_token_return_200(
    app5: Flask, path: str, content_type: str
) -> None:
    response = app5.test_client().get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)


def test_step5_patch_operation_lists_the_problems_of_the_page(
    app5: Flask, step5: ModuleType
) -> None:
    spec = step5.api.spec(app5)

    patch = spec["paths"]["/bookmarks/{bookmark_id}"]["patch"]

    assert {"401", "404", "412", "422", "428"} <= set(patch["responses"])
    assert patch["security"] == [{"bearerAuth": []}]


def test_step4_list_with_its_weak_etag_returns_304(monkeypatch: pytest.MonkeyPatch) -> None:
    client = load_step("step4", monkeypatch).create_app().test_client()
    client.post("/bookmarks", json={"url": "https://www.sqlite.org/", "title": "SQLite"})
    listed = client.get("/bookmarks")

    again = client.get("/bookmarks", headers={"If-None-Match": listed.headers["ETag"]})

    assert listed.headers["ETag"].startswith('W/"')
    assert again.status_code == 304
    assert again.get_data() == b""


@pytest.mark.parametrize("name", ["step1", "step2", "step3", "step4", "step5"])
def test_step_loaded_twice_shares_no_data(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    headers = MAYA if name == "step5" else {}
    bookmark = {"url": "https://flask.palletsprojects.com/", "title": "Flask"}
    first = load_step(name, monkeypatch).create_app().test_client()
    before = first.get("/bookmarks", headers=headers).get_json()
    if name != "step1":  # step 1 only reads
        assert first.post("/bookmarks", json=bookmark, headers=headers).status_code == 201

    second = load_step(name, monkeypatch).create_app().test_client()
    listed = second.get("/bookmarks", headers=headers)

    assert listed.status_code == 200
    assert listed.get_json() == before


@pytest.mark.parametrize("name", ["step3", "step4", "step5"])
def test_step_two_apps_of_one_module_have_separate_databases(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = MAYA if name == "step5" else {}
    module = load_step(name, monkeypatch)
    first = module.create_app().test_client()
    second = module.create_app().test_client()

    created = first.post(
        "/bookmarks", json={"url": "https://www.sqlite.org/", "title": "SQLite"}, headers=headers
    )
    listed = second.get("/bookmarks", headers=headers)

    assert created.status_code == 201
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "0"
    assert listed.get_json() == []


def test_step5_update_of_another_users_bookmark_returns_404_and_keeps_it(
    app5: Flask,
) -> None:
    client = app5.test_client()
    bookmark = {"url": "https://www.sqlite.org/", "title": "SQLite"}
    assert client.post("/bookmarks", json=bookmark, headers=MAYA).status_code == 201

    patched = client.patch(
        "/bookmarks/1",
        data='{"title": "Mine now"}',
        headers={**LEO, "If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
    )
    replaced = client.put(
        "/bookmarks/1", json={**bookmark, "title": "Mine"}, headers={**LEO, "If-Match": '"1"'}
    )
    kept = client.get("/bookmarks/1", headers=MAYA)

    assert patched.status_code == 404
    assert replaced.status_code == 404
    assert kept.status_code == 200
    assert kept.headers["ETag"] == '"1"'
    assert kept.get_json()["title"] == "SQLite"


def test_step5_bookmark_is_stored_with_its_owner(app5: Flask, step5: ModuleType) -> None:
    client = app5.test_client()

    created = client.post(
        "/bookmarks", json={"url": "https://www.sqlite.org/", "title": "SQLite"}, headers=LEO
    )

    assert created.status_code == 201
    assert "owner" not in created.get_json()
    with app5.app_context():
        stored = step5.db.session.get(step5.Bookmark, 1)
        assert stored.owner == "leo"
