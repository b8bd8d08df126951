"""Engines and sessions, made on demand (never at import).

``session_scope()`` is the unit of work the service API runs in: it commits
when the block ends cleanly, rolls back otherwise, and turns "the database is
not there" into :class:`~core.errors.StoreUnavailable` so that callers can give
an honest answer instead of a false confirmation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from core.errors import StoreUnavailable

# What the driver raises; :func:`unavailable` tells which of these mean "not there".
log = logging.getLogger(__name__)
DRIVER_ERRORS = (OperationalError, DBAPIError)

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker] = {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn) -> None:
    # Take SQLite's write lock at BEGIN, so read-then-write transactions
    # (check a slot, then book it) serialise instead of failing half-way.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` (SQLite or PostgreSQL), 2.0-style."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            future=True,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         pool_timeout=POOL_WAIT_SECONDS, **pg_connect_args(parsed))


# PostgreSQL ends what would otherwise hang a turn: a statement after 30 s, a
# wait for a row lock after 10 s, a transaction left idle for 60 s (its locks
# go with it).  Each surfaces as StoreUnavailable, which every caller answers.
# Migrations lift the first two (``records.migrate``).
PG_TIMEOUTS = "-c statement_timeout=30000 -c lock_timeout=10000 -c idle_in_transaction_session_timeout=60000"
POOL_WAIT_SECONDS = 10  # a pool that stays exhausted this long is an outage, not a queue


def pg_connect_args(parsed) -> dict:
    """``connect_args`` with :data:`PG_TIMEOUTS`, unless the URL sets its own ``options``."""
    return {} if "options" in parsed.query else {"connect_args": {"options": PG_TIMEOUTS}}


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for ``url`` (default: the settings' database)."""
    if url is None:
        from core.settings import current

        url = current().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
            _factories[url] = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        return engine


def session_factory(url: str | None = None) -> sessionmaker:
    return _factory_for(get_engine(url))


def _factory_for(engine: Engine) -> sessionmaker:
    with _lock:
        for key, known in _engines.items():
            if known is engine:
                return _factories[key]
    raise RuntimeError("engine not made by get_engine")


def unavailable(exc: BaseException) -> bool:
    """True when a driver error means the database cannot be reached (not a bad statement)."""
    return isinstance(exc, OperationalError) or bool(getattr(exc, "connection_invalidated", False))


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: commit on success, roll back on error."""
    factory = session_factory(url)
    try:
        session: Session = factory()
    except (OperationalError, DBAPIError) as exc:  # pragma: no cover - connect is lazy
        raise StoreUnavailable("the care-records database cannot be reached") from exc
    try:
        yield session
        session.commit()
    except PoolTimeout as exc:
        session.rollback()
        log.error("care-records database: no free connection after %s s", POOL_WAIT_SECONDS)
        raise StoreUnavailable("the care-records database is overloaded") from exc
    except DRIVER_ERRORS as exc:
        session.rollback()
        if unavailable(exc):
            # the driver's own words only: the statement and its parameters may hold health data
            log.error("care-records database unavailable: %s: %.200s", type(exc.orig).__name__, exc.orig)
            raise StoreUnavailable("the care-records database cannot be reached") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_all() -> None:
    """Close every pooled connection (tests, and before forking workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()


def _admin_engine(parsed) -> Engine:
    return create_engine(parsed.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database that ``url`` names, closing its connections
    first (tests and benchmarks clean up with this).  Not for SQLite."""
    from sqlalchemy import text

    parsed = make_url(url)
    dispose_all()
    admin = _admin_engine(parsed)
    try:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     " WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": parsed.database},
            )
            quoted = parsed.database.replace('"', '""')
            conn.execute(text(f'DROP DATABASE IF EXISTS "{quoted}"'))
    finally:
        admin.dispose()


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database that ``url`` names if it is missing
    (connecting to the server's ``postgres`` database to do so).  SQLite files
    are made on first use.  Returns True when a database was created."""
    from sqlalchemy import text

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    admin = _admin_engine(parsed)
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if exists:
                return False
            quoted = parsed.database.replace('"', '""')
            conn.execute(text(f'CREATE DATABASE "{quoted}"'))
            return True
    except OperationalError as exc:
        raise StoreUnavailable(f"cannot reach PostgreSQL at {parsed.render_as_string(hide_password=True)}") from exc
    finally:
        admin.dispose()
