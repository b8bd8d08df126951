"""A tiny Rasa NLU model trained with Anxin's components, parsed and evaluated end to end."""

import asyncio
import textwrap
from pathlib import Path

import pytest

CONFIG = """\
recipe: default.v1
language: zh
assistant_id: anxin-tiny-test
pipeline:
  - name: JiebaTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 5
  - name: EntitySynonymMapper
  - name: nlu.components.vitals.VitalsNormalizer
  - name: nlu.components.timeparse.TimeNormalizer
  - name: nlu.components.pinyin_match.PinyinMatcher
  - name: FallbackClassifier
    threshold: 0.3
  - name: nlu.components.emergency.EmergencyDetector
policies: []
"""

NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 早上好
    - 您好啊
- intent: book_appointment
  examples: |
    - 帮我约个[心内科](department)
    - 我想挂[神经内科](department)的号
    - 约一下[明天上午](time)的[眼科](department)
- intent: report_vitals
  examples: |
    - [血压](vital_type)[一百五十八九十五](vital_value)
    - [血糖](vital_type)[七点八](vital_value)
    - [心跳](vital_type)[八十二](vital_value)
- intent: emergency
  examples: |
    - 救命
    - 我胸口疼得厉害
    - 快叫120
- lookup: department
  examples: |
    - 心内科
    - 眼科
"""

TEST = """\
version: "3.1"
nlu:
- intent: book_appointment
  examples: |
    - 帮我约个[心内科](department)明天
- intent: emergency
  examples: |
    - 我摔倒了起不来
- intent: report_vitals
  examples: |
    - [血压](vital_type)[一百四十九十](vital_value)
"""


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from rasa.model_training import train_nlu

    root = tmp_path_factory.mktemp("tiny")
    (root / "config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "nlu.yml").write_text(NLU, encoding="utf-8")
    (root / "test.yml").write_text(TEST, encoding="utf-8")
    model = train_nlu(str(root / "config.yml"), str(root / "nlu.yml"), str(root / "models"),
                      fixed_model_name="tiny")
    assert model and Path(model).is_file()
    return root, model


@pytest.mark.slow
def test_emergency_overrides_inside_a_booking(tiny_model):
    from rasa.core.agent import Agent

    _, model = tiny_model
    agent = Agent.load(model)
    result = asyncio.run(agent.parse_message("帮我约个心内科 我摔倒了起不来"))
    assert result["intent"] == {"name": "emergency", "confidence": 1.0}
    assert result["intent_ranking"][0]["name"] == "emergency"
    assert result["emergency"]["category"] == "fall"
    assert "摔倒" in result["emergency"]["triggers"]

    vitals = asyncio.run(agent.parse_message("血压一百五十八九十五"))
    values = {e["entity"]: e["value"] for e in vitals["entities"]}
    assert values["vital_value"] == "158/95" and values["vital_type"] == "血压"

    booking = asyncio.run(agent.parse_message("约个新内科明天上午"))
    kinds = {e["entity"]: e["value"] for e in booking["entities"]}
    assert kinds["department"] == "心内科"
    assert kinds["time"]["period"] == "上午"


@pytest.mark.slow
def test_evaluate_writes_report(tiny_model, tmp_path):
    from nlu.evaluate import main

    root, model = tiny_model
    out = tmp_path / "results"
    assert main(["--model", model, "--out", str(out), "--test-file", str(root / "test.yml")]) == 0
    report = (out / "nlu.md").read_text(encoding="utf-8")
    assert "macro-F1" in report and "| emergency |" in report
    assert "VitalsNormalizer" in report
    assert "Emergency detector" in report and "recall: 100.0%" in report
    assert (out / "nlu_confusion.png").stat().st_size > 1000
    assert textwrap.dedent(report)
