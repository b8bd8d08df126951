"""Smoke version of ``bench/long_messages.py`` (the timing is the benchmark's):
long messages in flight, a call for help still answered with its 120 instruction,
every long message answered, and the report and figure written."""

from __future__ import annotations

import pytest

from bench import long_messages
from tests.bot.conftest import DEVICE_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_call_for_help_among_long_messages(servers, tmp_path, monkeypatch):
    monkeypatch.setattr(long_messages, "DEVICE_TOKEN", DEVICE_TOKEN)
    row = long_messages.trial(servers, flood=3, size=100_000, i=0)
    long_messages._close_emergencies(servers)
    assert row["help_answered"] and len(row["long_s"]) == 3
    result = {"trials": 1, "flood": 3, "size": 100_000, "quiet_s": [0.1], "rows": [row], "when": "smoke"}
    lines = long_messages.report(result)
    assert any("call for help, with the long messages" in line for line in lines)
    long_messages.plot(result, tmp_path / "long.png")
    assert (tmp_path / "long.png").stat().st_size > 0
