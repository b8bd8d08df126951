"""RasaControl without a Rasa: a failed pause or resume is an answer, not an exception.

The wire format against a Rasa tracker is checked end to end in
tests/bot/console/test_handoff_pause.py.
"""

from __future__ import annotations

from bot.rasa_api import RasaControl


def test_rasa_unreachable_is_reported_not_raised():
    control = RasaControl("http://127.0.0.1:9", timeout=0.5)
    assert control.pause("demo-elder") is False
    assert control.resume("demo-elder") is False
