"""Shared plumbing for Anxin's rule-based (non-trainable) graph components."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message


class RuleComponent(GraphComponent):
    """A component with no training and no persisted state.

    Rule components are registered with ``is_trainable=False``: Rasa builds them
    with :meth:`create` both at training and at inference (``GraphComponent.load``
    falls back to ``create``), so nothing is written to the model storage.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleComponent:
        return cls(config)

    @property
    def name(self) -> str:
        return type(self).__name__


def overlaps(a: dict[str, Any], start: int, end: int) -> bool:
    """Whether entity ``a`` (with start/end) overlaps the span [start, end)."""
    a_start, a_end = a.get("start"), a.get("end")
    if a_start is None or a_end is None:
        return False
    return a_start < end and start < a_end


def merge_entities(
    message: Message, found: list[dict[str, Any]], replace_types: set[str]
) -> None:
    """Put ``found`` entities on the message, replacing overlapping ones.

    An existing entity (DIET's, say) is dropped when it has a type in
    ``replace_types`` and overlaps a found entity of the same type: the rule
    component's normalised value wins over a raw span.
    """
    entities = list(message.get(ENTITIES, []) or [])
    kept = [
        e
        for e in entities
        if not (
            e.get("entity") in replace_types
            and any(
                f["entity"] == e.get("entity") and overlaps(e, f["start"], f["end"])
                for f in found
            )
        )
    ]
    kept.extend(found)
    kept.sort(key=lambda e: (e.get("start", 0), e.get("end", 0)))
    message.set(ENTITIES, kept, add_to_output=True)


def add_processor(entity: dict[str, Any], name: str) -> None:
    """Record that ``name`` changed this entity's value (Rasa's convention)."""
    processors = entity.setdefault("processors", [])
    if name not in processors:
        processors.append(name)
