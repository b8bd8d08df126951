"""Reminders by voice: read back, store on 对, list, cancel; 吃了 acknowledges."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.reminders import (
    ActionAffirmOutsideQuestion,
    ActionCancelAllReminders,
    ActionCancelReminder,
    ActionKeepReminders,
    ActionListReminders,
    ActionReminderDenied,
    ActionSaveReminder,
    ActionSetReminder,
)
from nlu.chinese import say_clock as spoken_clock
from records import db, reminders
from records.people import identify
from records.tables import Reminder, ReminderOccurrence, utcnow
from tests.actions.safety import entity, responses, run, tracker


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def set_tracker():
    return tracker(text="每天早上八点提醒我吃降压药", intent="set_reminder", entities=[entity("medication", "降压药")])


def test_spoken_clock():
    assert [spoken_clock(c) for c in ("08:00", "12:00", "20:30", "15:15")] == [
        "早上8点", "中午12点", "晚上8点半", "下午3点15分"]


def test_a_reminder_is_read_back_then_stored_on_confirmation(demo_store):
    events, messages = run(ActionSetReminder(), set_tracker())
    assert responses(messages) == ["utter_reminder_readback"]
    assert messages[0]["reminder_readback"] == "每天早上8点" and messages[0]["reminder_what"] == "降压药"
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Reminder)).first() is None
    _, saved = run(ActionSaveReminder(), tracker(intent="affirm", slots=slots_of(events)))
    assert responses(saved) == ["utter_reminder_saved"]
    with db.session_scope(demo_store) as session:
        reminder = session.execute(select(Reminder)).scalar_one()
    assert (reminder.times, reminder.medication, reminder.active) == ("08:00", "降压药", 1)
    assert reminder.next_at > utcnow()


def test_a_reminder_without_a_time_asks_for_one(demo_store):
    events, messages = run(ActionSetReminder(), tracker(text="提醒我吃药", intent="set_reminder"))
    assert responses(messages) == ["utter_ask_reminder_time"]
    assert slots_of(events).get("reminder_pending") is None


def test_denied_reminder_is_not_stored(demo_store):
    events, _ = run(ActionSetReminder(), set_tracker())
    _, messages = run(ActionReminderDenied(), tracker(intent="deny", slots=slots_of(events)))
    assert responses(messages) == ["utter_reminder_not_saved"]
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Reminder)).first() is None


def test_list_and_cancel_by_voice(demo_store):
    events, _ = run(ActionSetReminder(), set_tracker())
    run(ActionSaveReminder(), tracker(intent="affirm", slots=slots_of(events)))
    _, listed = run(ActionListReminders(), tracker(intent="query_reminders"))
    assert responses(listed) == ["utter_reminder_list"] and "每天早上8点 降压药" in listed[0]["reminder_list"]
    _, cancelled = run(ActionCancelReminder(), tracker(intent="cancel_reminder",
                                                       entities=[entity("medication", "降压药")]))
    assert responses(cancelled) == ["utter_reminder_cancelled"] and cancelled[0]["count"] == 1
    _, empty = run(ActionListReminders(), tracker(intent="query_reminders"))
    assert responses(empty) == ["utter_reminder_list_empty"]


def test_chile_acknowledges_the_current_reminder(demo_store):
    with db.session_scope(demo_store) as session:
        elder = identify(session, "demo-elder").elder_id
        reminders.create(session, elder, ["08:00"], "降压药", now=utcnow() - dt.timedelta(days=1))
        reminders.fire_due(session)
    _, messages = run(ActionAffirmOutsideQuestion(), tracker(text="吃了", intent="affirm"))
    assert responses(messages) == ["utter_reminder_taken"]
    with db.session_scope(demo_store) as session:
        assert session.execute(select(ReminderOccurrence.status)).scalar_one() == "acknowledged"
    _, plain = run(ActionAffirmOutsideQuestion(), tracker(text="好的", intent="affirm"))
    assert responses(plain) == ["utter_ok"]


def test_two_times_in_one_breath_are_two_times(demo_store):
    times = [{"time": "08:00", "text": "早上八点"}, {"time": "20:00", "text": "晚上八点"}]
    events, _ = run(ActionSetReminder(), tracker(text="早上八点 晚上八点 一天两次", intent="set_reminder",
                                                  entities=[entity("time", t) for t in times],
                                                  slots={"reminder_medication": "降压药"}))
    assert slots_of(events)["reminder_times"] == "08:00 20:00"


def test_a_meal_before_the_hour_names_its_part_of_the_day_and_the_normaliser_adds_no_other(demo_store):
    """每天晚饭后八点 was read back as 早上8点、晚上8点: the normaliser's 08:00 was added
    to the words' 20:00 (a dose nobody asked for, twelve hours early)."""
    events, messages = run(ActionSetReminder(), tracker(
        text="每天晚饭后八点提醒我吃降压药", intent="set_reminder",
        entities=[entity("medication", "降压药"), entity("time", {"time": "08:00", "text": "八点"})]))
    assert slots_of(events)["reminder_times"] == "20:00"
    events, _ = run(ActionSetReminder(), tracker(
        text="早上八点半 晚上九点", intent="set_reminder", slots={"reminder_medication": "降压药"},
        entities=[entity("time", {"time": "08:30", "text": "早上八点半"}), entity("time", {"time": "21:00"}),
                  entity("time", {"time": "12:00", "text": "中午"})]))
    assert slots_of(events)["reminder_times"] == "08:30 12:00 21:00", "a time the words missed is still added"


