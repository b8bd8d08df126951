"""The one parser and header reader every channel uses at its edge."""

from __future__ import annotations

import pytest

from bot.channels.edge import MAX_DEPTH, MAX_ROW_ID, parse_json, row_ids, too_deep, valid_id


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        (b'{"sender": "a", "message": "\xe4\xbd\xa0\xe5\xa5\xbd"}', True),
        (b"[" * 3000 + b"]" * 3000, False),           # RecursionError inside json
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), False),
        (b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, True),
        (b'{"sender": "rt-\\udfff"}', False),         # valid JSON, no valid text
        (b"\xff\xfe", False),
        (b"{broken", False),
        (b"", False),
        (b"5", True),
    ],
)
def test_parse_json(raw, ok):
    assert parse_json(raw)[1] is ok


def test_too_deep_is_iterative():
    value: list = []
    for _ in range(100_000):
        value = [value]
    assert too_deep(value)


@pytest.mark.parametrize(("value", "ok"), [
    ("demo-elder", True), ("王秀兰的女儿", True), ("a" * 64, True), ("a" * 65, False), ("", False), ("   ", False),
    ("a\nERROR forged log line", False), ("tab\there", False), ("rt-\udfff", False), ("nul\x00", False),
    (5, False), (None, False), (["a"], False),
])
def test_one_id_check_for_every_channel(value, ok):
    assert valid_id(value, 64) is ok


def test_row_ids():
    assert row_ids([1, 2, MAX_ROW_ID]) == [1, 2, MAX_ROW_ID]
    for bad in ([2**70], [0], [-1], [True], ["1"], [1.0], list(range(1, 502)), "1", None):
        assert row_ids(bad) is None, bad
