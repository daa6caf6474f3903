"""`ModelCollection`: the rows of a model; list them (filtered, sorted, paginated), add one."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import marshmallow as ma
from flask import current_app, request, url_for
from sqlalchemy import Select, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

from restkit.blueprint import rule_arguments
from restkit.errors import DeclarationError, ResponseError
from restkit.operation import operation
from restkit.pagination import Page, PageRequest
from restkit.problems import NotFound
from restkit.resource import Resource
from restkit.sqla._rows import fits, last_argument, storable
from restkit.sqla.filtering import Filter, FilterPlan
from restkit.sqla.item import ModelItem
from restkit.sqla.paging import paginate
from restkit.sqla.resource import ModelResource

__all__ = ["ModelCollection"]


class ModelCollection(ModelResource):
    """The rows of a model: `GET` lists them (filtered, sorted, paginated), `POST` adds one.

    Attributes:
        filters: What clients may filter by: attribute name to operator(s), such as
            `{"done": "eq", "due_at": ("lt", "gte")}`, or a parameter name to a
            `Filter` (see `restkit.sqla.filtering` for the syntax).
        sortable: The attributes `sort` accepts.
        default_sort: The order without `sort`, such as `"-created_at"`; then by primary key.
        search: The text columns `q` searches.
        query_fields: More query parameters (marshmallow fields) that an overridden
            `filter_query` reads.
        item: The `ModelItem` whose URL is the `Location` of a created row; by default the
            one of the same model mounted in the same blueprint.
        filter_plan: The filters resolved, set at class creation.

    Example:
        ```python
        @tasks.route("/projects/<int:project_id>/tasks")
        class ProjectTasks(ModelCollection):
            model = Task
            filters = {"done": "eq", "title": "icontains"}
            sortable = ("due_at", "title")
            default_sort = "-created_at"
            pagination = CursorPagination(max_size=100)
        ```
    """

    filters: ClassVar[Mapping[str, str | Sequence[str] | Filter]] = {}
    sortable: ClassVar[Sequence[str]] = ()
    default_sort: ClassVar[str | Sequence[str]] = ()
    search: ClassVar[Sequence[str]] = ()
    query_fields: ClassVar[Mapping[str, ma.fields.Field[Any]]] = {}
    item: ClassVar[type[ModelItem] | None] = None
    filter_plan: ClassVar[FilterPlan]

    _kind_methods = ("get", "post")

    @classmethod
    def _kind(cls) -> str:
        return "ModelCollection"

    @classmethod
    def _prepare_kind(cls) -> None:
        cls.filter_plan = FilterPlan(
            cls._model(),
            cls.model_schema,
            filters=cls.filters,
            sortable=cls.sortable,
            default_sort=cls.default_sort,
            search=cls.search,
            extra=cls.query_fields,
            culprit=cls.__name__,
        )

    @classmethod
    def _generate(cls, name: str) -> Callable[..., Any]:
        singular, plural = cls._nouns()
        schema = cls.model_schema
        if name == "get":

            def get(
                self: ModelCollection, query: Any, page: PageRequest | None = None, **path: Any
            ) -> Any:
                return self.list_objects(query or {}, page, **path)

            get.__qualname__ = f"{cls.__name__}.get"
            return operation(
                query=cls.filter_plan.schema_class,
                response=_many(schema),
                summary=f"List {plural}",
                operation_id=cls.operation_ids.get("get"),
                problems=cls._problems(writes=False),
            )(get)

        def post(self: ModelCollection, body: Any, **path: Any) -> Any:
            obj = self.create_object(body, **path)
            return obj, 201, {"Location": self.get_location(obj, **path)}

        post.__qualname__ = f"{cls.__name__}.post"
        return operation(
            body=schema,
            response=schema,
            status=201,
            summary=f"Create a {singular}",
            operation_id=cls.operation_ids.get("post"),
            problems=cls._problems(writes=True),
        )(post)

    @classmethod
    def check_blueprint(cls, resources: Sequence[type[Resource]], where: str) -> None:
        """Check that a created row has exactly one item resource to be the `Location` of.

        Checked when `POST` is the generated one and `get_location` is not overridden: the
        blueprint must mount one `ModelItem` of the model (or, with `item=...`, that item at
        most once here, and of the same model; it may be mounted in another blueprint).

        Raises:
            DeclarationError: There is no such item, or there are several.
        """
        super().check_blueprint(resources, where)
        if (
            cls.model is None
            or not cls._generates("post")
            or cls.get_location is not ModelCollection.get_location
        ):
            return
        fix = "Mount one, set item=... on the collection, or override get_location()."
        if cls.item is not None:
            if cls.item.model is not cls.model:
                raise DeclarationError(
                    f"{cls.__name__}.item is {cls.item.__name__}, a resource of "
                    f"{_model_name(cls.item)}, but {cls.__name__} creates {cls.model.__name__} "
                    "rows, whose Location must be their own URL. Name an item of the same model."
                )
            count = resources.count(cls.item)
            if count > 1:
                raise DeclarationError(
                    f"{cls.__name__}'s created rows are answered with the URL of "
                    f"{cls.item.__name__}, which {where} mounts {count} times. Mount it once, "
                    "or override get_location()."
                )
            return
        items = list(
            dict.fromkeys(
                resource
                for resource in resources
                if issubclass(resource, ModelItem) and resource.model is cls.model
            )
        )
        mounts = [r for r in resources if r in items]
        if len(mounts) != 1:
            names = ", ".join(r.__name__ for r in mounts)
            found = f"several are ({names})" if mounts else "none is"
            raise DeclarationError(
                f"{cls.__name__} answers a created row with the URL of the ModelItem of "
                f"{cls.model.__name__} in {where}, but {found} mounted there. {fix}"
            )

    # -- hooks --------------------------------------------------------------------------------

    def filter_query(self, statement: Select[Any], query: Mapping[str, Any]) -> Select[Any]:
        """Return the statement with the declared filters and search applied.

        Override it to read `query_fields`: call `super()` and add your conditions.
        """
        return self.filter_plan.where(statement, query)

    def check_parents(self, **path: Any) -> None:
        """Raise `NotFound` unless each row the URL nests under is one the caller may see.

        Each URL variable that is a foreign key (`project_id` in
        `/projects/<int:project_id>/tasks`) must name a row that the `ModelItem` of that
        model, mounted in the same API, would serve: its `get_query` decides, so a caller
        cannot list or create rows under a parent hidden from them. Without such an item
        resource the row must exist. Override it for other rules.
        """
        mapper: Mapper[Any] = sa_inspect(self._model())
        session = self.get_session()
        for name, value in path.items():
            prop = mapper.column_attrs.get(name)
            if prop is None:
                continue
            for key in prop.columns[0].foreign_keys:
                target = key.column
                if not fits(target, value):
                    raise NotFound(
                        f"The {target.table.name} with {target.name} {value!r} does not exist."
                    )
                parent = _parent_item(target)
                if parent is not None:
                    others = {n: v for n, v in path.items() if n != name and n in parent[1]}
                    visible = parent[0]().get_query(**others).where(target == value)
                    found = session.scalars(visible.limit(1)).first()
                else:
                    found = session.scalar(select(target).where(target == value).limit(1))
                if found is None:
                    raise NotFound(
                        f"The {target.table.name} with {target.name} {value!r} does not exist."
                    )

    def list_objects(
        self, query: Mapping[str, Any], page: PageRequest | None, **path: Any
    ) -> Sequence[Any] | Page[Any]:
        """Return the rows of the page asked for, filtered and sorted."""
        self.check_parents(**path)
        statement = self.filter_query(self.get_query(**path), query)
        keys = self.filter_plan.order(query)
        return paginate(self.get_session(), statement, keys, page, self.load_options)

    def create_object(self, data: Mapping[str, Any], **path: Any) -> Any:
        """Add a row from the loaded body, with the URL's columns set, and flush it."""
        if self.model is None:
            raise AssertionError("only resources with a model create rows")
        self.check_parents(**path)
        obj = self.model(**storable(self._naive_columns, data))
        for name, value in path.items():
            if name in self._path_columns:
                setattr(obj, name, value)
        session = self.get_session()
        session.add(obj)
        session.flush()
        return obj

    def get_location(self, obj: Any, **path: Any) -> str:
        """Return the URL of a created row: the item resource's URL for it."""
        endpoint, arguments, lookup = _item_route(type(self))
        values = {}
        for name in arguments:
            if name == lookup:
                values[name] = _primary_key(obj)
            elif name in path:
                values[name] = path[name]
            else:
                values[name] = getattr(obj, name)
        return url_for(endpoint, **values)


