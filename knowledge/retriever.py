"""Policy retrieval: BM25 over the topic files, a calibrated confidence, a decision.

``retrieve`` ranks topics for a question (the topic that the NLU's
``policy_topic`` entity names exactly goes first); ``decide`` turns the
ranking into one of

* ``answer``  - confident, or the entity named the top topic: say it;
* ``clarify`` - two close, relevant topics: ask "您是问X还是Y？";
* ``handoff`` - nothing relevant: never an invented answer.

Confidence is a logistic function of retrieval features whose weights, and the
decision thresholds, are fitted on the training half of the question set by
``knowledge.tuning`` and stored in ``calibration.yml``.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.base import InMemoryKnowledgeBase, KnowledgeBase
from knowledge.schema import Topic
from knowledge.text import Analyzer, load_synonyms, normalize

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.yml"

#: How often each field's tokens count in a topic's BM25 document.
FIELD_WEIGHTS = {
    "title": 3, "aliases": 3, "spoken": 1, "text": 1,
    "who_qualifies": 1, "how_to_apply": 1, "provides": 1, "region": 1,
}
ENTITY_BOOST = 0.5  # the entity's topic goes first, this share of the top score ahead


@dataclass(frozen=True)
class Calibration:
    """Logistic weights (bias, coverage, margin, log score) and thresholds."""

    weights: tuple[float, float, float, float] = (-4.0, 5.0, 3.0, 0.3)
    answer_threshold: float = 0.5
    clarify_margin: float = 0.25
    clarify_min_coverage: float = 0.3

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        if not Path(path).exists():
            return cls()
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        return cls(
            weights=tuple(float(w) for w in data["weights"]),
            answer_threshold=float(data["answer_threshold"]),
            clarify_margin=float(data["clarify_margin"]),
            clarify_min_coverage=float(data["clarify_min_coverage"]),
        )


@dataclass(frozen=True)
class Hit:
    topic: Topic
    score: float
    coverage: float  # idf-weighted share of the question's tokens found in the topic


@dataclass(frozen=True)
class Retrieval:
    query: str
    hits: tuple[Hit, ...]
    confidence: float
    features: tuple[float, float, float] = (0.0, 0.0, 0.0)
    entity_topic_id: str | None = None  # the topic the NLU entity names exactly

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def runners_up(self) -> tuple[Hit, ...]:
        return self.hits[1:]


@dataclass(frozen=True)
class Decision:
    kind: str  # "answer" | "clarify" | "handoff"
    topics: tuple[Topic, ...] = field(default=())
    confidence: float = 0.0


def features(hits: list[Hit]) -> tuple[float, float, float]:
    """(coverage of the top hit, relative margin to the second, log1p top score)."""
    if not hits or hits[0].score <= 0:
        return (0.0, 0.0, 0.0)
    first = hits[0].score
    second = hits[1].score if len(hits) > 1 else 0.0
    return (hits[0].coverage, (first - second) / first, math.log1p(first))


def confidence(feats: tuple[float, float, float], calibration: Calibration) -> float:
    bias, *weights = calibration.weights
    z = bias + sum(w * x for w, x in zip(weights, feats, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


class PolicyRetriever(ABC):
    """Ranks policy topics for a question."""

    @abstractmethod
    def retrieve(self, question: str, topic_entity: str | None = None, k: int = 3) -> Retrieval:
        """Top ``k`` topics with a calibrated confidence for the first."""


class BM25Retriever(PolicyRetriever):
    """Okapi BM25 over jieba tokens with synonym expansion."""

    def __init__(self, kb: KnowledgeBase, analyzer: Analyzer | None = None,
                 calibration: Calibration | None = None, k1: float = 1.5, b: float = 0.75):
        self.kb = kb
        topics = kb.topics()
        words = [t.title for t in topics] + [a for t in topics for a in t.aliases]
        self.analyzer = analyzer or Analyzer(load_synonyms(), user_words=words)
        self.calibration = calibration or Calibration.load()
        self.k1, self.b = k1, b
        self.topics = topics
        self.docs = [Counter(self._document(t)) for t in topics]
        self.sets = [set(d) for d in self.docs]
        self.names = [self._names(t) for t in topics]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg_length = sum(self.lengths) / max(len(self.lengths), 1)
        df = Counter(token for d in self.docs for token in d)
        n = len(self.docs)
        self.idf = {t: math.log((n - f + 0.5) / (f + 0.5) + 1.0) for t, f in df.items()}
        self.unseen_idf = math.log((n + 0.5) / 0.5 + 1.0)

    def _document(self, topic: Topic) -> list[str]:
        tokens: list[str] = []
        for name, weight in FIELD_WEIGHTS.items():
            value = getattr(topic, name)
            text = " ".join(value) if isinstance(value, tuple) else value
            tokens.extend(self.analyzer.tokens(text) * weight)
        return tokens

    def _score(self, index: int, query: list[str]) -> float:
        doc, length = self.docs[index], self.lengths[index]
        score = 0.0
        for token in query:
            tf = doc.get(token, 0)
            if tf:
                norm = tf + self.k1 * (1 - self.b + self.b * length / self.avg_length)
                score += self.idf[token] * tf * (self.k1 + 1) / norm
        return score

    def _coverage(self, index: int, query: list[str]) -> float:
        total = sum(self.idf.get(t, self.unseen_idf) for t in query)
        found = sum(self.idf[t] for t in query if t in self.sets[index])
        return found / total if total else 0.0

    def _names(self, topic: Topic) -> set[str]:
        """Title (with and without its bracketed part) and aliases, normalised."""
        title = normalize(topic.title)
        names = {title, re.sub(r"[（(].*?[）)]", "", title)}
        names.update(re.findall(r"[（(](.*?)[）)]", title))
        names.update(normalize(a) for a in topic.aliases)
        return {n for n in names if n}

    def _entity_topic(self, entity: str | None) -> int | None:
        """Index of the one topic an entity value names exactly (title or alias,
        directly or through a synonym), else None: a vague entity such as 医保
        must not pick a topic."""
        if not entity:
            return None
        value = normalize(entity)
        wanted = {value} | {canonical for canonical, variants in self.analyzer.synonyms.items()
                            if value in variants}
        matches = [i for i, names in enumerate(self.names) if wanted & names]
        return matches[0] if len(matches) == 1 else None

    def retrieve(self, question: str, topic_entity: str | None = None, k: int = 3) -> Retrieval:
        query = list(dict.fromkeys(self.analyzer.tokens(question)))
        scores = [self._score(i, query) for i in range(len(self.docs))]
        boosted = self._entity_topic(topic_entity)
        if boosted is not None:
            top = max(scores)
            scores[boosted] = max(scores[boosted], top) + ENTITY_BOOST * max(top, 1.0)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], self.topics[i].id))
        hits = [Hit(self.topics[i], scores[i], self._coverage(i, query))
                for i in order[:k] if scores[i] > 0]
        feats = features(hits)
        conf = confidence(feats, self.calibration) if hits else 0.0
        named = self.topics[boosted].id if boosted is not None else None
        return Retrieval(question, tuple(hits), conf, feats, named)


def decide(retrieval: Retrieval, calibration: Calibration) -> Decision:
    """answer / clarify / handoff, from a retrieval and the tuned thresholds."""
    hits = retrieval.hits
    if not hits:
        return Decision("handoff")
    named = retrieval.entity_topic_id is not None and hits[0].topic.id == retrieval.entity_topic_id
    if named or retrieval.confidence >= calibration.answer_threshold:
        return Decision("answer", (hits[0].topic,), retrieval.confidence)
    if len(hits) > 1:
        first, second = hits[0], hits[1]
        close = (first.score - second.score) / first.score <= calibration.clarify_margin
        relevant = min(first.coverage, second.coverage) >= calibration.clarify_min_coverage
        if close and relevant:
            return Decision("clarify", (first.topic, second.topic), retrieval.confidence)
    return Decision("handoff", (), retrieval.confidence)


@lru_cache(maxsize=1)
def default_retriever() -> BM25Retriever:
    """The process-wide retriever, built on first use (not at import)."""
    return BM25Retriever(InMemoryKnowledgeBase())