def test_a_bare_time_takes_the_part_of_the_day_said_with_the_request(demo_store):
    events, messages = run(ActionSetReminder(), tracker(text="每日夜里睡觉前提醒我吃阿司匹林", intent="set_reminder",
                                                         entities=[entity("medication", "阿司匹林")]))
    assert responses(messages) == ["utter_ask_reminder_time"]
    asked = slots_of(events)
    assert asked["reminder_period"] == "evening"
    events, _ = run(ActionSetReminder(), tracker(text="九点钟", intent="set_reminder", slots=asked,
                                                  entities=[entity("time", {"time": "09:00", "text": "九点钟"})]))
    assert slots_of(events)["reminder_times"] == "21:00"


def test_a_reading_asked_for_as_a_reminder_is_read_back_as_a_reading(demo_store):
    events, messages = run(ActionSetReminder(), tracker(text="帮我记个血氧", intent="set_reminder",
                                                         entities=[entity("vital_type", "血氧")]))
    assert responses(messages) == ["utter_ask_vital_value"] and messages[0]["vital_name"] == "血氧"


def _asked(said: str, intent: str, question: str):
    t = tracker(text=said, intent=intent, slots={"reminder_cancel_pending": True})
    t.events = [{"event": "bot", "text": question}, {"event": "user", "text": said}]
    return t


def _active(url):
    with db.session_scope(url) as session:
        return session.execute(select(Reminder.medication).where(Reminder.active == 1)).scalars().all()


def test_stop_reminding_without_a_medicine_asks_before_cancelling_anything(demo_store):
    """不用提醒了 may only mean "I took it": it used to cancel every reminder at once."""
    for medication in ("降压药", "阿司匹林"):
        with db.session_scope(demo_store) as session:
            reminders.create(session, identify(session, "demo-elder").person_id, ["08:00"], medication)
    events, asked = run(ActionCancelReminder(), tracker(text="唔使提醒我喇", intent="cancel_reminder"))
    assert responses(asked) == ["utter_reminder_cancel_ask"]
    assert "降压药" in asked[0]["reminder_list"] and "阿司匹林" in asked[0]["reminder_list"]
    assert slots_of(events) == {"reminder_cancel_pending": True}
    assert sorted(_active(demo_store)) == ["阿司匹林", "降压药"], "nothing is cancelled before the answer"
    question = "您现在有这些提醒：…。要把这些提醒都取消吗？只取消一种药的话，请说药名。"
    _, kept = run(ActionKeepReminders(), _asked("唔好", "deny", question))
    assert responses(kept) == ["utter_reminder_kept"] and len(_active(demo_store)) == 2
    _, other = run(ActionCancelAllReminders(), _asked("好", "affirm", "今天身体怎么样？"))
    assert responses(other) == ["utter_reminder_kept"] and len(_active(demo_store)) == 2, "a yes to another question"
    _, done = run(ActionCancelAllReminders(), _asked("系啊 全部唔要", "affirm", question))
    assert responses(done) == ["utter_reminder_cancelled"] and done[0]["count"] == 2 and _active(demo_store) == []


