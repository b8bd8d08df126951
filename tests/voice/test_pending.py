"""The device's durable list of undelivered calls for help."""

from __future__ import annotations

from voice.pending import FILE_NAME, KEEP_FOR, PendingCalls


def test_calls_survive_a_new_process_and_leave_when_delivered(tmp_path):
    calls = PendingCalls(tmp_path)
    calls.add("救命", "m-1", heard_at=100.0)
    calls.add("胸口好痛", "m-2", heard_at=200.0)
    again = PendingCalls(tmp_path)
    assert [c.message_id for c in again.all(now=300.0)] == ["m-1", "m-2"]
    again.remove("m-1")
    assert [c.message_id for c in PendingCalls(tmp_path).all(now=300.0)] == ["m-2"]


def test_a_day_old_call_is_dropped_and_a_corrupt_file_starts_empty(tmp_path):
    calls = PendingCalls(tmp_path)
    calls.add("救命", "old", heard_at=0.0)
    assert PendingCalls(tmp_path).all(now=KEEP_FOR + 1) == []
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert PendingCalls(tmp_path).all() == []


def test_without_a_directory_calls_live_in_memory():
    calls = PendingCalls(None)
    calls.add("救命", "m-1")
    assert len(calls.all()) == 1
