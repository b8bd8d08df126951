"""Book, query, reschedule and cancel by voice-like text as demo-elder, through
REST against the running servers, and check the database after each step."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from records import db
from records.tables import Appointment

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def say(settings, text: str) -> str:
    reply = requests.post(f"{settings.rasa_url}/webhooks/rest/webhook",
                          json={"sender": "demo-elder", "message": text}, timeout=120)
    assert reply.status_code == 200
    return " ".join(m.get("text", "") for m in reply.json())


def appointments(settings) -> list[tuple[str, str]]:
    with db.session_scope(settings.database_url) as session:
        return [(a.booking_number, a.status) for a in session.execute(select(Appointment).order_by(Appointment.id)).scalars()]


def test_book_query_reschedule_cancel(servers):
    say(servers, "/restart")
    before = appointments(servers)

    assert "哪一天" in say(servers, "我想看看心脏")
    readback = say(servers, "下周二上午")
    assert "心内科" in readback and "对吗" in readback
    assert appointments(servers) == before, "nothing is booked before the elder confirms"
    booked = say(servers, "对")
    assert "约好了" in booked and "预约号" in booked
    new = appointments(servers)[len(before):]
    assert len(new) == 1 and new[0][1] == "booked" and new[0][0] in booked

    assert new[0][0] in say(servers, "我约了什么时候看病")

    assert "对吗" in say(servers, "我要改约，改到下周三上午")
    moved = say(servers, "对")
    assert "改好了" in moved
    after_move = appointments(servers)[len(before):]
    assert [status for _, status in after_move] == ["rescheduled", "booked"]

    assert "对吗" in say(servers, "下周三那个不去了")
    assert "取消好了" in say(servers, "对")
    assert [status for _, status in appointments(servers)[len(before):]] == ["rescheduled", "cancelled"]
