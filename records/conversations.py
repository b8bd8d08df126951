"""The conversation text Rasa keeps: redacted after the retention time, and
deleted for a person who asked to be forgotten.

Rasa's SQL tracker store keeps every event of every conversation in its
``events`` table (sender_id, type_name, timestamp, data as JSON), the user's
words and the bot's replies included, forever.  ``redact_older_than`` blanks
the words (text, entities, metadata, slot values) of events older than the
retention time and marks them ``"redacted": true``; the event itself stays,
so the tracker still loads and its intents and actions still count.  The
structured records (readings, bookings, reminders) are in the care records,
not here, and are not touched.  ``forget`` deletes a sender's events.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from contextlib import contextmanager

import sqlalchemy as sa

from records.tables import utcnow

log = logging.getLogger(__name__)

EVENTS = sa.table(
    "events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String), sa.column("timestamp", sa.Float), sa.column("data", sa.Text),
)
WORDS = ("user", "bot", "slot", "entities", "user_featurization")
MARK = '"redacted": true'
RETENTION = dt.timedelta(days=30)


@contextmanager
def _events(url: str):
    """An engine on the tracker store, or None when it has no events table yet."""
    engine = sa.create_engine(url, future=True)
    try:
        yield engine if sa.inspect(engine).has_table("events") else None
    finally:
        engine.dispose()


def _redact(connection, rows) -> int:
    for row in rows:
        connection.execute(sa.update(EVENTS).where(EVENTS.c.id == row.id).values(data=_redacted(row.data)))
    return len(rows)


def _redacted(data: str) -> str:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        event = {}
    kept = {key: event[key] for key in ("event", "timestamp", "name") if key in event}
    if event.get("event") == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        kept["text"] = ""
        kept["parse_data"] = {"intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
                              "entities": [], "text": ""}
        kept["input_channel"] = event.get("input_channel")
    elif event.get("event") == "bot":
        kept["text"] = ""
    elif event.get("event") == "slot":
        kept["value"] = None
    kept["redacted"] = True
    return json.dumps(kept, ensure_ascii=False)


def redact_older_than(url: str, keep: dt.timedelta = RETENTION, now: dt.datetime | None = None,
                      batch: int = 500) -> int:
    """Blank the words of every event older than ``keep``; returns how many."""
    cutoff = ((now or utcnow()) - keep).timestamp()
    done = 0
    with _events(url) as engine:
        while engine is not None:
            with engine.begin() as connection:
                rows = connection.execute(
                    sa.select(EVENTS.c.id, EVENTS.c.data)
                    .where(EVENTS.c.type_name.in_(WORDS), EVENTS.c.timestamp < cutoff,
                           sa.not_(EVENTS.c.data.contains(MARK)))
                    .order_by(EVENTS.c.id).limit(batch)
                ).all()
                done += _redact(connection, rows)
            if len(rows) < batch:
                break
    return done


def forget(url: str, sender_ids) -> int:
    """Delete every event of these senders (a person who asked to be forgotten)."""
    senders = sorted(set(sender_ids))
    with _events(url) as engine:
        if engine is None or not senders:
            return 0
        with engine.begin() as connection:
            return connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(senders))).rowcount or 0


def scrub(url: str, words) -> int:
    """Redact every event, of anyone, whose data contains one of ``words``
    (a forgotten elder's name and phone in their daughter's conversation)."""
    words = [w for w in words if w and len(w) >= 2]
    with _events(url) as engine:
        if engine is None or not words:
            return 0
        with engine.begin() as connection:
            return _redact(connection, connection.execute(sa.select(EVENTS.c.id, EVENTS.c.data).where(
                sa.or_(*[EVENTS.c.data.contains(w) for w in words]))).all())
