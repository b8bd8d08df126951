"""Fit the confidence calibration and decision thresholds on the TRAIN side only.

    python -m knowledge.tuning            # writes knowledge/calibration.yml

Confidence: logistic regression (Platt-style) from the retrieval features to
"the top topic is the right one", fitted on training questions (unanswerable
ones count as wrong tops).  Thresholds: grid search maximising a utility that
punishes any answer to an unanswerable question hardest, then wrong answers.
The held-out ``test`` side is never read here.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import yaml

from knowledge.base import InMemoryKnowledgeBase
from knowledge.evaluate import NONE, load_questions
from knowledge.retriever import (
    CALIBRATION_FILE,
    BM25Retriever,
    Calibration,
    Retrieval,
    confidence,
    decide,
)

#: Utility of each outcome: safety first (never answer the unanswerable); a
#: clarify that offers two unrelated topics is worth less than an honest handoff.
UTILITY = {"right_answer": 1.0, "clarify_with_right": 0.5, "handoff_answerable": 0.0,
           "clarify_without_right": -0.25, "wrong_answer": -2.0,
           "answer_unanswerable": -5.0, "handoff_unanswerable": 1.0,
           "clarify_unanswerable": 0.25}


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 20000,
                 rate: float = 0.1) -> np.ndarray:
    """Weights (bias first) by gradient descent on the L2-regularised log loss."""
    design = np.hstack([np.ones((len(x), 1)), x])
    weights = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        grad = design.T @ (p - y) / len(y) + l2 * np.r_[0.0, weights[1:]]
        weights -= rate * grad
    return weights


def utility(retrievals: list[Retrieval], expects: list[str], calibration: Calibration) -> float:
    total = 0.0
    for retrieval, expect in zip(retrievals, expects, strict=True):
        scored = Retrieval(retrieval.query, retrieval.hits,
                           confidence(retrieval.features, calibration), retrieval.features)
        decision = decide(scored, calibration)
        ids = [t.id for t in decision.topics]
        if expect == NONE:
            key = f"{decision.kind}_unanswerable"
        elif decision.kind == "answer":
            key = "right_answer" if ids == [expect] else "wrong_answer"
        elif decision.kind == "clarify":
            key = "clarify_with_right" if expect in ids else "clarify_without_right"
        else:
            key = "handoff_answerable"
        total += UTILITY[key]
    return total


def tune(retriever: BM25Retriever) -> tuple[Calibration, float]:
    train = [q for q in load_questions() if q.split == "train"]
    retrievals = [retriever.retrieve(q.text) for q in train]
    expects = [q.expect for q in train]
    x = np.array([r.features for r in retrievals])
    y = np.array([float(bool(r.hits) and r.hits[0].topic.id == e)
                  for r, e in zip(retrievals, expects, strict=True)])
    weights = tuple(round(float(w), 4) for w in fit_logistic(x, y))
    best: tuple[float, Calibration] | None = None
    grid = itertools.product(np.arange(0.30, 0.96, 0.05), np.arange(0.05, 0.51, 0.05),
                             np.arange(0.10, 0.61, 0.05))
    for answer, margin, cover in grid:
        candidate = Calibration(weights, round(float(answer), 2), round(float(margin), 2),
                                round(float(cover), 2))
        value = utility(retrievals, expects, candidate)
        # ties: prefer the more cautious (higher) answer threshold
        if best is None or value > best[0] or (
                value == best[0] and candidate.answer_threshold > best[1].answer_threshold):
            best = (value, candidate)
    assert best is not None
    return best[1], best[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(CALIBRATION_FILE))
    args = parser.parse_args(argv)
    retriever = BM25Retriever(InMemoryKnowledgeBase(), calibration=Calibration())
    calibration, value = tune(retriever)
    data = {
        "note": "Fitted by `python -m knowledge.tuning` on the train side of "
                "tests/knowledge/data/questions.yml; do not edit by hand.",
        "weights": list(calibration.weights),
        "answer_threshold": calibration.answer_threshold,
        "clarify_margin": calibration.clarify_margin,
        "clarify_min_coverage": calibration.clarify_min_coverage,
        "train_utility": value,
    }
    Path(args.out).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                              encoding="utf-8")
    print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
