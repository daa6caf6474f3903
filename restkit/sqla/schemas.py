"""Model schemas: generated with marshmallow-sqlalchemy, and the eager loads they need.

A generated schema has a field per column, typed and validated from the column (a
`String(100)` takes at most 100 characters, a non-nullable column without default is
required). The primary key, the version column and the foreign keys are read-only, so no
client can write them: a nested collection (`/projects/<int:project_id>/tasks`) sets the
foreign key from the URL, and an ownership column (`owner_id`) is the server's to set. Name
the foreign keys clients may write in `writable`.

Every relationship a schema dumps (`Nested`, `Pluck`, `List(Nested)`, marshmallow-sqlalchemy's
`Related` and `RelatedList`) is loaded with `selectinload` for the whole page at once, so a
list costs one query per relationship, not one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

__all__ = ["eager_loads", "make_model_schema", "version_attribute"]

_MAX_DEPTH = 4


def version_attribute(model: type[Any]) -> str | None:
    """Return the attribute of the model's `version_id_col`, if it has one."""
    mapper: Mapper[Any] = sa_inspect(model)
    column = mapper.version_id_col
    if column is None:
        return None
    return str(mapper.get_property_by_column(column).key)


def make_model_schema(
    model: type[Any],
    *,
    read_only: Sequence[str] = (),
    writable: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> type[ma.Schema]:
    """Return a schema class for the model's columns, named `<Model>Schema`.

    Args:
        model: The mapped class.
        read_only: Attributes clients may read but not write, besides the primary key, the
            version column and the foreign keys.
        writable: Foreign keys clients may write.
        exclude: Attributes left out.
    """
    mapper: Mapper[Any] = sa_inspect(model)
    protected = [str(mapper.get_property_by_column(c).key) for c in mapper.primary_key]
    version = version_attribute(model)
    if version is not None:
        protected.append(version)
    for prop in mapper.column_attrs:
        if any(column.foreign_keys for column in prop.columns) and prop.key not in writable:
            protected.append(prop.key)
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "include_fk": True,
            "load_instance": False,
            "dump_only": tuple(dict.fromkeys([*protected, *read_only])),
            "exclude": tuple(exclude),
        },
    )
    schema: type[ma.Schema] = type(
        f"{model.__name__}Schema",
        (SQLAlchemyAutoSchema,),
        {"Meta": meta, "__doc__": f"A {model.__name__} as clients read and write it."},
    )
    return schema


def eager_loads(model: type[Any], schema: ma.Schema) -> list[_AbstractLoad]:
    """Return the `selectinload` options for every relationship the schema dumps."""
    return _loads(sa_inspect(model), schema, None, 0)


def _loads(
    mapper: Mapper[Any], schema: ma.Schema, parent: _AbstractLoad | None, depth: int
) -> list[_AbstractLoad]:
    options: list[_AbstractLoad] = []
    if depth >= _MAX_DEPTH:
        return options
    for name, field in schema.dump_fields.items():
        attribute = field.attribute or name
        relationship = mapper.relationships.get(attribute)
        if relationship is None:
            continue
        attr = getattr(mapper.class_, attribute)
        load = parent.selectinload(attr) if parent is not None else selectinload(attr)
        options.append(load)
        nested = _nested_schema(field)
        if nested is not None:
            options.extend(_loads(relationship.mapper, nested, load, depth + 1))
    return options


def _nested_schema(field: ma.fields.Field[Any]) -> ma.Schema | None:
    if isinstance(field, ma.fields.List):
        return _nested_schema(field.inner)
    if isinstance(field, ma.fields.Nested | ma.fields.Pluck):
        schema = field.schema
        return schema if isinstance(schema, ma.Schema) else None
    return None  # Related dumps the related rows' keys: loading the rows is enough
