"""``anxin worker``: run due work from the database, again and again.

Each run: move escalation ladders on, fire reminders and re-reminders, ask
and expire daily check-ins, then send the outbox through the channel
adapters.  Once an hour it also keeps house: old binding attempts and codes
and old inbound de-duplication rows go, and the words of conversations older
than the retention time (``ANXIN_CONVERSATION_DAYS``, 30) are redacted.  Every phase is its own transaction over rows locked with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so any number of workers can run;
on SQLite the database's single writer serialises them.  A worker killed at
any point loses nothing: uncommitted work is redone by the next run, and a
message it had claimed is claimed again after the lease, after asking the
adapter whether it already went out.  Logs name phases, ids and error
types, never message text or health values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass, field

from bot.outbound.base import ChannelAdapter, DeliveryResult, Outcome
from bot.outbound.deliver import deliver
from core.errors import StoreUnavailable
from records import (
    alerts,
    binding,
    booking_reminders,
    conversations,
    db,
    emergency,
    inbox,
    outbox,
    reminders,
    safety,
)
from records.tables import utcnow

log = logging.getLogger("anxin.worker")

PHASES = (
    ("ladder", emergency.advance_due),
    ("reminders", reminders.fire_due),
    ("re-reminders", reminders.re_remind_due),
    ("check-ins", reminders.schedule_checkins),
    ("check-ins missed", reminders.expire_checkins),
    ("booking reminders", booking_reminders.fire_due),
    ("alert escalation", alerts.escalate_due),
)


@dataclass(frozen=True)
class Job:
    """What the worker needs of a claimed outbox row, outside its transaction."""

    id: int
    key: str
    channel: str
    address: str
    kind: str
    template: str
    params: dict
    reclaimed: bool
    expires_at: dt.datetime | None = None


@dataclass
class Worker:
    url: str | None
    adapters: dict[str, ChannelAdapter]
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    batch: int = 20
    lease: float = outbox.DEFAULT_LEASE
    tracker_url: str | None = None
    keep_conversations: dt.timedelta = conversations.RETENTION
    housekeeping_every: dt.timedelta = dt.timedelta(hours=1)
    last_housekeeping: dt.datetime | None = None

    def run_once(self, now: dt.datetime | None = None) -> dict[str, int]:
        """One pass over every kind of due work; returns what was done."""
        done = {"urgent": self.run_urgent(now)}
        done.update({name: self._phase(name, func, now) for name, func in PHASES})
        done["sent"] = self.send_due(now) + done.pop("urgent")
        done["lectures"] = self.send_lectures(now)
        done["housekeeping"] = self.keep_house(now)
        return done

    def keep_house(self, now: dt.datetime | None = None) -> int:
        """At most once per ``housekeeping_every``: prune, and redact old conversations."""
        now = now or utcnow()
        if self.last_housekeeping is not None and now - self.last_housekeeping < self.housekeeping_every:
            return 0
        self.last_housekeeping = now
        done = self._phase("prune binding", lambda session, at: binding.prune(session, at), now)
        done += self._phase("prune inbox", lambda session, at: inbox.prune(session), now)
        if self.tracker_url:
            try:
                done += conversations.redact_older_than(self.tracker_url, self.keep_conversations, now)
            except Exception as exc:  # noqa: BLE001 - boundary: housekeeping must not stop safety work
                log.error("worker phase redact conversations failed: %s", type(exc).__name__)
        return done

    def run_urgent(self, now: dt.datetime | None = None) -> int:
        """The priority lane: unanswered safety questions become emergencies,
        due ladders move on, then every due call for help and health alert is
        sent, before any other message.  Run before each ordinary send, so a
        backlog or a slow channel delays a call for help by one send at most."""
        self._phase("safety questions", safety.escalate_due, now)
        self._phase("ladder", emergency.advance_due, now)
        sent = 0
        while True:
            jobs = self.claim(now, urgent=True)
            for job in jobs:
                sent += self.deliver(job)
            if len(jobs) < self.batch:
                return sent

    def send_lectures(self, now: dt.datetime | None = None) -> int:
        """Lecture broadcasts and lecture reminders (rate limits, quiet hours, backoff)."""
        import dataclasses

        from bot import broadcast
        from core.settings import current

        try:
            return broadcast.send_due(dataclasses.replace(current(), database_url=self.url or current().database_url),
                                      self.adapters, now, between=lambda: self.run_urgent(now))
        except StoreUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - boundary: broadcasts must not stop safety work
            log.error("worker phase lectures failed: %s", type(exc).__name__)
            return 0

    def _phase(self, name: str, func, now: dt.datetime | None) -> int:
        try:
            with db.session_scope(self.url) as session:
                return func(session, now or utcnow())
        except StoreUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - boundary: one broken phase must not stop the others
            log.error("worker phase %s failed: %s", name, type(exc).__name__)
            return 0

    def claim(self, now: dt.datetime | None = None, urgent: bool | None = None) -> list[Job]:
        with db.session_scope(self.url) as session:
            rows = outbox.claim_due(session, self.batch, self.name, now or utcnow(), self.lease, urgent=urgent)
            return [
                Job(r.id, r.key, r.channel, r.address, r.kind, r.template, outbox.params_of(r), r.reclaimed,
                    r.expires_at)
                for r in rows
            ]

    def send_due(self, now: dt.datetime | None = None) -> int:
        """Every due ordinary message, the priority lane first and between sends."""
        sent = self.run_urgent(now)
        while True:
            jobs = self.claim(now, urgent=False)
            for job in jobs:
                sent += self.run_urgent(now)
                sent += self.deliver(job)
            if len(jobs) < self.batch:
                return sent

    def deliver(self, job: Job) -> int:
        result = deliver(self.adapters.get(job.channel), channel=job.channel, address=job.address, kind=job.kind,
                         key=job.key, template=job.template, params=job.params, reclaimed=job.reclaimed,
                         expires_at=job.expires_at)
        self._finish(job, result)
        return 1 if result.outcome is Outcome.SENT else 0

    def _finish(self, job: Job, result: DeliveryResult) -> None:
        with db.session_scope(self.url) as session:
            state = ""
            if result.outcome is Outcome.SENT:
                outbox.mark_sent(session, job.id, self.name, result.provider_id)
            elif result.outcome is Outcome.RETRY:
                state = outbox.mark_retry(session, job.id, result.detail, self.name, result.retry_after)
                log.warning("outbox %s on %s: retry (%s) → %s", job.id, job.channel, result.detail, state)
            else:
                outbox.mark_failed(session, job.id, f"{result.outcome.value}: {result.detail}", self.name)
                log.error("outbox %s on %s: %s (%s)", job.id, job.channel, result.outcome.value, result.detail)
                state = "failed"
            if result.outcome is not Outcome.SENT and state == "failed" and job.kind == "escalation":
                # Nobody can be reached there: the next person now, not a step later.
                if emergency.advance_after_failure(session, job.key):
                    log.warning("outbox %s: ladder moved on after a failed delivery", job.id)


def run_forever(worker: Worker, interval: float, stop: threading.Event) -> None:
    """Run until ``stop`` is set; back off while the database is down."""
    pause = interval
    while not stop.is_set():
        try:
            worker.run_once()
            pause = interval
        except StoreUnavailable:
            pause = min(60.0, max(interval, pause * 2))
            log.warning("records database unavailable; next try in %.0f s", pause)
        stop.wait(pause)


def make_worker(args: argparse.Namespace) -> Worker:
    from bot.outbound.registry import adapters
    from core.settings import current

    settings = current()
    return Worker(settings.database_url, adapters(settings), batch=args.batch, lease=args.lease,
                  tracker_url=settings.tracker_url,
                  keep_conversations=dt.timedelta(days=settings.conversation_days))


def cmd_worker(args: argparse.Namespace) -> int:
    worker = make_worker(args)
    if args.once:
        done = worker.run_once()
        print(" ".join(f"{name}={n}" for name, n in done.items()))
        return 0
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_forever(worker, args.interval, stop)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="one pass over due work, then exit")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between passes (default 1)")
    parser.add_argument("--batch", type=int, default=20, help="outbox rows claimed at a time")
    parser.add_argument("--lease", type=float, default=outbox.DEFAULT_LEASE,
                        help="seconds before a dead worker's claimed messages are claimed again")
    parser.set_defaults(func=cmd_worker)


def register(subparsers) -> None:
    """Add ``anxin worker`` to the CLI's subcommands."""
    add_arguments(subparsers.add_parser("worker", help="run reminders, escalations and outgoing messages"))


def main(argv: list[str] | None = None) -> int:
    from core import logs
    from core.settings import bootstrap

    logs.install(bootstrap().secrets())
    parser = argparse.ArgumentParser(prog="python -m bot.worker", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
