"""Calls for help through REST, the way elders say them, checked in the records.

A stroke sign described, not named; a fall told in Cantonese; help quoted in
talk (asked about, not escalated); the safety question answered both ways.
"""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from records import db
from records.tables import EmergencyEvent

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def say(settings, text: str, sender: str = "demo-elder") -> str:
    reply = requests.post(f"{settings.rasa_url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=120)
    assert reply.status_code == 200
    return " ".join(m.get("text", "") for m in reply.json())


def events(settings) -> list[tuple[str, str, str]]:
    with db.session_scope(settings.database_url) as session:
        rows = session.execute(select(EmergencyEvent).order_by(EmergencyEvent.id)).scalars()
        return [(e.category, e.trigger, e.status) for e in rows]


def close_all(settings) -> None:
    from records import emergency

    with db.session_scope(settings.database_url) as session:
        for event in session.execute(select(EmergencyEvent).where(EmergencyEvent.status != "closed")).scalars():
            emergency.close(session, event.id, "other", note="test")


def test_help_quoted_in_talk_is_asked_about_and_no_is_respected(servers):
    say(servers, "/restart")
    close_all(servers)
    before = events(servers)
    asked = say(servers, "假如我唱戏唱到救命两个字 你会点处理")
    assert "需要" in asked and "没事" in asked, asked
    assert events(servers) == before, "a question is not an alarm"
    calm = say(servers, "冇事 唔使")
    assert "没事就好" in calm, calm
    assert events(servers) == before


def test_yes_to_the_safety_question_starts_the_ladder_with_what_was_said(servers):
    say(servers, "/restart")
    close_all(servers)
    before = len(events(servers))
    asked = say(servers, "假如我唱戏唱到救命 你会打电话吗")
    assert "需要" in asked, asked
    reply = say(servers, "要")
    assert "120" in reply, reply
    new = events(servers)[before:]
    assert len(new) == 1 and "唱戏" in new[0][1], new


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我老伴刚才说话突然讲不清楚 左边手脚都没劲", None),  # a stroke described, not named
        ("阿妈喺冲凉房跌低咗 起唔到身", "fall"),  # Cantonese: mum fell in the shower
    ],
)
def test_described_or_regional_calls_for_help_escalate_at_once(servers, text, category):
    say(servers, "/restart")
    close_all(servers)
    before = len(events(servers))
    reply = say(servers, text)
    assert "120" in reply, reply
    new = events(servers)[before:]
    assert len(new) == 1, new
    if category:
        assert new[0][0] == category
