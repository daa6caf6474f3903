"""The store interface: one suite that MemoryStore, RedisStore and SqlStore all pass.

Redis and PostgreSQL come from REDIS_TEST_URL and DATABASE_TEST_URL (skipped without them,
failed under CI=true). Each test gets its own key prefix or table, removed afterwards.
"""

from __future__ import annotations

import socket
import threading
import time
import types
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa

from restkit.errors import DeclarationError
from restkit.stores import Store, StoreError, make_store
from restkit.stores.memory import MemoryStore
from restkit.stores.redis import RedisStore
from restkit.stores.sql import SqlStore

THREADS = 12
LONG = 60.0  # a time to live no test outlasts
SHORT = 0.1  # a time to live tests wait out
WAIT = 0.15  # a little longer than SHORT


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def psycopg_engine(url: str, **kwargs: object) -> sa.Engine:
    return sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"), **kwargs)


def drop_table(engine: sa.Engine, name: str) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))


def redis_keys(url: str, prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter(match=f"{prefix}*"))
    finally:
        client.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key prefix; its keys are deleted afterwards."""
    prefix = f"restkit-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def redis_store(redis_url: str, redis_prefix: str) -> Iterator[RedisStore]:
    store = RedisStore.from_url(redis_url, prefix=redis_prefix)
    yield store
    store.close()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgresql_engine(postgresql_url: str) -> Iterator[sa.Engine]:
    engine = psycopg_engine(postgresql_url)
    yield engine
    engine.dispose()


@contextmanager
def temporary_sql_store(engine: sa.Engine, **kwargs: Any) -> Iterator[SqlStore]:
    """A SqlStore on a fresh table, dropped afterwards."""
    table_name = f"restkit_test_{uuid.uuid4().hex}"
    store = SqlStore(engine, table_name=table_name, **kwargs)
    try:
        yield store
    finally:
        store.close()
        drop_table(engine, table_name)


@pytest.fixture(params=["memory", "redis", "sql-sqlite", "sql-postgresql"])
def store(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore(clock=clock)
    elif request.param == "redis":
        yield request.getfixturevalue("redis_store")
    else:
        engine_fixture = "sqlite_engine" if request.param == "sql-sqlite" else "postgresql_engine"
        with temporary_sql_store(request.getfixturevalue(engine_fixture)) as sql_store:
            yield sql_store


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_engine(request: pytest.FixtureRequest) -> sa.Engine:
    engine: sa.Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture
def sql_store(sql_engine: sa.Engine) -> Iterator[SqlStore]:
    with temporary_sql_store(sql_engine) as store:
        yield store


@pytest.fixture
def wait(store: Store, clock: FakeClock) -> Callable[[float], None]:
    """Let time pass: the fake clock's for MemoryStore, the real one for shared stores."""
    return clock.advance if isinstance(store, MemoryStore) else time.sleep


# increment


def test_increment_new_key_starts_at_one_with_its_ttl(store: Store) -> None:
    count, ttl = store.increment("hits", LONG)

    assert count == 1
    assert LONG - 1 < ttl < LONG + 0.01


def test_increment_existing_key_counts_up(store: Store) -> None:
    counts = [store.increment("hits", LONG)[0] for _ in range(5)]

    assert counts == [1, 2, 3, 4, 5]


def test_increment_keys_count_separately(store: Store) -> None:
    store.increment("a", LONG)
    store.increment("a", LONG)

    assert store.increment("b", LONG)[0] == 1
    assert store.increment("a", LONG)[0] == 3


def test_increment_existing_key_does_not_extend_ttl(
    store: Store, wait: Callable[[float], None]
) -> None:
    _, first_ttl = store.increment("hits", 0.5)
    wait(0.2)

    count, ttl = store.increment("hits", 0.5)

    assert count == 2
    assert 0 < ttl <= first_ttl - 0.15


def test_increment_after_expiry_restarts_at_one(
    store: Store, wait: Callable[[float], None]
) -> None:
    store.increment("hits", SHORT)
    store.increment("hits", SHORT)
    wait(WAIT)

    count, ttl = store.increment("hits", LONG)

    assert count == 1
    assert LONG - 1 < ttl < LONG + 0.01


