"""Checks on the NLU training data, lookups, synonyms, jieba dictionary and held-out set.

The data is the product here: these tests keep it loadable by Rasa, large enough
per intent, inside the intent/entity contract of docs (design.md), with canonical
entity values that actions can match on, aligned with the jieba tokens DIET sees,
and separate from the held-out test file.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "nlu" / "data"
LOOKUPS = DATA / "lookups"
USERDICT = ROOT / "nlu" / "jieba" / "userdict.txt"
HELD_OUT = ROOT / "tests" / "nlu" / "data" / "nlu_test.yml"

INTENTS = (
    "greet goodbye thank affirm deny help repeat speak_slower out_of_scope "
    "ask_policy book_appointment cancel_appointment reschedule_appointment "
    "query_appointment book_home_service cancel_home_service report_symptom "
    "report_vitals emergency set_reminder query_health_record ask_lecture "
    "register_lecture human_handoff bind_family"
).split()
ENTITIES = set(
    "department doctor time service_type symptom body_part severity vital_type "
    "vital_value policy_topic relation medication binding_code".split()
)
BIG_INTENTS = {
    "emergency": 150,
    "report_symptom": 100,
    "report_vitals": 100,
    "ask_policy": 100,
    "book_appointment": 100,
    "book_home_service": 100,
}
MIN_PER_INTENT = 60
MIN_HELD_OUT = 15

#: Canonical values that actions and the records store match on.
CANONICAL = {
    "department": set(
        "心内科 内分泌科 神经内科 呼吸内科 消化内科 骨科 眼科 口腔科 中医科 全科 康复科 皮肤科 耳鼻喉科".split()
    ),
    "service_type": set("上门护理 助餐 助浴 保洁 康复理疗 理发 陪诊".split()),
    "vital_type": set("血压 血糖 心率 体温 血氧 体重".split()),
    "severity": set("轻度 中度 重度".split()),
}
#: The intent files named in the brief, one per intent family.
FAMILY_FILES = {
    "core.yml": "greet goodbye thank affirm deny help repeat speak_slower out_of_scope",
    "policy.yml": "ask_policy",
    "appointments.yml": "book_appointment cancel_appointment reschedule_appointment query_appointment",
    "home_services.yml": "book_home_service cancel_home_service",
    "health.yml": "report_symptom report_vitals query_health_record",
    "emergency.yml": "emergency acknowledge_alert close_emergency",
    "reminders.yml": "set_reminder query_reminders cancel_reminder",
    "lectures.yml": "ask_lecture register_lecture",
    "handoff.yml": "human_handoff",
    "family.yml": "bind_family manage_consent",
}


def _load(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def _norm(text: str) -> str:
    """Compare examples without spaces and punctuation, so a copy with a comma added still counts."""
    return re.sub(r"[\s\W_]+", "", text).lower()


@pytest.fixture(scope="module")
def training():
    return _load(DATA)


@pytest.fixture(scope="module")
def held_out():
    return _load(HELD_OUT)


@pytest.fixture(scope="module")
def jieba_tokenizer():
    import jieba

    tokenizer = jieba.Tokenizer()  # own instance: never touch jieba's global state
    tokenizer.load_userdict(str(USERDICT))
    return tokenizer


def _counts(data) -> collections.Counter:
    return collections.Counter(m.get("intent") for m in data.intent_examples)


@pytest.mark.parametrize("name", sorted(FAMILY_FILES))
def test_each_family_file_holds_its_intents(name):
    data = _load(DATA / name)
    assert set(_counts(data)) == set(FAMILY_FILES[name].split())


def test_every_contract_intent_has_enough_examples(training):
    counts = _counts(training)
    short = {
        intent: counts[intent]
        for intent in INTENTS
        if counts[intent] < BIG_INTENTS.get(intent, MIN_PER_INTENT)
    }
    assert not short, f"too few training examples: {short}"


def test_training_set_stays_moderate(training):
    total = len(training.intent_examples)
    assert 2000 <= total <= 3600, total


def test_no_duplicate_or_ambiguous_examples(training):
    seen: dict[str, set[str]] = collections.defaultdict(set)
    for message in training.intent_examples:
        seen[_norm(message.get("text"))].add(message.get("intent"))
    ambiguous = {text: intents for text, intents in seen.items() if len(intents) > 1}
    assert not ambiguous


def test_entity_labels_are_in_the_contract(training, held_out):
    for data in (training, held_out):
        labels = {e["entity"] for m in data.entity_examples for e in m.get("entities")}
        assert labels <= ENTITIES, labels - ENTITIES


@pytest.mark.parametrize("entity", sorted(CANONICAL))
def test_entity_values_are_canonical(training, held_out, entity):
    for data in (training, held_out):
        values = {
            e["value"]
            for m in data.entity_examples
            for e in m.get("entities")
            if e["entity"] == entity
        }
        assert values <= CANONICAL[entity], values - CANONICAL[entity]


def test_binding_codes_are_six_digits(training, held_out):
    for data in (training, held_out):
        for m in data.entity_examples:
            for e in m.get("entities"):
                if e["entity"] == "binding_code":
                    assert re.fullmatch(r"[0-9]{6}|[零一二三四五六七八九幺]{6}", e["value"]), e


def test_held_out_covers_every_intent(held_out):
    counts = _counts(held_out)
    assert set(INTENTS) <= set(counts)
    short = {i: n for i, n in counts.items() if n < MIN_HELD_OUT}
    assert not short, short


def test_held_out_never_overlaps_training(training, held_out):
    train = {_norm(m.get("text")) for m in training.intent_examples}
    shared = [m.get("text") for m in held_out.intent_examples if _norm(m.get("text")) in train]
    assert not shared, shared


@pytest.mark.parametrize("path", sorted(LOOKUPS.glob("*.yml")), ids=lambda p: p.name)
def test_lookup_files_parse(path):
    data = _load(path)
    assert len(data.lookup_tables) == 1
    table = data.lookup_tables[0]
    assert table["name"] == path.stem
    assert table["name"] in ENTITIES
    assert len(table["elements"]) >= 5


def test_synonym_file_parses_and_is_consistent(training):
    data = _load(DATA / "synonyms.yml")
    assert len(data.entity_synonyms) >= 100
    # EntitySynonymMapper ignores the entity type: one text, one value, across all files.
    for path in sorted(DATA.glob("*.yml")):
        for text, value in _load(path).entity_synonyms.items():
            assert training.entity_synonyms[text] == value, (path.name, text, value)


@pytest.mark.parametrize("entity", sorted(CANONICAL))
def test_lookups_list_every_canonical_value(entity):
    elements = {e for t in _load(LOOKUPS / f"{entity}.yml").lookup_tables for e in t["elements"]}
    assert CANONICAL[entity] <= elements, CANONICAL[entity] - elements


def test_policy_topics_are_listed_in_the_lookup(training):
    lookup = {e for t in _load(LOOKUPS / "policy_topic.yml").lookup_tables for e in t["elements"]}
    values = {
        e["value"]
        for m in training.entity_examples
        for e in m.get("entities")
        if e["entity"] == "policy_topic"
    }
    assert values <= lookup, values - lookup


def test_userdict_lines_are_word_freq_tag():
    lines = USERDICT.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 100
    for line in lines:
        assert re.fullmatch(r"\S+ [0-9]+( [a-z]+)?", line), line
    words = {line.split()[0] for line in lines}
    assert {
        "心内科",
        "长护险",
        "家庭医生",
        "降压药",
        "二甲双胍",
        "助浴",
        "高压",
        "低压",
        "血糖",
        "爬不起来",
    } <= words


def test_entities_align_with_jieba_tokens(training, held_out, jieba_tokenizer):
    """DIET tags whole tokens: a span that cuts a jieba token is silently lost in training."""
    misaligned = []
    for data in (training, held_out):
        for m in data.entity_examples:
            text = m.get("text")
            tokens = list(jieba_tokenizer.tokenize(text))
            starts = {s for _, s, _ in tokens}
            ends = {e for _, _, e in tokens}
            for e in m.get("entities"):
                if e["start"] not in starts or e["end"] not in ends:
                    misaligned.append((text, text[e["start"] : e["end"]]))
    assert not misaligned, misaligned[:20]


def test_emergency_hard_negatives_live_elsewhere(training):
    """Past falls and questions about falls or heart attacks are not emergencies."""
    by_text = {m.get("text"): m.get("intent") for m in training.intent_examples}
    assert by_text["去年摔过一跤 现在好了 就是腰还有点疼"] == "report_symptom"
    assert by_text["摔倒了去医院医保报不报"] == "ask_policy"
    assert by_text["心梗是不是很危险"] == "out_of_scope"
