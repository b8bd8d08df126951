"""Medication reminders and the daily check-in, driven by rows the worker polls.

A reminder keeps ``next_at`` (UTC) computed from local clock times in
local time (``core.clock``).  Firing it creates an occurrence (unique per reminder and due
time), enqueues the announcement and moves ``next_at`` on, in one
transaction: after a crash either all of that happened or none of it, so a
reminder is never lost and never announced twice.  An occurrence is said
again every 10 minutes up to 3 times; then it is a missed dose and the
family is told where the elder consented.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import TIMEZONE, period_of_clock, say_clock
from records import alerts, audit
from records.tables import CheckIn, ElderProfile, Reminder, ReminderOccurrence, utcnow

log = logging.getLogger(__name__)

REMIND_EVERY = dt.timedelta(minutes=10)
MAX_REREMINDS = 3
CATCH_UP = dt.timedelta(hours=24)  # due times older than this are not even recorded

def next_due(times: str, after: dt.datetime, timezone: str = TIMEZONE) -> dt.datetime:
    """The first local clock time in ``times`` strictly after ``after``, as UTC."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    candidates = []
    for day in (local.date(), local.date() + dt.timedelta(days=1)):
        for clock in times.split():
            hour, minute = (int(part) for part in clock.split(":"))
            candidates.append(dt.datetime.combine(day, dt.time(hour, minute), zone))
    return min(c for c in candidates if c > local).astimezone(dt.timezone.utc)


def create(
    session: Session, elder_id: int, times: list[str], medication: str = "",
    created_by: int | None = None, now: dt.datetime | None = None,
) -> Reminder:
    if not times:
        raise ValueError("a reminder needs at least one clock time")
    now = now or utcnow()
    joined = " ".join(sorted(set(times)))
    reminder = Reminder(
        elder_id=elder_id, medication=(medication or "")[:64], times=joined,
        next_at=next_due(joined, now), created_by=created_by, created_at=now,
    )
    session.add(reminder)
    session.flush()
    return reminder


def active(session: Session, elder_id: int, reader: audit.Reader) -> list[Reminder]:
    """The elder's reminders (medication is health data: the read is audited)."""
    audit.record(session, reader, elder_id, "reminders")
    return list(
        session.execute(
            select(Reminder).where(Reminder.elder_id == elder_id, Reminder.active == 1).order_by(Reminder.id)
        ).scalars()
    )


def cancel(
    session: Session, elder_id: int, medication: str | None = None, now: dt.datetime | None = None,
    period: str | None = None,
) -> int:
    """Cancel the elder's reminders for one medication (or all); returns how many.

    With ``period`` ('morning', 'afternoon', 'evening': 晚上那个提醒) only the
    clock times in that part of the day go; a reminder keeps its other times
    (早上8点、晚上8点 → 早上8点) and is cancelled when none is left."""
    now = now or utcnow()
    query = select(Reminder).where(Reminder.elder_id == elder_id, Reminder.active == 1)
    if medication:
        query = query.where(Reminder.medication == medication)
    count = 0
    for reminder in session.execute(query.with_for_update()).scalars():
        kept = [c for c in reminder.times.split() if period and period_of_clock(c) != period]
        if kept == reminder.times.split():
            continue  # nothing of it in that part of the day
        if kept:
            reminder.times = " ".join(kept)
            reminder.next_at = next_due(reminder.times, now, reminder.timezone)
        else:
            reminder.active, reminder.next_at, reminder.cancelled_at = 0, None, now
        count += 1
    return count


def _say(session: Session, occ: ReminderOccurrence, reminder: Reminder, message: str, now: dt.datetime) -> int:
    """Say the reminder; it expires when the next re-reminder would replace it,
    so a speaker that was off never says a stale "该吃药了".  Returns how many
    addresses it went to (0: the elder cannot be reached at all)."""
    if not reminder.medication:
        message += ".unnamed"  # 该吃药了, without a name to fill in
    local = occ.scheduled_at.astimezone(ZoneInfo(reminder.timezone))
    return alerts.tell_elder(
        session, occ.elder_id, f"rem:{occ.id}:{occ.reminds}", "reminder", message,
        {"medication": reminder.medication, "elder_name": alerts.elder_name(session, occ.elder_id),
         "time": say_clock(local.strftime("%H:%M"))},
        expires_at=now + REMIND_EVERY,
    )