def test_increment_from_threads_gives_each_count_once(store: Store) -> None:
    barrier = threading.Barrier(THREADS)

    def increment_five_times() -> list[int]:
        barrier.wait(timeout=10)
        return [store.increment("hits", LONG)[0] for _ in range(5)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: increment_five_times(), range(THREADS)))

    counts = sorted(count for result in results for count in result)
    assert counts == list(range(1, 5 * THREADS + 1))


# add and get


@pytest.mark.parametrize("value", [b"", b"\x00\xff binary \r\n", bytes(range(256))])
def test_add_new_key_stores_value(store: Store, value: bytes) -> None:
    assert store.add("record", value, LONG) is True

    assert store.get("record") == value


def test_add_live_key_returns_false_and_keeps_value(store: Store) -> None:
    store.add("record", b"first", LONG)

    assert store.add("record", b"second", LONG) is False
    assert store.get("record") == b"first"


def test_add_after_expiry_stores_new_value(store: Store, wait: Callable[[float], None]) -> None:
    store.add("record", b"first", SHORT)
    wait(WAIT)

    assert store.add("record", b"second", LONG) is True
    assert store.get("record") == b"second"


def test_add_from_threads_stores_exactly_one(store: Store) -> None:
    barrier = threading.Barrier(THREADS)

    def add(number: int) -> bool:
        barrier.wait(timeout=10)
        return store.add("record", f"thread {number}".encode(), LONG)

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(add, range(THREADS)))

    assert results.count(True) == 1
    assert store.get("record") == f"thread {results.index(True)}".encode()


def test_get_missing_key_returns_none(store: Store) -> None:
    assert store.get("nothing") is None


def test_get_expired_key_returns_none(store: Store, wait: Callable[[float], None]) -> None:
    store.add("record", b"value", SHORT)
    wait(WAIT)

    assert store.get("record") is None


# replace


def test_replace_with_expected_value_swaps(store: Store) -> None:
    store.add("record", b"old", LONG)

    assert store.replace("record", b"old", b"new", LONG) is True
    assert store.get("record") == b"new"


def test_replace_with_other_value_returns_false_and_keeps_value(store: Store) -> None:
    store.add("record", b"current", LONG)

    assert store.replace("record", b"stale", b"new", LONG) is False
    assert store.get("record") == b"current"


def test_replace_with_none_deletes_key(store: Store) -> None:
    store.add("record", b"old", LONG)

    assert store.replace("record", b"old", None, LONG) is True
    assert store.get("record") is None
    assert store.add("record", b"again", LONG) is True


def test_replace_with_none_and_other_value_keeps_key(store: Store) -> None:
    store.add("record", b"current", LONG)

    assert store.replace("record", b"stale", None, LONG) is False
    assert store.get("record") == b"current"


@pytest.mark.parametrize("value", [b"new", None])
def test_replace_missing_key_returns_false(store: Store, value: bytes | None) -> None:
    assert store.replace("record", b"old", value, LONG) is False
    assert store.get("record") is None


@pytest.mark.parametrize("value", [b"new", None])
def test_replace_expired_key_returns_false(
    store: Store, wait: Callable[[float], None], value: bytes | None
) -> None:
    store.add("record", b"old", SHORT)
    wait(WAIT)

    assert store.replace("record", b"old", value, LONG) is False
    assert store.get("record") is None


def test_replace_gives_new_value_its_own_ttl(store: Store, wait: Callable[[float], None]) -> None:
    store.add("record", b"old", LONG)
    store.replace("record", b"old", b"new", SHORT)
    wait(WAIT)

    assert store.get("record") is None


def test_replace_from_threads_succeeds_once(store: Store) -> None:
    store.add("record", b"old", LONG)
    barrier = threading.Barrier(THREADS)

    def replace(number: int) -> bool:
        barrier.wait(timeout=10)
        return store.replace("record", b"old", f"thread {number}".encode(), LONG)

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(replace, range(THREADS)))

    assert results.count(True) == 1
    assert store.get("record") == f"thread {results.index(True)}".encode()


