"""Pinyin-tolerant matcher (pure, built-in lexicon) and the PinyinMatcher wrapper."""

import pytest

from nlu.components.pinyin_match import PinyinIndex, build_lexicon, pinyin, word_cost


@pytest.fixture(scope="module")
def index():
    return PinyinIndex(build_lexicon({}, {}))


@pytest.mark.parametrize(
    ("etype", "heard", "canonical"),
    [
        ("department", "新内科", "心内科"),
        ("department", "神经内课", "神经内科"),
        ("medication", "二甲双规", "二甲双胍"),
        ("medication", "阿斯匹林", "阿司匹林"),
        ("service_type", "珠浴", "助浴"),
        ("service_type", "上门护里", "上门护理"),
    ],
)
def test_normalize(index, etype, heard, canonical):
    assert index.normalize(etype, heard) == canonical


def test_two_syllables_need_the_same_sound(index):
    assert index.normalize("department", "牙科") is None  # not 眼科


def test_find_in_text(index):
    found = index.find("帮我约个新内科明天上午")
    assert [(f["entity"], f["value"], f["text"]) for f in found] == [
        ("department", "心内科", "新内科")]
    assert index.find("今天天气不错") == []


def test_lexicon_uses_lookups_and_synonyms():
    lexicon = build_lexicon({"department": ["心血管科", "老年病科"]}, {"心血管科": "心内科"})
    idx = PinyinIndex(lexicon)
    assert idx.normalize("department", "心血管科") == "心内科"
    assert idx.normalize("department", "老年病科") == "老年病科"


def test_word_cost():
    assert word_cost(pinyin("心内科"), pinyin("新内科")) == 0
    assert word_cost(pinyin("二甲双胍"), pinyin("二甲双规")) == 0.5


def test_wrapper_trains_persists_loads(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.components.pinyin_match import PinyinMatcher

    storage = LocalModelStorage(tmp_path)
    resource = Resource("pinyin")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**PinyinMatcher.get_default_config()}
    matcher = PinyinMatcher.create(config, storage, resource, context)
    data = TrainingData(lookup_tables=[{"name": "department", "elements": ["老年病科"]}])
    matcher.train(data)
    loaded = PinyinMatcher.load(config, storage, resource, context)

    message = Message(data={"text": "帮我约个老年并科 还有新内科", "entities": [
        {"entity": "department", "value": "老年并科", "start": 4, "end": 8,
         "extractor": "DIETClassifier"}]})
    loaded.process([message])
    entities = message.get("entities")
    assert entities[0]["value"] == "老年病科" and entities[0]["processors"] == ["PinyinMatcher"]
    assert entities[1]["value"] == "心内科" and entities[1]["extractor"] == "PinyinMatcher"