def _many(schema: ma.Schema) -> ma.Schema:
    many = copy.copy(schema)
    many.many = True
    return many


def _model_name(resource: type[ModelResource]) -> str:
    return resource.model.__name__ if resource.model is not None else "no model"


def _primary_key(obj: Any) -> Any:
    identity = sa_inspect(obj).identity
    if not identity:
        raise ResponseError(f"{obj!r} has no primary key after the flush.")
    return identity[0]


def _parent_item(column: Any) -> tuple[type[ModelItem], tuple[str, ...]] | None:
    """Return the ModelItem mounted for the model whose primary key `column` is, if any."""
    app = current_app
    cache: dict[Any, tuple[type[ModelItem], tuple[str, ...]] | None]
    cache = app.extensions.setdefault("restkit.sqla.parents", {})
    if column in cache:
        return cache[column]
    found = None
    for rule in app.url_map.iter_rules():
        resource = getattr(app.view_functions.get(rule.endpoint), "__restkit_resource__", None)
        if not (isinstance(resource, type) and issubclass(resource, ModelItem)):
            continue
        if resource.model is None:
            continue
        mapper: Mapper[Any] = sa_inspect(resource.model)
        if column.table is mapper.local_table and list(mapper.primary_key) == [column]:
            lookup = resource.lookup or last_argument(rule.rule)
            others = tuple(a for a in rule_arguments(rule.rule) if a != lookup)
            found = (resource, others)
            break
    cache[column] = found
    return found


