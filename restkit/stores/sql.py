"""`SqlStore`: shared state in a table of a SQL database, through SQLAlchemy.

For APIs served by many processes that already have PostgreSQL (or one host with a SQLite
file) and no Redis. Every operation is one statement in its own short transaction, so it is
atomic for every process using the same database:

- `increment` and `add` are one `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING`;
- `replace` is one `UPDATE` (or `DELETE`) guarded by the expected value.

Entries expire by their `expires_at` column (seconds since the epoch, from the clock of the
process that wrote them, so hosts sharing a database need synchronized clocks); expired rows
count as absent and are purged now and then.

```python
from restkit.stores.sql import SqlStore

store = SqlStore.from_url("postgresql://api@db.internal/api")
```

Needs SQLAlchemy and a driver: `pip install 'flask-restkit[sql]' 'psycopg[binary]'`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.schema import CreateTable

from restkit.errors import DeclarationError
from restkit.stores import Store, StoreError

__all__ = ["SqlStore"]

# Both dialects' INSERT has `on_conflict_do_update` and both support RETURNING (SQLite since
# 3.35). Other databases spell an upsert differently, or cannot return the row it wrote.
_INSERTS: dict[str, Callable[[sa.Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


class SqlStore(Store):
    """A `Store` in one table of a PostgreSQL or SQLite database.

    The table has one row per key: `key` (the primary key), `value` (bytes, or NULL for a
    counter), `counter` (the count, or NULL for a value) and `expires_at` (seconds since the
    epoch). Every failure of the database or its connection becomes a `StoreError`.

    Args:
        engine: The SQLAlchemy engine; each operation checks a connection out of its pool
            for one short transaction. A SQLite database must be a file: an in-memory one
            is private to a single connection.
        table_name: The table's name. Use one table per API if several share a database.
        create: Create the table (if it does not exist) before the first operation. When the
            database is down, that operation raises `StoreError`, and the next one retries.
        purge_every: Delete every expired row once in this many writes of this store.

    Raises:
        DeclarationError: The engine is neither PostgreSQL nor a SQLite file.

    Example:
        ```python
        engine = sqlalchemy.create_engine("postgresql+psycopg://api@db.internal/api")
        store = SqlStore(engine, table_name="orders_api_store")
        ```
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        table_name: str = "restkit_store",
        create: bool = True,
        purge_every: int = 1000,
    ) -> None:
        dialect = engine.dialect.name
        if dialect not in _INSERTS:
            raise DeclarationError(
                f"SqlStore supports PostgreSQL and SQLite; the engine for {engine.url!r} is "
                f"{dialect}. Use one of those databases, or RedisStore."
            )
        database = engine.url.database or ":memory:"
        if dialect == "sqlite" and (
            database == ":memory:" or engine.url.query.get("mode") == "memory"
        ):
            raise DeclarationError(
                f"SqlStore needs a SQLite database file, and {engine.url!r} is in memory: "
                "each connection would see its own. Use 'sqlite:///path/to/store.db', or "
                "MemoryStore for a single process."
            )
        self._engine = engine
        self._insert = _INSERTS[dialect]
        self._table = sa.Table(
            table_name,
            sa.MetaData(),
            sa.Column("key", sa.String(200), primary_key=True),
            sa.Column("value", sa.LargeBinary, nullable=True),
            sa.Column("counter", sa.BigInteger, nullable=True),
            sa.Column("expires_at", sa.Float, nullable=False),
        )
        self._created = not create
        self._create_lock = threading.Lock()
        self._writes = itertools.count(1)
        self._purge_every = purge_every

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        table_name: str = "restkit_store",
        create: bool = True,
        **engine_kwargs: Any,
    ) -> SqlStore:
        """Make an engine for a database URL and a store on it.

        A plain `postgresql://` URL uses psycopg (version 3) when psycopg2 is not installed,
        and psycopg waits at most two seconds for a connection unless `connect_args` says
        otherwise, so an unreachable database fails a request instead of hanging it.

        Args:
            url: A SQLAlchemy database URL, such as `postgresql://user@host/db` or
                `sqlite:////var/lib/api/store.db`.
            table_name: The table's name.
            create: Create the table if it does not exist.
            **engine_kwargs: Passed to `sqlalchemy.create_engine`.

        Returns:
            The store. No connection is made until the first operation.

        Raises:
            DeclarationError: The URL is not a database URL, its driver is not installed, or
                its database is neither PostgreSQL nor a SQLite file.
        """
        try:
            database_url = sa.make_url(url)
            if database_url.drivername == "postgresql" and find_spec("psycopg2") is None:
                database_url = database_url.set(drivername="postgresql+psycopg")
            if database_url.get_driver_name() in ("psycopg", "psycopg2"):
                engine_kwargs.setdefault("connect_args", {"connect_timeout": 2})
            engine = sa.create_engine(database_url, **engine_kwargs)
        except (ArgumentError, ImportError) as error:
            shown = re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)  # never show a password
            raise DeclarationError(
                f"SqlStore cannot use the database URL {shown!r}: {error}. Give a SQLAlchemy "
                "URL such as 'postgresql://user@host/db' and install its driver."
            ) from error
        return cls(engine, table_name=table_name, create=create)

    @contextmanager
    def _transaction(self, action: str, *, write: bool = False) -> Iterator[sa.Connection]:
        """Run one operation in its own transaction, turning database errors into StoreError."""
        table = self._table
        try:
            if not self._created:
                with self._create_lock:
                    self._create_table()
            if write and next(self._writes) % self._purge_every == 0:
                # Its own transaction, so the operation's row locks are held no longer.
                with self._engine.begin() as connection:
                    connection.execute(sa.delete(table).where(table.c.expires_at <= time.time()))
            with self._engine.begin() as connection:
                yield connection
        except (SQLAlchemyError, OSError) as error:
            raise StoreError(
                f"SqlStore (table {table.name!r}) could not {action}: {error}"
            ) from error

    def _create_table(self) -> None:
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Two processes running CREATE TABLE IF NOT EXISTS at once can both find no
                # table and one then fails; the lock makes the second wait and see the table.
                name = self._table.name.encode()
                lock = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(lock)))
            connection.execute(CreateTable(self._table, if_not_exists=True))
        self._created = True

    def increment(self, key: str, ttl: float) -> tuple[int, float]:
        """Add one to the counter `key`; see `Store.increment`."""
        table = self._table
        now = time.time()
        # A live counter counts on and keeps its expiry; anything else (no row, an expired
        # row, a value) restarts at 1 with a new one.
        live = sa.and_(table.c.expires_at > now, table.c.counter.is_not(None))
        statement = (
            self._insert(table)
            .values(key=key, value=None, counter=1, expires_at=now + ttl)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "value": None,
                    "counter": sa.case((live, table.c.counter + 1), else_=1),
                    "expires_at": sa.case((live, table.c.expires_at), else_=now + ttl),
                },
            )
            .returning(table.c.counter, table.c.expires_at)
        )
        with self._transaction(f"increment {key!r}", write=True) as connection:
            count, expires_at = connection.execute(statement).one()
        return int(count), float(expires_at) - now

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store `value` unless the key is live; see `Store.add`."""
        table = self._table
        now = time.time()
        new = {"value": value, "counter": None, "expires_at": now + ttl}
        # On a live row the WHERE fails: nothing is written and nothing returned.
        statement = (
            self._insert(table)
            .values(key=key, **new)
            .on_conflict_do_update(
                index_elements=[table.c.key], set_=new, where=table.c.expires_at <= now
            )
            .returning(table.c.key)
        )
        with self._transaction(f"add {key!r}", write=True) as connection:
            return connection.execute(statement).first() is not None

    def get(self, key: str) -> bytes | None:
        """Return the live value under `key`; see `Store.get`."""
        table = self._table
        statement = sa.select(table.c.value).where(
            table.c.key == key, table.c.expires_at > time.time()
        )
        with self._transaction(f"get {key!r}") as connection:
            value = connection.execute(statement).scalar()
        return None if value is None else bytes(value)

    def replace(self, key: str, expected: bytes, value: bytes | None, ttl: float) -> bool:
        """Swap the value if it is still `expected`; see `Store.replace`."""
        table = self._table
        now = time.time()
        # A counter's value is NULL, which equals nothing: counters are never replaced.
        where = sa.and_(table.c.key == key, table.c.value == expected, table.c.expires_at > now)
        statement = (
            sa.delete(table).where(where)
            if value is None
            else sa.update(table).where(where).values(value=value, expires_at=now + ttl)
        )
        with self._transaction(f"replace {key!r}", write=True) as connection:
            return connection.execute(statement).rowcount == 1

    def close(self) -> None:
        """Close the connections of the engine's pool; the next operation reconnects."""
        self._engine.dispose()
