"""Pagination: where it is declared, how it meets the operation's query, the docs example.

Declared on an Api, a Blueprint or a Resource, a pagination applies to the GETs of lists;
an operation says `pagination=True` to use it, gives its own, or `pagination=False`.
Mistakes are a `DeclarationError`, at class creation or `Api.init_app`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import RAISE, Schema, fields

from restkit import Api, Blueprint, DeclarationError, Resource, operation
from restkit.pagination import (
    CursorPagination,
    Page,
    PagePagination,
    PageRequest,
    Pagination,
)
from tests.pagination_helpers import (
    PAGE_RANGE,
    PROBLEM_JSON,
    SIZE_RANGE,
    Calls,
    ItemSchema,
    ids,
    items,
    links,
    unprocessable,
)
from tests.test_docs_examples import load_example

MakeClient = Callable[..., FlaskClient]
SMALL = PagePagination(default_size=2, max_size=4)
SECRET = "a secret of more than sixteen characters"


def serve(
    routes: dict[str, type[Resource]],
    *,
    blueprint: dict[str, Any] | None = None,
    **api_kwargs: Any,
) -> FlaskClient:
    """Like `make_client`, with keyword arguments for the blueprint too (and a SECRET_KEY)."""
    bp = Blueprint("test", **(blueprint or {}))
    for rule, resource in routes.items():
        bp.add_resource(resource, rule)
    app = Flask(__name__)
    app.secret_key = SECRET
    api = Api(**api_kwargs)
    api.register_blueprint(bp)
    api.init_app(app)
    return app.test_client()


class Item(Resource):
    @operation(response=ItemSchema)
    def get(self, item_id: int) -> dict[str, int]:
        return {"id": item_id}


# --- levels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_resource", "levels"),
    [(None, {"pagination": SMALL}), (None, {"blueprint": {"pagination": SMALL}}), (SMALL, {})],
    ids=["api", "blueprint", "resource"],
)
def test_pagination_declared_on_a_level_paginates_its_list_gets(
    on_resource: Pagination | None, levels: dict[str, Any]
) -> None:
    calls: Calls = []
    resource = items(None, on_resource=on_resource, calls=calls)
    client = serve({"/items": resource, "/items/<int:item_id>": Item}, **levels)

    listed = client.get("/items?page=2")
    item = client.get("/items/3")

    assert listed.status_code == 200
    assert links(listed) == {
        "first": "/items?page=1",
        "prev": "/items?page=1",
        "next": "/items?page=3",
        "last": "/items?page=4",
    }
    assert ids(listed.get_json()) == [3, 4]
    assert calls[0][0] == PageRequest("page", 2, number=2, count=True)
    # A GET of one item is not a list: the pagination does not apply to it.
    assert item.status_code == 200
    assert "Link" not in item.headers
    assert item.get_json() == {"id": 3}


@pytest.mark.parametrize(
    ("api", "blueprint", "resource", "operation_level", "size"),
    [
        (PagePagination(default_size=5), SMALL, None, None, 2),
        (PagePagination(default_size=5), None, SMALL, None, 2),
        (None, PagePagination(default_size=5), SMALL, None, 2),
        (PagePagination(default_size=5), None, PagePagination(default_size=4), SMALL, 2),
        (SMALL, None, None, PagePagination(default_size=3), 3),
    ],
    ids=[
        "blueprint-over-api",
        "resource-over-api",
        "resource-over-blueprint",
        "op-over-all",
        "op-over-api",
    ],
)
def test_pagination_nearest_level_wins(
    api: Pagination | None,
    blueprint: Pagination | None,
    resource: Pagination | None,
    operation_level: Pagination | None,
    size: int,
) -> None:
    calls: Calls = []
    client = serve(
        {"/items": items(operation_level, on_resource=resource, calls=calls)},
        blueprint={"pagination": blueprint},
        pagination=api,
    )

    response = client.get("/items")

    assert response.status_code == 200
    assert len(response.get_json()) == size
    assert calls[0][0].limit == size


@pytest.mark.parametrize(
    ("api", "blueprint", "resource", "kind", "size"),
    [
        (None, None, None, "page", 20),  # nothing configured: PagePagination()'s defaults
        (SMALL, None, None, "page", 2),
        (SMALL, CursorPagination(default_size=3), None, "cursor", 3),
        (SMALL, None, CursorPagination(default_size=4), "cursor", 4),
        (SMALL, False, None, "page", 2),  # False says nothing about how: the API's is used
        (SMALL, None, False, "page", 2),
        (SMALL, None, True, "page", 2),
    ],
)
def test_pagination_true_on_operation_uses_the_nearest_configured_one(
    api: Pagination | None,
    blueprint: Pagination | bool | None,
    resource: Pagination | bool | None,
    kind: str,
    size: int,
) -> None:
    calls: Calls = []
    client = serve(
        {"/items": items(True, on_resource=resource, rows=[], calls=calls)},
        blueprint={"pagination": blueprint},
        pagination=api,
    )

    response = client.get("/items")

    assert response.status_code == 200
    [(page, _)] = calls
    assert (page.kind, page.limit) == (kind, size)


@pytest.mark.parametrize(
    ("api", "blueprint", "kind"),
    [(SMALL, None, "page"), (None, SMALL, "page"), (SMALL, CursorPagination(), "cursor")],
)
def test_pagination_true_on_resource_uses_the_level_above(
    api: Pagination | None, blueprint: Pagination | None, kind: str
) -> None:
    calls: Calls = []
    client = serve(
        {"/items": items(None, on_resource=True, rows=[], calls=calls)},
        blueprint={"pagination": blueprint},
        pagination=api,
    )

    response = client.get("/items")

    assert response.status_code == 200
    assert calls[0][0].kind == kind


@pytest.mark.parametrize(
    ("operation_level", "resource", "blueprint"),
    [(False, None, None), (None, False, None), (None, None, False), (False, SMALL, SMALL)],
    ids=["operation", "resource", "blueprint", "operation-under-both"],
)
def test_pagination_false_switches_it_off_below_its_level(
    operation_level: bool | None, resource: Pagination | bool | None, blueprint: Any
) -> None:
    def get(self: Resource) -> list[dict[str, int]]:
        return [{"id": 1}]

    declared = operation(response=ItemSchema(many=True), pagination=operation_level)
    resource_class = type("Items", (Resource,), {"get": declared(get), "pagination": resource})
    client = serve(
        {"/items": resource_class}, blueprint={"pagination": blueprint}, pagination=SMALL
    )

    response = client.get("/items?page=2")

    assert response.status_code == 200
    assert "Link" not in response.headers
    assert "X-Total-Count" not in response.headers
    assert response.get_json() == [{"id": 1}]


def test_pagination_applies_to_get_only_not_to_a_post_of_a_list() -> None:
    class Batch(Resource):
        @operation(body=ItemSchema(many=True), response=ItemSchema(many=True))
        def post(self, body: list[dict[str, int]]) -> list[dict[str, int]]:
            return body

    client = serve({"/batch": Batch}, pagination=SMALL)

    response = client.post("/batch", json=[{"id": 1}, {"id": 2}, {"id": 3}])

    assert response.status_code == 200
    assert "Link" not in response.headers
    assert response.get_json() == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_pagination_method_taking_keyword_arguments_receives_page() -> None:
    calls: list[Any] = []

    class Items(Resource):
        @operation(response=ItemSchema(many=True))
        def get(self, **arguments: Any) -> Page[dict[str, int]]:
            calls.append(arguments)
            return Page([], total=0)

    client = serve({"/items": Items}, pagination=SMALL)

    response = client.get("/items?page=3")

    assert response.status_code == 200
    assert calls == [{"page": PageRequest("page", 2, number=3, count=True)}]


# --- declaration errors ------------------------------------------------------------------


def unpaged(
    on_operation: Pagination | bool | None, on_resource: Pagination | None
) -> type[Resource]:
    """Return a resource `Unpaged` whose list GET takes no `page`."""

    def get(self: Resource) -> list[dict[str, int]]:
        return []

    declared = operation(response=ItemSchema(many=True), pagination=on_operation)
    return type("Unpaged", (Resource,), {"get": declared(get), "pagination": on_resource})


MISSING_PAGE = (
    "Unpaged.get is paginated but has no parameter named 'page' to receive the requested "
    "page. Add `page` to its parameters (or declare pagination=False)."
)


@pytest.mark.parametrize(
    ("on_operation", "on_resource", "levels"),
    [
        (None, None, {"pagination": SMALL}),
        (None, None, {"blueprint": {"pagination": SMALL}}),
        (None, SMALL, {}),
        (SMALL, None, {}),
        (True, None, {}),
    ],
    ids=["api", "blueprint", "resource", "operation", "operation-true"],
)
def test_pagination_method_without_page_raises_at_init_app(
    on_operation: Pagination | bool | None, on_resource: Pagination | None, levels: dict[str, Any]
) -> None:
    resource = unpaged(on_operation, on_resource)

    with pytest.raises(DeclarationError, match=f"^{re.escape(MISSING_PAGE)}$"):
        serve({"/items": resource}, **levels)


@pytest.mark.parametrize(
    "pagination", [True, SMALL, CursorPagination()], ids=["true", "page", "cursor"]
)
def test_pagination_of_a_response_that_is_not_a_list_raises_at_init_app(
    pagination: Pagination | bool,
) -> None:
    class Report(Resource):
        @operation(response=ItemSchema, pagination=pagination)
        def get(self, page: PageRequest) -> dict[str, int]:
            return {"id": 1}

    with pytest.raises(
        DeclarationError,
        match=re.escape(
            "Report.get is paginated, but its response is not a list. Declare "
            "response=ItemSchema(many=True), or pagination=False."
        ),
    ):
        serve({"/report": Report})


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("pagination", [True, SMALL])
def test_pagination_on_a_method_other_than_get_raises_at_class_creation(
    method: str, pagination: Pagination | bool
) -> None:
    def answer(self: Resource, page: PageRequest) -> list[dict[str, int]]:
        return []

    declared = operation(response=ItemSchema(many=True), pagination=pagination)

    with pytest.raises(
        DeclarationError,
        match=re.escape(
            f"Items.{method} declares pagination; only a GET returns pages. Move it to get()."
        ),
    ):
        type("Items", (Resource,), {method: declared(answer)})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: PagePagination(default_size=0),
            "PagePagination default_size=0 must be a positive integer.",
        ),
        (
            lambda: PagePagination(default_size=-1),
            "PagePagination default_size=-1 must be a positive integer.",
        ),
        (
            lambda: PagePagination(default_size=True),
            "PagePagination default_size=True must be a positive integer.",
        ),
        (
            lambda: PagePagination(default_size="20"),
            "PagePagination default_size='20' must be a positive integer.",
        ),
        (
            lambda: PagePagination(max_size=0),
            "PagePagination max_size=0 must be a positive integer.",
        ),
        (
            lambda: PagePagination(max_size=2.5),
            "PagePagination max_size=2.5 must be a positive integer.",
        ),
        (
            lambda: PagePagination(default_size=30, max_size=20),
            "PagePagination default_size=30 is larger than max_size=20.",
        ),
        (
            lambda: PagePagination(count="x"),
            "PagePagination count='x'; use 'always', 'on_request' or 'never'.",
        ),
        (
            lambda: PagePagination(count=True),
            "PagePagination count=True; use 'always', 'on_request' or 'never'.",
        ),
        (
            lambda: CursorPagination(default_size=0),
            "CursorPagination default_size=0 must be a positive integer.",
        ),
        (
            lambda: CursorPagination(default_size=101),
            "CursorPagination default_size=101 is larger than max_size=100.",
        ),
        (lambda: CursorPagination(max_age=0), "CursorPagination max_age=0 must be seconds."),
        (lambda: CursorPagination(max_age=-5), "CursorPagination max_age=-5 must be seconds."),
        (lambda: CursorPagination(max_age=True), "CursorPagination max_age=True must be seconds."),
        (lambda: CursorPagination(max_age=1.5), "CursorPagination max_age=1.5 must be seconds."),
    ],
)
def test_pagination_with_bad_value_raises_declaration_error(
    make: Callable[[], Pagination], message: str
) -> None:
    with pytest.raises(DeclarationError, match=f"^{re.escape(message)}$"):
        make()


# --- with a declared query schema --------------------------------------------------------


class TaskFilter(Schema):
    done = fields.Boolean()


class StrictFilter(Schema):
    class Meta:
        unknown = RAISE

    done = fields.Boolean()


@pytest.mark.parametrize("query", [TaskFilter, StrictFilter])
def test_page_with_query_schema_loads_both_apart(
    make_client: MakeClient, query: type[Schema]
) -> None:
    calls: Calls = []
    client = make_client({"/items": items(query=query, calls=calls)})

    response = client.get("/items?done=true&page=2&per_page=2")

    assert response.status_code == 200
    assert links(response) == {
        "first": "/items?done=true&page=1&per_page=2",
        "prev": "/items?done=true&page=1&per_page=2",
        "next": "/items?done=true&page=3&per_page=2",
        "last": "/items?done=true&page=4&per_page=2",
    }
    [(page, loaded)] = calls
    assert loaded == {"done": True}
    assert (page.number, page.limit) == (2, 2)


def test_page_with_strict_query_schema_still_rejects_unknown_parameters(
    make_client: MakeClient,
) -> None:
    client = make_client({"/items": items(query=StrictFilter)})

    response = client.get("/items?page=1&colour=red")

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("colour", "Unknown field."))


@pytest.mark.parametrize("query", [TaskFilter, StrictFilter])
def test_page_with_query_schema_reports_errors_of_both_in_one_422(
    make_client: MakeClient, query: type[Schema]
) -> None:
    calls: Calls = []
    client = make_client({"/items": items(query=query, calls=calls)})

    response = client.get("/items?done=maybe&page=0&per_page=9")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        ("done", "Not a valid boolean."),
        ("page", PAGE_RANGE),
        ("per_page", SIZE_RANGE),
    )
    assert calls == []


@pytest.mark.parametrize(
    "query",
    [
        None,
        TaskFilter,
    ],
    ids=["alone", "with-query-schema"],
)
def test_page_repeated_page_key_returns_422_with_one_error(
    make_client: MakeClient, query: type[Schema] | None
) -> None:
    client = make_client({"/items": items(query=query)})

    response = client.get("/items?page=1&page=2")

    assert response.status_code == 422
    assert response.get_json() == unprocessable(("page", "Expected one value, got 2."))


# --- the docs example (docs/pagination.md) -----------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    return load_example("pagination", monkeypatch).create_app().test_client()


def test_example_tasks_first_page_has_links_and_total(example: FlaskClient) -> None:
    response = example.get("/v1/tasks")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Link"] == (
        '<http://localhost/v1/tasks?page=1>; rel="first", '
        '<http://localhost/v1/tasks?page=2>; rel="next", '
        '<http://localhost/v1/tasks?page=4>; rel="last"'
    )
    assert response.headers["X-Total-Count"] == "7"
    assert response.get_json() == [
        {"id": 1, "title": "Task 1", "done": False},
        {"id": 2, "title": "Task 2", "done": False},
    ]


def test_example_tasks_filtered_page_keeps_the_filter_in_links(example: FlaskClient) -> None:
    response = example.get("/v1/tasks?done=false&page=2")

    assert response.status_code == 200
    assert links(response) == {
        "first": "/v1/tasks?done=false&page=1",
        "prev": "/v1/tasks?done=false&page=1",
        "next": "/v1/tasks?done=false&page=3",
        "last": "/v1/tasks?done=false&page=3",
    }
    assert response.headers["X-Total-Count"] == "5"
    assert ids(response.get_json()) == [4, 5]


def test_example_tasks_with_bad_page_and_filter_returns_one_422(example: FlaskClient) -> None:
    response = example.get("/v1/tasks?done=maybe&per_page=500")

    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json() == unprocessable(
        ("done", "Not a valid boolean."),
        ("per_page", "Must be greater than or equal to 1 and less than or equal to 50."),
    )


@pytest.mark.parametrize(
    ("pagination", "name"),
    [
        (SMALL, "page"),
        (SMALL, "per_page"),
        (PagePagination(count="on_request"), "count"),
        (CursorPagination(), "limit"),
        (CursorPagination(), "cursor"),
    ],
)
def test_pagination_with_query_field_named_like_a_page_parameter_raises_declaration_error(
    pagination: Pagination, name: str
) -> None:
    query = Schema.from_dict({name: fields.Integer()}, name="Filter")

    with pytest.raises(DeclarationError, match=name):
        serve({"/items": items(pagination, query=query)})
