"""Reminders: next time in Asia/Shanghai, occurrences, re-reminds, missed doses; check-ins."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from nlu import chinese
from records import audit, db, reminders
from records.tables import Alert, CheckIn, OutboxMessage, Reminder, ReminderOccurrence
from tests.records.seeded import seed_demo

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH).astimezone(dt.timezone.utc)


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("每天早上八点提醒我吃降压药", ["08:00"]),
        ("每天晚上九点", ["21:00"]),
        ("早上七点半和晚上九点", ["07:30", "21:00"]),
        ("中午十二点", ["12:00"]),
        ("下午三点十五", ["15:15"]),
        ("每天8:30", ["08:30"]),
        ("提醒我吃药", []),
    ],
)
def test_parse_clock_times(text, times):
    assert chinese.parse_clock_times(text) == times


def test_next_due_is_in_shanghai_time():
    assert reminders.next_due("08:00", local(2026, 11, 23, 7, 59)) == local(2026, 11, 23, 8, 0)
    assert reminders.next_due("08:00", local(2026, 11, 23, 8, 0)) == local(2026, 11, 24, 8, 0)
    assert reminders.next_due("08:00 20:00", local(2026, 11, 23, 9, 0)) == local(2026, 11, 23, 20, 0)


def _occurrences(session):
    return session.execute(select(ReminderOccurrence).order_by(ReminderOccurrence.id)).scalars().all()


def _said(session, prefix="rem:"):
    return session.execute(
        select(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%")).order_by(OutboxMessage.id)
    ).scalars().all()


def _advance(url, *minutes, hour=8):
    """Let the worker's re-remind pass run at each of those minutes past the hour (23 Nov)."""
    done = []
    for minute in minutes:
        with db.session_scope(url) as session:
            done.append(reminders.re_remind_due(session, local(2026, 11, 23, hour, minute)))
    return done


def test_a_reminder_fires_once_and_moves_to_tomorrow(demo):
    with db.session_scope(demo.url) as session:
        reminder_id = reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0)).id
    with db.session_scope(demo.url) as session:
        assert reminders.fire_due(session, local(2026, 11, 23, 7, 59)) == 0
        assert reminders.fire_due(session, local(2026, 11, 23, 8, 0, 5)) == 1
    with db.session_scope(demo.url) as session:
        assert reminders.fire_due(session, local(2026, 11, 23, 8, 1)) == 0  # already done
        assert session.get(Reminder, reminder_id).next_at == local(2026, 11, 24, 8, 0)
        (occ,) = _occurrences(session)
        (said,) = _said(session)
    assert occ.status == "announced" and occ.scheduled_at == local(2026, 11, 23, 8, 0)
    assert said.channel == "speaker" and said.template == "reminder.medication"
    assert "降压药" in said.params


def test_re_reminds_three_times_then_tells_the_family(demo):
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 8, 0))
    assert _advance(demo.url, 10, 20, 30) == [1, 1, 1]
    with db.session_scope(demo.url) as session:
        assert len(_said(session)) == 4
        assert _occurrences(session)[0].status == "announced"
        assert reminders.re_remind_due(session, local(2026, 11, 23, 8, 40)) == 1
    with db.session_scope(demo.url) as session:
        (occ,) = _occurrences(session)
        alert = session.execute(select(Alert)).scalar_one()
        family = {(r.person_id, r.template) for r in _said(session, "alert:")}
    assert occ.status == "missed" and alert.kind == "missed_dose"
    assert family >= {(demo.daughter, "missed_dose.family_detail"), (demo.son, "missed_dose.family")}
    assert all(person != demo.doctor for person, _ in family)


def test_acknowledging_stops_the_re_reminds(demo):
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00"], "", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 8, 0))
    with db.session_scope(demo.url) as session:
        assert reminders.acknowledge(session, demo.elder, local(2026, 11, 23, 8, 5)) is not None
    with db.session_scope(demo.url) as session:
        assert reminders.re_remind_due(session, local(2026, 11, 23, 9, 0)) == 0
        assert _occurrences(session)[0].status == "acknowledged"
        assert _said(session)[0].template == "reminder.medication.unnamed"
        assert reminders.acknowledge(session, demo.elder) is None


def test_a_worker_outage_is_recorded_not_replayed(demo):
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00", "20:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 24, 9, 0))  # the worker was down for a day
        statuses = [(o.scheduled_at, o.status) for o in _occurrences(session)]
    assert statuses == [  # older than a day (23rd 08:00) is not even recorded
        (local(2026, 11, 23, 20, 0), "skipped"),
        (local(2026, 11, 24, 8, 0), "announced"),
    ]


def test_list_is_audited_and_cancel_stops_firing(demo):
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00"], "降压药")
        reminders.create(session, demo.elder, ["21:00"], "阿司匹林")
    reader = audit.Reader(demo.elder, "elder", "elder listed reminders")
    with db.session_scope(demo.url) as session:
        assert [r.medication for r in reminders.active(session, demo.elder, reader)] == ["降压药", "阿司匹林"]
        assert reminders.cancel(session, demo.elder, "降压药") == 1
    with db.session_scope(demo.url) as session:
        assert [r.medication for r in reminders.active(session, demo.elder, reader)] == ["阿司匹林"]
        assert len(audit.entries(session, demo.elder)) == 2


