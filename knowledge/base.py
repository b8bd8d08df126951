"""Knowledge-base storage: a small abstract interface and an in-memory one.

Shaped after rasa_sdk's ``knowledge_base/storage.py`` (an abstract base with an
in-memory implementation), reduced to what Anxin asks of it: list topics and
fetch one by id.  Another store (a database, a CMS) can replace the in-memory
one without touching the retriever or the actions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from knowledge.schema import POLICY_DIR, Topic, load_topics


class KnowledgeBase(ABC):
    """Read-only access to policy topics."""

    @abstractmethod
    def topics(self) -> list[Topic]:
        """All topics, in a stable order."""

    def get(self, topic_id: str) -> Topic | None:
        """The topic with ``topic_id``, or None."""
        for topic in self.topics():
            if topic.id == topic_id:
                return topic
        return None

    def ids(self) -> list[str]:
        return [topic.id for topic in self.topics()]


class InMemoryKnowledgeBase(KnowledgeBase):
    """Topics read once from the YAML files, on first use."""

    def __init__(self, directory: Path = POLICY_DIR, topics: list[Topic] | None = None):
        self._directory = Path(directory)
        self._topics = list(topics) if topics is not None else None
        self._by_id: dict[str, Topic] = {}

    def topics(self) -> list[Topic]:
        if self._topics is None:
            self._topics = load_topics(self._directory)
        return self._topics

    def get(self, topic_id: str) -> Topic | None:
        if not self._by_id:
            self._by_id = {topic.id: topic for topic in self.topics()}
        return self._by_id.get(topic_id)
