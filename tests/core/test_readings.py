"""Which vital readings no home meter can show (shared by the records store and the detector)."""

from __future__ import annotations

import pytest

from core.readings import Implausible, Incomplete, implausible, parse_reading


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("blood_pressure", "999999", True),   # one number, far out of range: the diastolic is not needed
        ("blood_pressure", "158/95", False),
        ("blood_pressure", "90/140", True),   # diastolic above systolic
        ("blood_pressure", "158", False),     # incomplete, not impossible: asked for the rest
        ("heart_rate", "300", True),
        ("heart_rate", "1e308", True),
        ("temperature", "37.6", False),
        ("glucose_fasting", "35.5", True),
        ("spo2", "97%", False),
        (None, "999", False),
    ],
)
def test_implausible(kind, raw, expected):
    assert implausible(kind, raw) is expected


def test_parse_reading_refuses_and_asks():
    with pytest.raises(Implausible):
        parse_reading("heart_rate", "abc")
    with pytest.raises(Incomplete):
        parse_reading("blood_pressure", "140")
    assert parse_reading("blood_pressure", "140/90").value2 == 90
