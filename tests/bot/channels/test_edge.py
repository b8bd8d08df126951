"""The one parser and header reader every channel uses at its edge."""

from __future__ import annotations

import pytest

from bot.channels.edge import MAX_DEPTH, parse_json, too_deep


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
