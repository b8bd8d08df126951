"""Rasa's SQL tracker store, with connections that survive a database restart.

Rasa's ``SQLTrackerStore`` pools connections without checking them, so after
PostgreSQL restarts every pooled connection fails once and each of those turns
is lost with a 500.  This store is the same, except that a connection is
checked (``pool_pre_ping``) before each use and replaced if the server went away.
On SQLite (the embedded mode) it uses the write-ahead log with
``synchronous=NORMAL``: a crash of the process loses nothing, a power cut at
most the last turns, and a turn no longer waits for two fsyncs.
Configured in ``endpoints.yml``; the URL is ``ANXIN_TRACKER_URL``.
"""

from __future__ import annotations

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

from records.db import PG_TIMEOUTS, POOL_WAIT_SECONDS


def _sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        options = create_engine_kwargs(url)
        if url.get_backend_name() != "sqlite":
            options.update(pool_pre_ping=True, pool_size=10, max_overflow=10, pool_timeout=POOL_WAIT_SECONDS)
            if "options" not in url.query:
                options.setdefault("connect_args", {})["options"] = PG_TIMEOUTS
        self.engine = sa.create_engine(url, **options)
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
