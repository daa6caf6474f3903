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
`post` on a `ModelCollection` (`restkit.sqla.collection`); `get`, `put`, `patch` (merge
patch) and `delete` on a `ModelItem` (`restkit.sqla.item`). This module holds what both
share, `ModelResource`. A method the class defines itself replaces the generated one; `methods`
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

import dataclasses
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import marshmallow as ma
from flask import current_app
from sqlalchemy import Index, Select, Table, UniqueConstraint, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.strategy_options import _AbstractLoad
from sqlalchemy.types import DateTime

from restkit.conditional import Conditional
from restkit.errors import DeclarationError, ResponseError
from restkit.operation import make_schema
from restkit.resource import Resource
from restkit.sqla._rows import table_of
from restkit.sqla.errors import database_problem
from restkit.sqla.schemas import eager_loads, make_model_schema, version_attribute

__all__ = ["ModelResource"]

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
    def _generates(cls, name: str) -> bool:
        """Whether the class's method `name` is the one generated from the model."""
        return bool(getattr(getattr(cls, name, None), _GENERATED, False))

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
        if writes and _has_unique(table_of(cls.model)):
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
            problem = database_problem(error, table_of(self.model))
            if problem is None:
                raise
            if problem.status == 503:
                _LOG.error("The database is unavailable.", exc_info=error)
            raise problem from error


def _has_unique(table: Table | None) -> bool:
    if table is None:
        return False
    return any(isinstance(c, UniqueConstraint) for c in table.constraints) or any(
        isinstance(i, Index) and i.unique for i in table.indexes
    )
