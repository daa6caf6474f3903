"""Error translators: exceptions of other libraries answered as the problems they stand for."""

from __future__ import annotations

import logging

import marshmallow as ma
import pytest
import sqlalchemy as sa
from flask import got_request_exception
from sqlalchemy import exc as sa_exc

import restkit.sqla  # noqa: F401  (registers database_problem)
from restkit import Resource, operation
from restkit import problems as p
from restkit.sqla.errors import RETRY_AFTER, database_problem


class SearchTimeout(Exception):
    """A search client's timeout: the translators below make it a 503."""


class SearchMissing(Exception):
    """A missing search index: a 404."""


def _search_problem(error: BaseException) -> p.Problem | None:
    if isinstance(error, SearchTimeout):
        return p.ServiceUnavailable("Search is busy.", headers={"Retry-After": "2"})
    if isinstance(error, SearchMissing):
        return p.NotFound("There is no such index.")
    return None


def _raising(error: BaseException) -> type[Resource]:
    class Search(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            raise error

    return Search


@pytest.fixture
def translators(monkeypatch: pytest.MonkeyPatch) -> list[p.ErrorTranslator]:
    """The registry, restored after the test."""
    registry = list(p._TRANSLATORS)
    monkeypatch.setattr(p, "_TRANSLATORS", registry)
    return registry


def test_translated_error_is_answered_with_its_problem_and_a_5xx_is_logged(
    make_client, translators, caplog
):
    assert p.add_error_translator(_search_problem) is _search_problem
    client = make_client({"/search": _raising(SearchTimeout("slow"))})
    signalled: list[BaseException] = []

    def remember(sender, exception, **extra):
        signalled.append(exception)

    with caplog.at_level(logging.ERROR), got_request_exception.connected_to(remember):
        response = client.get("/search")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "2"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "Search is busy.",
    }
    assert [type(error) for error in signalled] == [SearchTimeout]
    assert any(record.exc_info and record.exc_info[0] is SearchTimeout for record in caplog.records)


def test_translated_4xx_is_not_logged_as_a_server_error(make_client, translators, caplog):
    p.add_error_translator(_search_problem)
    client = make_client({"/search": _raising(SearchMissing())})

    with caplog.at_level(logging.ERROR):
        response = client.get("/search")

    assert response.status_code == 404
    assert response.get_json()["detail"] == "There is no such index."
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_error_no_translator_knows_is_a_logged_500(make_client, translators, caplog):
    p.add_error_translator(_search_problem)
    client = make_client({"/search": _raising(KeyError("x"))})

    with caplog.at_level(logging.ERROR):
        response = client.get("/search")

    assert response.status_code == 500
    assert response.get_json()["title"] == "Internal Server Error"
    assert any(record.exc_info and record.exc_info[0] is KeyError for record in caplog.records)


def test_translators_are_asked_in_order_and_kept_once(translators):
    first_seen: list[str] = []

    def first(error: BaseException) -> p.Problem | None:
        first_seen.append("first")
        return None

    p.add_error_translator(first)
    p.add_error_translator(_search_problem)
    p.add_error_translator(first)

    assert translators[-2:] == [first, _search_problem]
    problem = p.translate_error(SearchMissing())
    assert isinstance(problem, p.NotFound)
    assert first_seen == ["first"]
    assert p.translate_error(ValueError()) is None


def test_importing_restkit_sqla_registers_database_problem():
    assert database_problem in p._TRANSLATORS


def test_lost_database_outside_a_model_resource_is_503(make_client):
    lost = sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))
    client = make_client({"/search": _raising(lost)})

    response = client.get("/search")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER)
    assert response.get_json()["detail"] == "The database is unavailable or busy; retry shortly."


def test_unique_violation_outside_a_model_resource_is_409(make_client):
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE tags (name TEXT UNIQUE)"))
        connection.execute(sa.text("INSERT INTO tags VALUES ('a')"))

    class Tags(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self):
            with engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO tags VALUES ('a')"))
            return {"id": 1}

    response = make_client({"/tags": Tags}).get("/tags")

    assert response.status_code == 409
    assert response.get_json()["detail"] == (
        "Another resource already has this name; choose another value."
    )


def test_docs_translator_example_answers_503(make_client, translators):
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "errors.md").read_text(encoding="utf-8")
    section = page.split("## Errors from other libraries", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/errors.md", "exec"), namespace)
    timeout = namespace["SearchTimeout"]
    assert isinstance(timeout, type)

    response = make_client({"/search": _raising(timeout())}).get("/search")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["detail"] == "Search is busy; retry shortly."
