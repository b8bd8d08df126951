"""Retrieval examples and the answer / clarify / handoff decision."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.base import InMemoryKnowledgeBase
from knowledge.retriever import Calibration, decide, default_retriever
from knowledge.text import Analyzer, load_synonyms

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def retriever():
    return default_retriever()


def test_nothing_heavy_loaded_at_import():
    code = ("import sys, actions.policy, knowledge.retriever, knowledge.evaluate; "
            "assert 'jieba' not in sys.modules; "
            "assert knowledge.retriever.default_retriever.cache_info().currsize == 0")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize(
    "question, topic",
    [
        ("长护险怎么申请", "ltc_insurance"),
        ("护理险是什么", "ltc_insurance"),
        ("想签个家庭医生", "family_doctor"),
        ("家庭病床是什么", "home_hospital_bed"),
        ("内置型联动型辐射型", "integration_models"),
        ("颐康中心", "yikang_center"),
        ("无陪护病房", "no_escort_ward"),
        ("摔跤了没人知道", "emergency_call_alarm"),
    ],
)
def test_examples_rank_first(retriever, question, topic):
    assert retriever.retrieve(question).top.topic.id == topic


def test_confidence_in_unit_interval_and_runners_up(retriever):
    result = retriever.retrieve("长护险怎么申请")
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.runners_up) == 2
    assert result.top.score >= result.runners_up[0].score


def test_confident_question_is_answered(retriever):
    result = retriever.retrieve("长期护理保险是什么")
    decision = decide(result, retriever.calibration)
    assert decision.kind == "answer"
    assert decision.topics[0].id == "ltc_insurance"


def test_unrelated_question_is_handed_off(retriever):
    for question in ("今天天气怎么样", "股票明天会涨吗", ""):
        decision = decide(retriever.retrieve(question), retriever.calibration)
        assert decision.kind == "handoff", question
        assert decision.topics == ()


def test_two_close_topics_clarify(retriever):
    # 长护险 and 商业长护险 share nearly every word: the question names both.
    result = retriever.retrieve("长期护理保险和商业保险")
    strict = Calibration(retriever.calibration.weights, answer_threshold=1.01,
                         clarify_margin=0.5, clarify_min_coverage=0.1)
    decision = decide(result, strict)
    assert decision.kind == "clarify"
    assert {t.id for t in decision.topics} == {"ltc_insurance", "commercial_ltc_insurance"}


def test_entity_boost_moves_the_named_topic_up(retriever):
    plain = retriever.retrieve("这个怎么申请")
    boosted = retriever.retrieve("这个怎么申请", topic_entity="家庭病床")
    assert plain.top.topic.id != "home_hospital_bed"
    assert boosted.top.topic.id == "home_hospital_bed"


def test_entity_that_names_nothing_changes_nothing(retriever):
    plain = retriever.retrieve("长护险怎么申请")
    other = retriever.retrieve("长护险怎么申请", topic_entity="火星移民")
    assert [h.topic.id for h in plain.hits] == [h.topic.id for h in other.hits]


def test_synonyms_expand_everyday_words():
    analyzer = Analyzer(load_synonyms())
    assert "长期护理保险" in analyzer.tokens("护理险")
    assert "失能" in analyzer.tokens("老伴瘫在床上")
    assert "的" not in analyzer.tokens("我的长护险")


def test_in_memory_kb_get():
    kb = InMemoryKnowledgeBase()
    assert kb.get("family_doctor").title.startswith("家庭医生")
    assert kb.get("no_such_topic") is None
    assert len(kb.ids()) >= 25
