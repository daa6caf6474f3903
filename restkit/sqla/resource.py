"""Model resources: list, create, get, replace, patch and delete a SQLAlchemy model.

```python
class Tasks(ModelCollection):
    model = Task
    filters = {"done": "eq", "due_at": ("lt", "gte", "isnull")}
    sortable = ("due_at", "title", "created_at")
    search = ("title",)


class TaskItem(ModelItem):
    model = Task
```

A subclass gets the operations its kind serves, declared from the model: `get` (list) and
`post` on a `ModelCollection`; `get`, `put`, `patch` (merge patch) and `delete` on a
`ModelItem`. A method the class defines itself replaces the generated one; `methods`
chooses which are generated. Every operation runs in one transaction, committed when it
succeeds and rolled back on any error, and database errors become problems (see
`restkit.sqla.errors`).

The hooks, overridden in a subclass (or a shared base class) to change what happens:

- `get_query(**path)`: the rows the resource may see, as a `select()`; scope it to the
  caller here (`super().get_query(**path).where(Task.owner_id == get_identity().id)`), so
  other rows are invisible (404) to every method.
- `filter_query(statement, query)` (collection): apply the list's filters and search.
- `check_parents(**path)` (collection): 404 when the row the URL nests under is missing.
- `create_object(data, **path)`, `update_object(obj, data)`, `delete_object(obj)`: the writes.
- `get_location(obj, **path)` (collection): the URL of a created row.
- `get_session()`: the session, Flask-SQLAlchemy's by default.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import marshmallow as ma
from flask import current_app, request, url_for
from sqlalchemy import Column, ForeignKeyConstraint, Index, Select, Table, UniqueConstraint, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.strategy_options import _AbstractLoad
from sqlalchemy.types import DateTime

from restkit.blueprint import rule_arguments
from restkit.conditional import Conditional
from restkit.errors import DeclarationError, ResponseError
from restkit.operation import make_schema, operation
from restkit.pagination import Page, PageRequest
from restkit.patch import PatchFormat
from restkit.problems import NotFound
from restkit.resource import Resource
from restkit.sqla.errors import database_problem
from restkit.sqla.filtering import Filter, FilterPlan, integer_range
from restkit.sqla.paging import paginate
from restkit.sqla.schemas import eager_loads, make_model_schema, version_attribute

__all__ = ["ModelCollection", "ModelItem", "ModelResource"]

_LOG = logging.getLogger("restkit")
_GENERATED = "__restkit_generated__"


class ModelResource(Resource):
    """What `ModelCollection` and `ModelItem` share: the model, its schema and the hooks.

    Attributes:
        model: The SQLAlchemy mapped class. A subclass without one is abstract: a base that
            shares hooks between resources.
        schema: The schema clients read and write (a `Schema` subclass or instance); by
            default generated from the model with marshmallow-sqlalchemy.
        read_only: Attributes a generated schema lets clients read but not write, besides
            the primary key, the version column and the foreign keys.
        writable: Foreign keys a generated schema lets clients write (the URL sets the
            others, or `create_object` does).
        exclude: Attributes a generated schema leaves out.
        methods: The generated methods, by name (`("get",)` for a read-only resource);
            `None` for all of its kind.
        require_if_match: Whether writes need `If-Match` (428 without), when the model has a
            version column and `conditional` is not declared.
        noun: The singular and plural the summaries use, such as `("task", "tasks")`; by
            default from the model's name.
        operation_ids: OpenAPI operationIds of generated methods, by method name
            (`{"get": "listShelves"}`), where the derived ones do not fit.
        transaction_attempts: How many times a request's transaction is run when the
            database gives it up for a concurrent one (a serialization failure or a
            deadlock) before the client gets 503 `TransactionConflict`; 3 by default.
        model_schema: The schema in use, set at class creation.
        load_options: The eager loads of the relationships the schema dumps, set at class
            creation.
    """

    model: ClassVar[type[Any] | None] = None
    schema: ClassVar[type[ma.Schema] | ma.Schema | None] = None
    read_only: ClassVar[Sequence[str]] = ()
    writable: ClassVar[Sequence[str]] = ()
    exclude: ClassVar[Sequence[str]] = ()
    methods: ClassVar[Sequence[str] | None] = None
    require_if_match: ClassVar[bool] = False
    noun: ClassVar[tuple[str, str] | None] = None
    operation_ids: ClassVar[Mapping[str, str]] = {}
    transaction_attempts: ClassVar[int] = 3
    model_schema: ClassVar[ma.Schema]
    load_options: ClassVar[tuple[_AbstractLoad, ...]] = ()

    _kind_methods: ClassVar[tuple[str, ...]] = ()
    _path_columns: ClassVar[frozenset[str]] = frozenset()
    _naive_columns: ClassVar[frozenset[str]] = frozenset()
    _made_conditional: ClassVar[Conditional | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if cls.model is not None:
            cls._prepare_model()
        super().__init_subclass__(**kwargs)

    @classmethod
    def _prepare_model(cls) -> None:
        model = cls._model()
        try:
            mapper: Mapper[Any] = sa_inspect(model)
        except Exception:
            raise DeclarationError(
                f"{cls.__name__}.model is {model!r}, which is not a SQLAlchemy mapped class."
            ) from None
        if len(mapper.primary_key) != 1:
            raise DeclarationError(
                f"{cls.__name__}: {model.__name__} has a composite primary key, which model "
                "resources do not support. Add a single-column primary key."
            )
        cls._path_columns = frozenset(mapper.column_attrs.keys())
        cls._naive_columns = frozenset(
            prop.key
            for prop in mapper.column_attrs
            if isinstance(prop.columns[0].type, DateTime) and not prop.columns[0].type.timezone
        )
        if cls.schema is None:
            schema_class = make_model_schema(
                model, read_only=cls.read_only, writable=cls.writable, exclude=cls.exclude
            )
            cls.model_schema = schema_class()
        else:
            cls.model_schema = make_schema(cls.schema, f"{cls.__name__}.schema")
            if getattr(cls.model_schema.opts, "load_instance", False):
                raise DeclarationError(
                    f"{cls.__name__}.schema loads model instances (load_instance=True); model "
                    "resources load dicts and write them with create_object and update_object. "
                    "Set load_instance=False."
                )
        cls.load_options = tuple(eager_loads(model, cls.model_schema))
        cls._prepare_kind()
        version = version_attribute(model)
        if version is not None:
            # A conditional made here for a base class is made again: this class may ask
            # for If-Match where the base did not.
            if cls.conditional is None or cls.conditional is cls._made_conditional:
                cls.conditional = Conditional(
                    version=version, require_if_match=cls.require_if_match
                )
                cls._made_conditional = cls.conditional
            elif isinstance(cls.conditional, Conditional) and cls.conditional.version is None:
                cls.conditional = dataclasses.replace(cls.conditional, version=version)
        chosen = cls._kind_methods if cls.methods is None else tuple(cls.methods)
        unknown = [name for name in [*chosen, *cls.operation_ids] if name not in cls._kind_methods]
        if unknown:
            raise DeclarationError(
                f"{cls.__name__}.methods names {', '.join(map(repr, unknown))}; a "
                f"{cls._kind()} generates {', '.join(cls._kind_methods)}."
            )
        stray = [name for name in cls.operation_ids if name not in chosen]
        if stray:
            raise DeclarationError(
                f"{cls.__name__}.operation_ids names {', '.join(map(repr, stray))}, which it "
                f"does not generate; it generates {', '.join(chosen)}."
            )
        for name in cls._kind_methods:
            own = getattr(cls, name, None)
            if own is not None and not getattr(own, _GENERATED, False):
                continue  # the class (or a base) defines it: keep it
            if name in chosen:
                function = cls._generate(name)
                setattr(function, _GENERATED, True)
                setattr(cls, name, function)
            elif own is not None:
                setattr(cls, name, None)

    @classmethod
    def _model(cls) -> type[Any]:
        if cls.model is None:
            raise AssertionError("only resources with a model get here")
        return cls.model

    @classmethod
    def _kind(cls) -> str:
        return "model resource"

    @classmethod
    def _prepare_kind(cls) -> None:
        """Resolve what the kind declares, before its methods are generated."""

    @classmethod
    def _generate(cls, name: str) -> Callable[..., Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def _nouns(cls) -> tuple[str, str]:
        if cls.noun is not None:
            return cls.noun
        if cls.model is None:
            raise AssertionError("only resources with a model have nouns")
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", cls.model.__name__).lower()
        if re.search(r"[^aeiou]y$", words):
            return words, words[:-1] + "ies"
        if re.search(r"(s|x|z|ch|sh)$", words):
            return words, words + "es"
        return words, words + "s"

    @classmethod
    def _problems(cls, writes: bool) -> list[int]:
        codes = [503]
        if writes and _has_unique(_table(cls)):
            codes.append(409)
        return codes

    @classmethod
    def check_url(cls, arguments: Sequence[str], where: str) -> None:
        """Check that each URL variable the default `get_query` reads is a model column.

        Raises:
            DeclarationError: A URL variable is not a column and `get_query` is not overridden.
        """
        if cls.model is None:
            return
        scoping = cls._scoping(arguments)
        if cls.get_query is not ModelResource.get_query:
            return
        for name in scoping:
            if name not in cls._path_columns:
                raise DeclarationError(
                    f"{cls.__name__} is mounted at {where}, whose URL variable {name!r} is not "
                    f"a column of {cls.model.__name__}. Rename it after the column it selects "
                    "by, or override get_query(self, **path) to use it."
                )

    @classmethod
    def _scoping(cls, arguments: Sequence[str]) -> list[str]:
        return list(arguments)

    # -- hooks --------------------------------------------------------------------------------

    def get_session(self) -> Session:
        """Return the session to use: Flask-SQLAlchemy's, unless overridden."""
        extension = current_app.extensions.get("sqlalchemy")
        if extension is None:
            raise ResponseError(
                f"{type(self).__name__} needs a database session: set up Flask-SQLAlchemy on "
                "the app (db.init_app(app)), or override get_session()."
            )
        session: Session = extension.session
        return session

    def get_query(self, **path: Any) -> Select[Any]:
        """Return the rows this resource may see: those whose columns equal the URL's values.

        Override it to scope the rows to the caller, or to use URL variables that are not
        columns; the item's own primary key is not among `path`.
        """
        statement = select(self._model())
        for name, value in path.items():
            statement = statement.where(getattr(self.model, name) == value)
        return statement

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the request in one transaction: commit on success, roll back on any error.

        Database errors become problems (see `restkit.sqla.errors`).
        """
        session = self.get_session()
        try:
            yield
            session.commit()
        except BaseException as error:
            try:
                session.rollback()
            except Exception:  # the connection is gone: the pool replaces it
                _LOG.warning("Rolling back failed.", exc_info=True)
            problem = database_problem(error, _table(type(self)))
            if problem is None:
                raise
            if problem.status == 503:
                _LOG.error("The database is unavailable.", exc_info=error)
            raise problem from error


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
        post = getattr(cls, "post", None)
        if (
            cls.model is None
            or not getattr(post, _GENERATED, False)
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
                if not _fits(target, value):
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
        obj = self.model(**_storable(self._naive_columns, data))
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


class ModelItem(ModelResource):
    """One row of a model, named by the URL: `GET`, `PUT`, `PATCH` and `DELETE` it.

    `PUT` replaces the writable fields: one the body leaves out is reset to its column's
    default, or to null. `PATCH` takes a merge patch (`patch_formats` adds JSON Patch) whose
    result is validated with the whole schema. With a version column (`version_id_col`), the
    `ETag` is the version and a write whose `If-Match` is stale, or that loses a race with
    another writer, is a 412 problem.

    Attributes:
        lookup: The URL variable holding the primary key; the URL's last one by default.
            The others select by the columns they are named after (as in
            `/projects/<int:project_id>/tasks/<int:task_id>`).
        patch_formats: The patch formats `PATCH` takes: `("merge",)` or `("merge", "json")`.

    Example:
        ```python
        @tasks.route("/tasks/<int:task_id>")
        class TaskItem(ModelItem):
            model = Task
            require_if_match = True
        ```
    """

    lookup: ClassVar[str | None] = None
    patch_formats: ClassVar[tuple[PatchFormat, ...]] = ("merge",)

    _kind_methods = ("get", "put", "patch", "delete")
    _resets: ClassVar[Mapping[str, Any]] = {}
    _primary: ClassVar[Any] = None

    @classmethod
    def _kind(cls) -> str:
        return "ModelItem"

    @classmethod
    def _prepare_kind(cls) -> None:
        mapper: Mapper[Any] = sa_inspect(cls._model())
        cls._resets = _resets(cls.model_schema, mapper)
        cls._primary = mapper.primary_key[0]

    @classmethod
    def _scoping(cls, arguments: Sequence[str]) -> list[str]:
        lookup = cls.lookup or (arguments[-1] if arguments else None)
        if lookup is None or lookup not in arguments:
            raise DeclarationError(
                f"{cls.__name__} needs a URL variable for the primary key, such as "
                f"'/<int:id>'"
                + (f"; lookup={cls.lookup!r} is not one of the URL's." if cls.lookup else ".")
            )
        return [name for name in arguments if name != lookup]

    @classmethod
    def _generate(cls, name: str) -> Callable[..., Any]:
        singular, _ = cls._nouns()
        schema = cls.model_schema
        function: Callable[..., Any]
        if name == "get":

            def get(self: ModelItem, current: Any = None, **path: Any) -> Any:
                return current

            function, declared = (
                get,
                operation(
                    response=schema,
                    summary=f"Get a {singular}",
                    problems=cls._problems(False),
                    operation_id=cls.operation_ids.get("get"),
                ),
            )
        elif name == "put":

            def put(self: ModelItem, body: Any, current: Any = None, **path: Any) -> Any:
                return self.update_object(current, {**self._resets, **body})

            function, declared = (
                put,
                operation(
                    body=schema,
                    response=schema,
                    summary=f"Replace a {singular}",
                    operation_id=cls.operation_ids.get("put"),
                    problems=cls._problems(True),
                ),
            )
        elif name == "patch":

            def patch(self: ModelItem, body: Any, current: Any = None, **path: Any) -> Any:
                return self.update_object(current, body)

            function, declared = (
                patch,
                operation(
                    body=schema,
                    response=schema,
                    patch=cls.patch_formats,
                    summary=f"Update a {singular}",
                    operation_id=cls.operation_ids.get("patch"),
                    problems=cls._problems(True),
                ),
            )
        else:

            def delete(self: ModelItem, current: Any = None, **path: Any) -> None:
                self.delete_object(current)

            referenced = _is_referenced(_table(cls))
            function, declared = (
                delete,
                operation(
                    status=204,
                    summary=f"Delete a {singular}",
                    operation_id=cls.operation_ids.get("delete"),
                    problems=[503, 409] if referenced else [503],
                ),
            )
        function.__qualname__ = f"{cls.__name__}.{name}"
        return declared(function)

    # -- hooks --------------------------------------------------------------------------------

    def get_object(self, **path: Any) -> Any:
        """Return the row the URL names among `get_query`'s, or `None` (a 404)."""
        lookup = self.lookup or _last_argument(request.url_rule.rule if request.url_rule else "")
        others = {name: value for name, value in path.items() if name != lookup}
        primary = self._primary
        if not _fits(primary, path[lookup]):
            return None
        statement = self.get_query(**others).where(primary == path[lookup])
        return self.get_session().scalars(statement.options(*self.load_options)).one_or_none()

    def update_object(self, obj: Any, data: Mapping[str, Any]) -> Any:
        """Write the loaded body onto the row and flush it; return the row."""
        for name, value in _storable(self._naive_columns, data).items():
            setattr(obj, name, value)
        self.get_session().flush()
        return obj

    def delete_object(self, obj: Any) -> None:
        """Delete the row and flush."""
        session = self.get_session()
        session.delete(obj)
        session.flush()