def fire_due(session: Session, now: dt.datetime | None = None, limit: int = 50) -> int:
    """Announce every reminder whose time has come; returns how many fired."""
    now = now or utcnow()
    due = session.execute(
        select(Reminder)
        .where(Reminder.active == 1, Reminder.next_at <= now)
        .order_by(Reminder.next_at, Reminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for reminder in due:
        times = []
        at = reminder.next_at
        while at <= now:
            times.append(at)
            at = next_due(reminder.times, at, reminder.timezone)
        reminder.next_at = at
        times = [t for t in times if t >= now - CATCH_UP] or times[-1:]
        for scheduled in times:
            latest = scheduled == times[-1]
            occ = ReminderOccurrence(
                reminder_id=reminder.id, elder_id=reminder.elder_id, scheduled_at=scheduled,
                status="announced" if latest else "skipped", reminds=1 if latest else 0,
                next_at=now + REMIND_EVERY if latest else None,
            )
            try:
                with session.begin_nested():
                    session.add(occ)
            except IntegrityError:
                continue  # already created by an earlier, committed run
            if latest:
                # Said late (no worker ran at the time): ask whether it was taken, never a fresh 该吃药了.
                fresh = now - scheduled < REMIND_EVERY
                if not _say(session, occ, reminder, "reminder.medication" if fresh else "reminder.again", now):
                    # No speaker and no account of their own: nobody can be told it was missed.
                    occ.status, occ.next_at = "unreachable", None
                    log.warning("reminder %s: the elder has no speaker or account to say it on", reminder.id)
            else:
                log.warning("reminder %s: a due time passed while no worker ran", reminder.id)
    return len(due)


def re_remind_due(session: Session, now: dt.datetime | None = None, limit: int = 50) -> int:
    """Say unacknowledged reminders again; after 3 times, record a missed dose."""
    now = now or utcnow()
    due = session.execute(
        select(ReminderOccurrence)
        .where(ReminderOccurrence.status == "announced", ReminderOccurrence.next_at <= now)
        .order_by(ReminderOccurrence.next_at, ReminderOccurrence.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for occ in due:
        reminder = session.get(Reminder, occ.reminder_id)
        if not reminder.active:
            occ.status, occ.next_at = "cancelled", None  # cancelled since: no more asking, nobody told
            continue
        if occ.reminds <= MAX_REREMINDS:
            occ.reminds += 1
            occ.next_at = now + REMIND_EVERY
            if not _say(session, occ, reminder, "reminder.again", now):
                occ.status, occ.next_at = "unreachable", None  # the speaker was removed meanwhile
            continue
        occ.status, occ.missed_at, occ.next_at = "missed", now, None
        local = occ.scheduled_at.astimezone(ZoneInfo(reminder.timezone)).strftime("%H:%M")
        alerts.raise_alert(
            session, occ.elder_id, "missed_dose", "medium",
            {"medication": reminder.medication, "time": local},
            doctor_message=None, family_message="missed_dose.family",
            family_detail_message="missed_dose.family_detail",
        )
    return len(due)


def acknowledge(session: Session, elder_id: int, now: dt.datetime | None = None) -> ReminderOccurrence | None:
    """吃了/好的: the elder's current (most recent unacknowledged) occurrence is taken."""
    occ = session.execute(
        select(ReminderOccurrence)
        .where(ReminderOccurrence.elder_id == elder_id, ReminderOccurrence.status == "announced")
        .order_by(ReminderOccurrence.scheduled_at.desc())
        .with_for_update()
    ).scalars().first()
    if occ is not None:
        occ.status, occ.acknowledged_at, occ.next_at = "acknowledged", now or utcnow(), None
    return occ


def checkin_window() -> dt.timedelta:
    """How long a check-in waits for an answer, from the installed settings."""
    from core.settings import current

    return dt.timedelta(minutes=current().checkin_window_minutes)


def schedule_checkins(session: Session, now: dt.datetime | None = None) -> int:
    """Ask each elder "今天身体怎么样？" at their check-in time, once a day."""
    now = now or utcnow()
    zone = ZoneInfo(TIMEZONE)
    local = now.astimezone(zone)
    window = checkin_window()
    asked = 0
    for profile in session.execute(select(ElderProfile).where(ElderProfile.checkin_time.is_not(None))).scalars():
        try:
            hour, minute = (int(p) for p in profile.checkin_time.split(":"))
        except ValueError:
            continue
        at = dt.datetime.combine(local.date(), dt.time(hour, minute), zone)
        if not (at <= local < at + window):
            continue
        exists = session.execute(
            select(CheckIn.id).where(CheckIn.elder_id == profile.person_id, CheckIn.day == local.date())
        ).first()
        if exists or not reachable(session, profile.person_id):
            continue  # asked already, or nowhere to ask: then nobody is told "no answer"
        checkin = CheckIn(elder_id=profile.person_id, day=local.date(), asked_at=now, deadline_at=at + window)
        try:
            with session.begin_nested():
                session.add(checkin)
        except IntegrityError:
            continue
        alerts.tell_elder(session, profile.person_id, f"checkin:{checkin.id}", "checkin", "checkin.ask", {},
                          expires_at=checkin.deadline_at)
        asked += 1
    return asked


def reachable(session: Session, elder_id: int) -> bool:
    """Whether anything can be said to the elder: a speaker, or an account of their own."""
    return bool(alerts.elder_targets(session, elder_id))


def expire_checkins(session: Session, now: dt.datetime | None = None, limit: int = 50) -> int:
    """No answer within the window: tell the family that consented to alerts."""
    now = now or utcnow()
    due = session.execute(
        select(CheckIn)
        .where(CheckIn.status == "asked", CheckIn.deadline_at <= now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for checkin in due:
        checkin.status = "unanswered"
        alerts.raise_alert(
            session, checkin.elder_id, "checkin_missed", "medium", {},
            doctor_message=None, family_message="checkin.missed.family",
        )
    return len(due)


def answer_checkin(session: Session, elder_id: int, answer: str = "ok", now: dt.datetime | None = None) -> bool:
    """The elder answered today's check-in (any reply to it counts)."""
    checkin = session.execute(
        select(CheckIn).where(CheckIn.elder_id == elder_id, CheckIn.status == "asked").with_for_update()
    ).scalars().first()
    if checkin is None:
        return False
    checkin.status, checkin.answered_at, checkin.answer = "answered", now or utcnow(), answer[:32]
    return True
