"""Smoke version of ``bench.priority`` (the full one runs in ``make bench``)."""

import pytest

from bench import priority


@pytest.mark.parametrize("outbox", [False, True], ids=["lecture broadcast", "outbox"])
def test_a_call_for_help_overtakes_a_backlog(tmp_path, outbox):
    result = priority.measure(backlog=300, delay=0.3, trials=3, gap=0.1, outbox=outbox)
    # One ordinary send may be in flight when the call comes: never more than that.
    assert result["max_s"] < 0.3 + 1.0, result
    assert 0 < result["ordinary_sent_meanwhile"] < 300, "the backlog was not drained first"