# close


def test_close_then_next_operation_reconnects(store: Store) -> None:
    store.add("record", b"value", LONG)

    store.close()

    assert store.get("record") == b"value"


# MemoryStore


def test_memory_store_sweeps_expired_entries_every_1000_writes(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    for number in range(999):
        store.add(f"record {number}", b"value", SHORT)
    clock.advance(WAIT)

    store.add("live", b"value", LONG)

    # Only the sweep removes keys nobody reads again.
    assert list(store._values) == ["live"]


# RedisStore


def test_redis_store_counter_without_expiry_gets_one(
    redis_url: str, redis_prefix: str, redis_store: RedisStore
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set(f"{redis_prefix}hits", 41)
    client.close()

    count, ttl = redis_store.increment("hits", LONG)

    assert count == 42
    assert LONG - 1 < ttl < LONG + 0.01


def test_redis_store_prefixes_keys(
    redis_url: str, redis_prefix: str, redis_store: RedisStore
) -> None:
    redis_store.add("record", b"value", LONG)

    assert redis_keys(redis_url, redis_prefix) == [f"{redis_prefix}record".encode()]


def test_redis_store_client_decoding_responses_raises_declaration_error(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    with pytest.raises(DeclarationError, match="decode_responses=True"):
        RedisStore(client)


OPERATIONS: dict[str, Callable[[Store], object]] = {
    "increment": lambda store: store.increment("hits", LONG),
    "add": lambda store: store.add("record", b"value", LONG),
    "get": lambda store: store.get("record"),
    "replace": lambda store: store.replace("record", b"old", b"new", LONG),
    "delete": lambda store: store.replace("record", b"old", None, LONG),
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_redis_store_closed_port_raises_store_error(
    closed_port: int, operation: Callable[[Store], object]
) -> None:
    store = RedisStore.from_url(f"redis://127.0.0.1:{closed_port}/0")

    with pytest.raises(StoreError, match="RedisStore could not") as caught:
        operation(store)

    assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)
    store.close()


def test_redis_store_silent_server_raises_store_error() -> None:
    # A socket that listens but never answers: connecting succeeds, reading times out.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        store = RedisStore.from_url(f"redis://127.0.0.1:{server.getsockname()[1]}/0")

        with pytest.raises(StoreError, match="RedisStore could not get") as caught:
            store.get("record")

    assert isinstance(caught.value.__cause__, redis.exceptions.TimeoutError)
    store.close()


# SqlStore


def test_sql_store_purges_expired_rows_every_n_writes(sqlite_engine: sa.Engine) -> None:
    store = SqlStore(sqlite_engine, purge_every=3)
    store.add("expired", b"value", SHORT)
    store.increment("hits", SHORT)
    time.sleep(WAIT)

    store.add("live", b"value", LONG)  # the third write purges first

    with sqlite_engine.connect() as connection:
        keys = connection.execute(sa.text("SELECT key FROM restkit_store")).scalars().all()
    assert keys == ["live"]


def test_sql_store_without_create_and_table_raises_store_error(sqlite_engine: sa.Engine) -> None:
    store = SqlStore(sqlite_engine, table_name="missing", create=False)

    with pytest.raises(StoreError, match=r"SqlStore \(table 'missing'\) could not get 'k'"):
        store.get("k")


def test_sql_store_without_create_uses_existing_table(sqlite_engine: sa.Engine) -> None:
    SqlStore(sqlite_engine, table_name="made").add("record", b"value", LONG)

    assert SqlStore(sqlite_engine, table_name="made", create=False).get("record") == b"value"


def test_sql_store_counter_is_not_a_value(sql_store: SqlStore) -> None:
    # As in MemoryStore; RedisStore keeps both as strings. Keys are meant for one or the other.
    sql_store.increment("hits", LONG)

    assert sql_store.get("hits") is None
    assert sql_store.add("hits", b"value", LONG) is False
    assert sql_store.replace("hits", b"1", b"value", LONG) is False
    assert sql_store.increment("hits", LONG)[0] == 2


def test_sql_store_value_restarts_as_counter(sql_store: SqlStore) -> None:
    sql_store.add("hits", b"value", LONG)

    assert sql_store.increment("hits", LONG)[0] == 1
    assert sql_store.get("hits") is None


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:store?mode=memory&uri=true"]
)
def test_sql_store_sqlite_in_memory_raises_declaration_error(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)

    with pytest.raises(DeclarationError, match="needs a SQLite database file"):
        SqlStore(engine)


def test_sql_store_other_dialect_raises_declaration_error() -> None:
    driver = types.SimpleNamespace(paramstyle="pyformat", Error=Exception)
    engine = sa.create_engine("mysql+pymysql://api@db/api", module=driver)

    with pytest.raises(DeclarationError, match="SqlStore supports PostgreSQL and SQLite"):
        SqlStore(engine)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense://db", "Can't load plugin"),
        ("postgresql+psycopg2://api@db/api", "No module named 'psycopg2'"),
        ("not a url://", "Could not parse"),
    ],
)
def test_sql_store_from_url_unusable_url_raises_declaration_error(url: str, message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        SqlStore.from_url(url)


@pytest.mark.parametrize("create", [True, False])
@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_sql_store_closed_port_raises_store_error(
    closed_port: int, operation: Callable[[Store], object], create: bool
) -> None:
    store = SqlStore.from_url(f"postgresql://postgres@127.0.0.1:{closed_port}/test", create=create)

    with pytest.raises(StoreError, match="SqlStore") as caught:
        operation(store)

    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)
    store.close()


