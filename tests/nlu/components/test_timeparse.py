"""Time normaliser (pure, fixed now) and the TimeNormalizer wrapper."""

from datetime import datetime

import pytest

from nlu.components.timeparse import SHANGHAI, parse_times, to_reference

NOW = datetime(2024, 5, 15, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "date", "clock", "period"),
    [
        ("下礼拜二上午", "2024-05-21", None, "上午"),
        ("后天下午三点", "2024-05-17", "15:00", "下午"),
        ("明早", "2024-05-16", None, "上午"),
        ("这周五", "2024-05-17", None, None),
        ("下周三", "2024-05-22", None, None),
        ("大后天", "2024-05-18", None, None),
        ("3号", "2024-06-03", None, None),
        ("20号上午", "2024-05-20", None, "上午"),
        ("三点", "2024-05-15", "15:00", "下午"),
        ("今晚八点", "2024-05-15", "20:00", "晚上"),
    ],
)
def test_parse(text, date, clock, period):
    (entity,) = parse_times(text, NOW)
    value = entity["value"]
    assert (value["date"], value["time"], value["period"]) == (date, clock, period)
    assert value["start"].endswith("+08:00")


def test_span_inside_request():
    text = "帮我约个心内科 明天上午"
    (entity,) = parse_times(text, NOW)
    assert text[entity["start"] : entity["end"]] == "明天上午"


@pytest.mark.parametrize("text", ["以后再说", "之前", "三天以后", "每天早上", "明年", "刚才"])
def test_open_or_odd_expressions_never_raise(text):
    for entity in parse_times(text, NOW):
        assert entity["value"]["date"]


def test_vital_numbers_are_not_times():
    assert parse_times("血糖十一点二", NOW) == []


def test_reference_from_metadata_forms():
    assert to_reference("2024-05-15T10:00:00+08:00") == NOW
    assert to_reference(NOW.timestamp()) == NOW
    assert to_reference(None).tzinfo is not None


def test_wrapper_uses_message_metadata():
    from rasa.shared.nlu.training_data.message import Message

    from nlu.components.timeparse import TimeNormalizer

    message = Message(data={"text": "后天下午三点", "metadata": {
        "reference_time": "2024-05-15T10:00:00+08:00"}})
    TimeNormalizer({}).process([message])
    (entity,) = message.get("entities")
    assert entity["entity"] == "time" and entity["extractor"] == "TimeNormalizer"
    assert entity["value"]["start"] == "2024-05-17T15:00:00+08:00"


@pytest.mark.parametrize("said", ["不对 是下礼拜二 不是礼拜一", "唔啱 系下礼拜二 唔系礼拜一"])
def test_the_day_a_correction_denies_is_dropped(said):
    from rasa.shared.nlu.training_data.message import Message

    from nlu.components.timeparse import TimeNormalizer
    from nlu.dialect import to_mandarin

    message = Message(data={"text": to_mandarin(said), "metadata": {"reference_time": "2024-05-15T10:00:00+08:00"}})
    TimeNormalizer({}).process([message])
    days = [e["value"]["date"] for e in message.get("entities") if e["entity"] == "time"]
    assert days == ["2024-05-21"]  # next week's Tuesday, not this week's Monday
