"""Send due lecture deliveries through the channel adapters (one worker tick).

``send_due`` claims due rows per channel in a short transaction, sends each
outside it (a slow channel never holds a lock), and records every outcome:
sent (with the channel's id), retry with exponential backoff, or failed with
the reason.  Each channel has a token-bucket rate limit shared by the ticks
of this process; speakers keep quiet hours (``records.broadcast.claim_due``
gives them nothing at night, so their rows wait for the morning).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.outbound.base import ChannelAdapter, DeliveryResult, Outcome
from bot.outbound.deliver import deliver
from core.settings import Settings

log = logging.getLogger(__name__)

# Messages per second.  Telegram allows about 30 a second per bot; WeChat's
# customer-service API is throttled per account; speakers are local rows.
DEFAULT_RATES = {"speaker": 200.0, "wechat": 20.0, "telegram": 25.0}
FALLBACK_RATE = 10.0
MAX_PER_TICK = 500  # per channel, so that one tick stays short
TEMPLATES = {kind: f"lecture.{kind}" for kind in ("broadcast", "remind_day", "remind_hour", "promoted")}


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(default=-1.0)
    stamp: float = field(default=0.0)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def available(self) -> int:
        with self.lock:
            now = self.clock()
            if self.tokens < 0:
                self.tokens, self.stamp = self.burst, now
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            return int(self.tokens)

    def take(self, n: int = 1) -> None:
        with self.lock:
            self.tokens -= n


class RateLimits:
    """One bucket per channel (burst: one second's worth)."""

    def __init__(self, rates: Mapping[str, float] | None = None, clock: Callable[[], float] = time.monotonic):
        self.rates = dict(DEFAULT_RATES if rates is None else rates)
        self.clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, channel: str) -> TokenBucket:
        if channel not in self._buckets:
            rate = self.rates.get(channel, FALLBACK_RATE)
            self._buckets[channel] = TokenBucket(rate, max(1.0, rate), self.clock)
        return self._buckets[channel]


_shared_limits = RateLimits()


def worker_name() -> str:
    return f"broadcast-{socket.gethostname()}-{os.getpid()}"[:64]


def _lecture_params(url: str, lecture_id: int, cache: dict) -> dict | None:
    if lecture_id not in cache:
        from records import db, lectures

        with db.session_scope(url) as session:
            try:
                lecture = lectures.get(session, lecture_id)
            except Exception:  # noqa: BLE001 - NotFound: the lecture was deleted
                cache[lecture_id] = None
            else:
                cache[lecture_id] = None if lecture.status == "cancelled" else lecture.params()
    return cache[lecture_id]


def _send_one(adapter: ChannelAdapter | None, claimed, params: dict | None) -> DeliveryResult:
    if params is None:
        return DeliveryResult(Outcome.FAILED, "lecture cancelled or removed")
    return deliver(adapter, channel=claimed.channel, address=claimed.address, kind="broadcast", key=claimed.key,
                   template=TEMPLATES[claimed.kind], params=params, reclaimed=claimed.attempts > 1)


def _record(url: str, results, now, worker: str) -> None:
    from records import broadcast, db

    sent = [c.id for c, r in results if r.outcome is Outcome.SENT]
    providers = {c.id: r.provider_id for c, r in results if r.outcome is Outcome.SENT and r.provider_id}
    with db.session_scope(url) as session:
        broadcast.mark_sent(session, sent, now=now, worker=worker, provider_ids=providers)
        for claimed, result in results:
            if result.outcome is Outcome.RETRY:
                broadcast.mark_retry(session, claimed, result.detail or "retry", now=now, worker=worker,
                                     retry_after=result.retry_after)
            elif result.outcome is not Outcome.SENT:
                reason = f"{result.outcome.value}: {result.detail}" if result.detail else result.outcome.value
                broadcast.mark_failed(session, claimed.id, reason, now=now, worker=worker)
                log.info("lecture delivery %s on %s failed: %s", claimed.id, claimed.channel, reason)


def send_due(settings: Settings, adapters: Mapping[str, ChannelAdapter], now=None, *,
             limits: RateLimits | None = None, worker: str | None = None,
             max_per_tick: int = MAX_PER_TICK, between: Callable[[], object] | None = None) -> int:
    """Send what is due on every channel within its rate; returns how many were sent.

    ``between`` runs before each send: the worker passes its priority lane,
    so a call for help waits for one lecture send at most, never for a
    whole claimed batch (20 WeChat sends at 2 s each were 40 s)."""
    from records import broadcast, db
    from records.tables import utcnow

    url, tz = settings.database_url, settings.timezone
    limits = limits or _shared_limits
    worker = worker or worker_name()
    now = now or utcnow()
    with db.session_scope(url) as session:
        channels = broadcast.due_channels(session, now)
    cache: dict[int, dict | None] = {}
    sent = 0
    for channel in channels:
        bucket = limits.bucket(channel)
        budget = min(bucket.available(), max_per_tick)
        if budget <= 0:
            continue
        with db.session_scope(url) as session:
            claimed = broadcast.claim_due(session, channel, budget, now=now, worker=worker, timezone=tz)
        if not claimed:
            continue
        bucket.take(len(claimed))
        adapter = adapters.get(channel)
        results = []
        for one in claimed:
            if between is not None:
                between()
            results.append((one, _send_one(adapter, one, _lecture_params(url, one.lecture_id, cache))))
        _record(url, results, now, worker)
        sent += sum(1 for _, r in results if r.outcome is Outcome.SENT)
    return sent
