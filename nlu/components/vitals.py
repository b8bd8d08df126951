"""Rasa wrapper of :func:`nlu.vitals.extract_vitals`: 血压一百五十八九十五 →
entities vital_type 血压 and vital_value "158/95" (replacing DIET's overlapping ones)."""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.base import RuleComponent, merge_entities
from nlu.vitals import TYPE_WORDS, Vital, extract_vitals, to_number

_NUMERAL = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百幺]")

__all__ = ["TYPE_WORDS", "Vital", "VitalsNormalizer", "extract_vitals", "to_number"]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class VitalsNormalizer(RuleComponent, EntityExtractorMixin):
    """Adds normalised ``vital_type``/``vital_value`` entities (replacing DIET's overlapping ones)."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found: list[dict[str, Any]] = []
            for vital in extract_vitals(message.get(TEXT) or ""):
                if vital.type_start is not None:
                    found.append(self._entity("vital_type", vital.vital_type,
                                              vital.type_start, vital.type_end, message))
                if vital.value and vital.value_start >= 0:
                    entity = self._entity("vital_value", vital.value,
                                          vital.value_start, vital.value_end, message)
                    entity["additional_info"] = {"vital_type": vital.vital_type, **vital.extra}
                    found.append(entity)
            if found:
                merge_entities(message, found, {"vital_type", "vital_value"})
            self._drop_valueless(message)
        return messages

    @staticmethod
    def _drop_valueless(message: Message) -> None:
        """DIET tags a comma or a word as vital_value (试下个紧急呼叫功能，不是真的):
        a value with no number in it is no reading."""
        entities = message.get(ENTITIES) or []
        kept = [e for e in entities
                if e.get("entity") != "vital_value" or _NUMERAL.search(str(e.get("value") or ""))]
        if len(kept) != len(entities):
            message.set(ENTITIES, kept, add_to_output=True)

    def _entity(self, name: str, value: str, start: int, end: int, message: Message) -> dict:
        text = message.get(TEXT) or ""
        return {"entity": name, "value": value, "start": start, "end": end,
                "confidence_entity": 1.0, "extractor": self.name, "text": text[start:end]}