def test_sql_store_table_made_by_many_stores_at_once(sql_engine: sa.Engine) -> None:
    # Each store creates the table (IF NOT EXISTS) on its first use, all at the same moment.
    table_name = f"restkit_test_{uuid.uuid4().hex}"
    stores = [SqlStore(sql_engine, table_name=table_name) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def add(number: int) -> bool:
        barrier.wait(timeout=10)
        return stores[number].add("record", b"value", LONG)

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(add, range(THREADS)))
    finally:
        drop_table(sql_engine, table_name)

    assert results.count(True) == 1


# make_store


def test_make_store_memory_url_returns_memory_store() -> None:
    assert isinstance(make_store("memory://"), MemoryStore)


def test_make_store_redis_url_returns_redis_store(redis_url: str) -> None:
    store = make_store(redis_url)

    assert isinstance(store, RedisStore)
    store.get("restkit-test:never-written")
    store.close()


def test_make_store_sqlite_url_returns_sql_store(tmp_path: Path) -> None:
    store = make_store(f"sqlite:///{tmp_path / 'store.db'}")

    assert isinstance(store, SqlStore)
    assert store.add("record", b"value", LONG) is True
    store.close()


def test_make_store_postgresql_url_returns_sql_store(postgresql_url: str) -> None:
    store = make_store(postgresql_url)

    # Not used: its table would be the shared default, restkit_store.
    assert isinstance(store, SqlStore)
    store.close()


@pytest.mark.parametrize("url", ["memory", "", "redis:/localhost", "nonsense://db"])
def test_make_store_unusable_url_raises_declaration_error(url: str) -> None:
    with pytest.raises(DeclarationError):
        make_store(url)


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [("redis://127.0.0.1:6379/0", "redis", "redis"), ("postgresql://x@h/db", "sqlalchemy", "sql")],
)
def test_make_store_without_its_package_raises_declaration_error(
    monkeypatch: pytest.MonkeyPatch, url: str, module: str, extra: str
) -> None:
    import sys

    for name in list(sys.modules):
        ours = name == module or name.startswith((f"{module}.", "restkit.stores."))
        if ours and name != "restkit.stores.memory":
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # type: ignore[arg-type]

    with pytest.raises(DeclarationError, match=rf"flask-restkit\[{extra}\]"):
        make_store(url)


def test_sql_store_bad_url_error_hides_the_password():
    with pytest.raises(DeclarationError) as raised:
        SqlStore.from_url("nosuchdb+nodriver://user:hunter2@host/db")

    assert "hunter2" not in str(raised.value)
    assert "user:***@host" in str(raised.value)