def _many(schema: ma.Schema) -> ma.Schema:
    many = copy.copy(schema)
    many.many = True
    return many


def _table(cls: type[ModelResource]) -> Table | None:
    if cls.model is None:
        return None
    table = sa_inspect(cls.model).local_table
    return table if isinstance(table, Table) else None


def _has_unique(table: Table | None) -> bool:
    if table is None:
        return False
    return any(isinstance(c, UniqueConstraint) for c in table.constraints) or any(
        isinstance(i, Index) and i.unique for i in table.indexes
    )


def _is_referenced(table: Table | None) -> bool:
    if table is None:
        return False
    for other in table.metadata.tables.values():
        for constraint in other.constraints:
            if (
                isinstance(constraint, ForeignKeyConstraint)
                and constraint.referred_table is table
                and (constraint.ondelete or "").upper() not in ("CASCADE", "SET NULL")
            ):
                return True
    return False


def _resets(schema: ma.Schema, mapper: Mapper[Any]) -> dict[str, Any]:
    """What PUT writes for a field its body leaves out: the column default, or null."""
    resets: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        attribute = field.attribute or name
        prop = mapper.column_attrs.get(attribute)
        if prop is None or field.load_default is not ma.missing:
            continue
        column = prop.columns[0]
        if not isinstance(column, Column):
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            resets[attribute] = default.arg  # type: ignore[attr-defined]
        elif column.nullable:
            resets[attribute] = None
    return resets


@functools.lru_cache(maxsize=256)
def _last_argument(rule: str) -> str:
    arguments = rule_arguments(rule)
    return arguments[-1] if arguments else ""


def _fits(column: Any, value: Any) -> bool:
    """Whether an integer column can hold the value: if not, no row has it."""
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return True
    if kind is not int:
        return True
    low, high = integer_range(column)
    return low <= value <= high


def _storable(naive: frozenset[str], data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the data with aware date-times of naive columns in UTC: such columns hold UTC."""
    if not naive:
        return data
    stored = dict(data)
    for name in naive.intersection(data):
        value = data[name]
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            stored[name] = value.astimezone(dt.UTC).replace(tzinfo=None)
    return stored


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
            lookup = resource.lookup or _last_argument(rule.rule)
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
        lookup = resource.lookup or _last_argument(rule.rule)
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