def test_cancelling_the_evening_keeps_the_morning_time(demo):
    """晚上那个提醒删了: only the evening's times go; a reminder with none left is cancelled."""
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00", "20:00"], "降压药", now=local(2026, 11, 23, 7, 0))
        reminders.create(session, demo.elder, ["21:00"], "阿司匹林", now=local(2026, 11, 23, 7, 0))
        reminders.create(session, demo.elder, ["12:00"], "钙片", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        assert reminders.cancel(session, demo.elder, None, local(2026, 11, 23, 9, 0), period="evening") == 2
        assert reminders.cancel(session, demo.elder, None, local(2026, 11, 23, 9, 0), period="evening") == 0
    with db.session_scope(demo.url) as session:
        left = {r.medication: (r.active, r.times, r.next_at) for r in session.execute(select(Reminder)).scalars()}
    assert left["降压药"][:2] == (1, "08:00") and left["降压药"][2].replace(tzinfo=dt.timezone.utc) == local(2026, 11, 24, 8, 0)
    assert left["阿司匹林"][:2] == (0, "21:00") and left["钙片"][:2] == (1, "12:00")


def test_daily_checkin_asks_once_and_tells_family_when_unanswered(demo):
    # The demo elder's check-in time is 08:30.
    with db.session_scope(demo.url) as session:
        assert reminders.schedule_checkins(session, local(2026, 11, 23, 8, 29)) == 0
        assert reminders.schedule_checkins(session, local(2026, 11, 23, 8, 31)) == 1
    with db.session_scope(demo.url) as session:
        assert reminders.schedule_checkins(session, local(2026, 11, 23, 8, 40)) == 0
        assert _said(session, "checkin:")[0].template == "checkin.ask"
        assert reminders.expire_checkins(session, local(2026, 11, 23, 10, 29)) == 0
        assert reminders.expire_checkins(session, local(2026, 11, 23, 10, 31)) == 1
    with db.session_scope(demo.url) as session:
        assert session.execute(select(CheckIn)).scalar_one().status == "unanswered"
        family = {r.person_id for r in _said(session, "alert:")}
    assert family == {demo.daughter, demo.son}


def test_an_answered_checkin_tells_nobody(demo):
    with db.session_scope(demo.url) as session:
        reminders.schedule_checkins(session, local(2026, 11, 23, 8, 31))
    with db.session_scope(demo.url) as session:
        assert reminders.answer_checkin(session, demo.elder, "ok")
    with db.session_scope(demo.url) as session:
        assert reminders.expire_checkins(session, local(2026, 11, 23, 12, 0)) == 0
        assert _said(session, "alert:") == []


# -- issue 16, finding 9: reminders and check-ins that really reach the elder -----------------


def _no_speaker(session, elder_id):
    from sqlalchemy import update

    from records.tables import Device

    session.execute(update(Device).where(Device.elder_id == elder_id).values(active=False))


def test_each_saying_expires_when_the_next_replaces_it_and_asks_about_the_dose(demo):
    """A speaker that was off must not say a fresh 该吃药了 hours later."""
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 8, 0))
    with db.session_scope(demo.url) as session:
        reminders.re_remind_due(session, local(2026, 11, 23, 8, 10))
    with db.session_scope(demo.url) as session:
        first, again = _said(session)
    assert first.expires_at == local(2026, 11, 23, 8, 10)
    assert again.template == "reminder.again" and '"time": "早上8点"' in again.params
    from bot.outbound.texts import render
    from records import outbox

    assert render(again.template, outbox.params_of(again)) == "王秀兰，您早上8点的降压药吃了吗？吃了跟我说：吃了。"


def test_a_reminder_fired_late_asks_whether_it_was_taken(demo):
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 10, 0))  # the worker came back at ten
        (said,) = _said(session)
    assert said.template == "reminder.again", "never a fresh 该吃药了 two hours late (double-dose risk)"


def test_an_elder_with_no_speaker_gets_reminders_on_their_own_wechat(demo):
    from records.tables import ChannelIdentity

    with db.session_scope(demo.url) as session:
        _no_speaker(session, demo.elder)
        session.add(ChannelIdentity(person_id=demo.elder, channel="wechat", external_id="o-elder-own"))
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 8, 0))
        (said,) = _said(session)
        assert reminders.schedule_checkins(session, local(2026, 11, 23, 8, 31)) == 1
    assert (said.channel, said.address) == ("wechat", "o-elder-own")


def test_an_elder_who_cannot_be_reached_is_never_reported_as_missing_a_dose_or_a_checkin(demo):
    with db.session_scope(demo.url) as session:
        _no_speaker(session, demo.elder)
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 8, 0))
        assert reminders.schedule_checkins(session, local(2026, 11, 23, 8, 31)) == 0
    _advance(demo.url, 10, 20, 30, 40, 50)
    with db.session_scope(demo.url) as session:
        reminders.expire_checkins(session, local(2026, 11, 23, 12, 0))
        (occ,) = _occurrences(session)
        assert occ.status == "unreachable"
        assert session.execute(select(CheckIn)).first() is None
        assert session.execute(select(Alert)).first() is None, "nobody is told 'missed' about what was never said"
        assert _said(session) == []


def test_a_reminder_cancelled_while_it_was_waiting_stops_asking(demo):
    with db.session_scope(demo.url) as session:
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=local(2026, 11, 23, 7, 0))
    with db.session_scope(demo.url) as session:
        reminders.fire_due(session, local(2026, 11, 23, 8, 0))
        reminders.cancel(session, demo.elder, "降压药")
    _advance(demo.url, 10, 20, 30, 40)
    with db.session_scope(demo.url) as session:
        assert _occurrences(session)[0].status == "cancelled"
        assert len(_said(session)) == 1 and session.execute(select(Alert)).first() is None


def test_the_checkin_question_expires_with_its_window(demo):
    with db.session_scope(demo.url) as session:
        reminders.schedule_checkins(session, local(2026, 11, 23, 8, 31))
        (said,) = _said(session, "checkin:")
        checkin = session.execute(select(CheckIn)).scalar_one()
    assert said.expires_at == checkin.deadline_at