def _item_route(cls: type[ModelCollection]) -> tuple[str, tuple[str, ...], str]:
    """Return the endpoint, URL variables and lookup variable of the collection's item."""
    app = current_app
    cache: dict[Any, tuple[str, tuple[str, ...], str]]
    cache = app.extensions.setdefault("restkit.sqla.items", {})
    key = (request.blueprint, cls)
    found = cache.get(key)
    if found is not None:
        return found
    candidates = []
    for rule in app.url_map.iter_rules():
        resource = getattr(app.view_functions.get(rule.endpoint), "__restkit_resource__", None)
        if not (isinstance(resource, type) and issubclass(resource, ModelItem)):
            continue
        if (cls.item is not None and resource is not cls.item) or resource.model is not cls.model:
            continue
        elsewhere = rule.endpoint.rpartition(".")[0] != request.blueprint
        if cls.item is None and elsewhere:
            continue
        arguments = rule_arguments(rule.rule)
        lookup = resource.lookup or last_argument(rule.rule)
        candidates.append((rule.endpoint, arguments, lookup))
    if len(candidates) != 1:
        what = cls.item.__name__ if cls.item is not None else f"ModelItem of {cls.model!r}"
        raise ResponseError(
            f"{cls.__name__} created a row, and its Location is the URL of its {what}, but "
            f"{'none is' if not candidates else 'several are'} mounted in this blueprint. Mount "
            "one, set item=... on the collection, or override get_location()."
        )
    cache[key] = candidates[0]
    return candidates[0]
