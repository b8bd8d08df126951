"""The question set: top-1 >= 90 %, and no unanswerable question gets an answer."""

from __future__ import annotations

import pytest

from knowledge.base import InMemoryKnowledgeBase
from knowledge.evaluate import NONE, accuracy, load_questions, main, run


@pytest.fixture(scope="module")
def outcomes():
    return run(load_questions())


def test_question_set_shape():
    questions = load_questions()
    ids = set(InMemoryKnowledgeBase().ids())
    answerable = [q for q in questions if q.expect != NONE]
    assert len(answerable) >= 80
    assert sum(q.expect == NONE for q in questions) >= 10
    assert all(q.expect in ids for q in answerable)
    assert {q.split for q in questions} == {"train", "test"}


def test_top1_at_least_90_percent(outcomes):
    hit, total = accuracy(outcomes, "top1")
    assert hit / total >= 0.90, f"top-1 {hit}/{total}"


def test_top1_on_held_out_side(outcomes):
    held_out = [o for o in outcomes if o.question.split == "test"]
    hit, total = accuracy(held_out, "top1")
    assert hit / total >= 0.90, f"held-out top-1 {hit}/{total}"


def test_unanswerable_never_answered(outcomes):
    answered = [o.question.text for o in outcomes
                if o.question.expect == NONE and o.decision.kind == "answer"]
    assert answered == []


def test_main_writes_report(tmp_path):
    out = tmp_path / "knowledge.md"
    assert main(["--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "top-1" in text and "Decision distribution" in text
