"""Vital-sign normaliser (pure) and the VitalsNormalizer wrapper."""

import pytest

from nlu.components.vitals import extract_vitals, to_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一百五十八，九十五", [("血压", "158/95")]),
        ("高压140低压90", [("血压", "140/90")]),
        ("血压158/95", [("血压", "158/95")]),
        ("血压１５８／９５", [("血压", "158/95")]),
        ("血压一百五十八九十五", [("血压", "158/95")]),
        ("高压一百二低压八十", [("血压", "120/80")]),
        ("血糖七点八", [("血糖", "7.8")]),
        ("餐后血糖十一点二", [("血糖", "11.2")]),
        ("三十七度六", [("体温", "37.6")]),
        ("体温37.6", [("体温", "37.6")]),
        ("心跳八十二", [("心率", "82")]),
        ("血氧九十六", [("血氧", "96")]),
        ("血氧百分之九十八", [("血氧", "98")]),
        ("体重六十五公斤", [("体重", "65")]),
        ("高压一百五", [("血压", "150")]),
        ("血压一百五九十五 心跳八十二", [("血压", "150/95"), ("心率", "82")]),
        # a duration is not a reading: 一分钟 counts minutes
        ("心跳一分钟两百多", [("心率", "200")]),
        ("心率每分钟一百二", [("心率", "120")]),
        ("三天前血糖七点八", [("血糖", "7.8")]),
    ],
)
def test_extract(text, expected):
    got = [(v.vital_type, v.value) for v in extract_vitals(text) if v.value]
    assert got == expected


def test_spans_point_into_original_text():
    text = "我血压一百五十八九十五"
    (vital,) = extract_vitals(text)
    assert text[vital.value_start : vital.value_end] == "一百五十八九十五"
    assert text[vital.type_start : vital.type_end] == "血压"


def test_to_number_uses_cn2an():
    assert to_number("一百五") == "150"
    assert to_number("七点八") == "7.8"
    assert to_number("abc") is None


def test_no_vitals_in_plain_request():
    assert extract_vitals("帮我约个心内科明天上午") == []


def test_wrapper_replaces_diet_entity():
    from rasa.shared.nlu.training_data.message import Message

    from nlu.components.vitals import VitalsNormalizer

    message = Message(data={"text": "血压一百五十八九十五", "entities": [
        {"entity": "vital_value", "value": "一百五十八", "start": 2, "end": 7,
         "extractor": "DIETClassifier"},
    ]})
    VitalsNormalizer({}).process([message])
    entities = {e["entity"]: e for e in message.get("entities")}
    assert entities["vital_value"]["value"] == "158/95"
    assert entities["vital_value"]["extractor"] == "VitalsNormalizer"
    assert entities["vital_type"]["value"] == "血压"
    assert len(message.get("entities")) == 2


def test_a_value_with_no_number_is_dropped():
    from rasa.shared.nlu.training_data.message import Message

    from nlu.components.vitals import VitalsNormalizer

    text = "试下个紧急呼叫功能，不是真的出事，不要通知我儿子"
    message = Message(data={"text": text, "entities": [
        {"entity": "vital_value", "value": "，", "start": 9, "end": 10, "extractor": "DIETClassifier"},
        {"entity": "relation", "value": "儿子", "start": 22, "end": 24, "extractor": "DIETClassifier"},
    ]})
    VitalsNormalizer({}).process([message])
    assert [e["entity"] for e in message.get("entities")] == ["relation"]


def test_weight_in_jin_is_stored_in_kilograms():
    """Elders weigh themselves in 斤 (half a kilogram): 108斤 is 54 kg, not 108."""
    from nlu.components.vitals import extract_vitals

    for said in ("体重一百零八斤", "我一百零八斤", "称了一下 108斤"):
        (vital,) = extract_vitals(said)
        assert (vital.vital_type, vital.value, vital.extra["unit"]) == ("体重", "54", "斤"), said
    (kg,) = extract_vitals("体重五十四点五公斤")
    assert kg.value == "54.5"