def _two_reminders(url):
    with db.session_scope(url) as session:
        elder = identify(session, "demo-elder").person_id
        reminders.create(session, elder, ["08:00"], "降压药")
        reminders.create(session, elder, ["21:00"], "阿司匹林")


def test_the_evening_one_named_by_its_time_of_day_is_cancelled_alone(demo_store):
    _two_reminders(demo_store)
    events, messages = run(ActionCancelReminder(), tracker(text="把晚上那个吃药提醒删了", intent="cancel_reminder"))
    assert responses(messages) == ["utter_reminder_cancelled"] and messages[0]["count"] == 1
    assert _active(demo_store) == ["降压药"] and slots_of(events) == {"reminder_cancel_pending": None}


def test_all_of_them_said_outright_is_not_asked_again(demo_store):
    _two_reminders(demo_store)
    _, messages = run(ActionCancelReminder(), tracker(text="所有的提醒都关掉", intent="cancel_reminder"))
    assert responses(messages) == ["utter_reminder_cancelled"] and messages[0]["count"] == 2
    assert _active(demo_store) == []


@pytest.mark.parametrize("said", ["晚上的药吃过了，不用提醒了", "降压药食咗喇 唔使提醒"])
def test_a_dose_reported_with_it_asks_before_cancelling(demo_store, said):
    _two_reminders(demo_store)
    _, messages = run(ActionCancelReminder(), tracker(text=said, intent="cancel_reminder",
                                                      entities=[entity("medication", "降压药")] if "降压药" in said else []))
    assert responses(messages) == ["utter_reminder_cancel_ask"] and len(_active(demo_store)) == 2


def test_every_evening_at_nine_is_nine_in_the_evening(demo_store):
    # 每晚九点 was read as 09:00 and the time normaliser added 21:00: two reminders a day
    events, messages = run(ActionSetReminder(), tracker(text="你每晚九点提醒我一声吃钙片", intent="set_reminder",
                                                         entities=[entity("medication", "钙片")]))
    assert slots_of(events)["reminder_times"] == "21:00", messages


def test_a_yes_restating_fewer_times_than_read_back_is_read_back_again(demo_store):
    slots = {"reminder_pending": True, "reminder_times": "09:00 21:00", "reminder_medication": "钙片",
             "reminder_readback": "每天上午9点、晚上9点"}
    events, messages = run(ActionSaveReminder(), tracker(text="对 晚上九点", intent="affirm", slots=slots))
    assert responses(messages) == ["utter_reminder_readback"], "nothing saved on a yes that names other times"
    assert slots_of(events)["reminder_times"] == "21:00"
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Reminder)).first() is None
    _, same = run(ActionSaveReminder(), tracker(text="对 早上九点 晚上九点", intent="affirm", slots=slots))
    assert responses(same) == ["utter_reminder_saved"]


@pytest.mark.parametrize("said", ["是的 就早上八点", "是 一日两次"])  # 系 → 是 by the dialect step
def test_a_yes_heard_as_a_new_reminder_request_saves_what_was_read_back(demo_store, said):
    # DIET heard set_reminder: it read the same reminder back again, or asked for a time
    slots = {"reminder_pending": True, "reminder_times": "08:00 20:00" if "两" in said else "08:00",
             "reminder_medication": "降压药", "reminder_readback": "每天早上8点"}
    _, messages = run(ActionSetReminder(), tracker(text=said, intent="set_reminder", slots=slots))
    assert responses(messages) == ["utter_reminder_saved"], messages


def test_a_yes_with_another_count_saves_nothing(demo_store):
    slots = {"reminder_pending": True, "reminder_times": "08:00 20:00", "reminder_medication": "降压药",
             "reminder_readback": "每天早上8点、晚上8点"}
    _, messages = run(ActionSaveReminder(), tracker(text="对 一天三次", intent="affirm", slots=slots))
    assert responses(messages) == ["utter_reminder_readback"]
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Reminder)).first() is None
