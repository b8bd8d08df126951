"""Rasa wrapper of the emergency rules: override the intent when someone needs help now.

When :func:`nlu.emergency.detect` fires, the message's intent
becomes ``emergency`` with confidence 1.0 (first in ``intent_ranking``) whatever
DIET predicted, and ``emergency: {category, trigger, categories, triggers}`` is
added to the parse output (visible in ``/model/parse``).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.base import RuleComponent
from nlu.emergency import detect

EMERGENCY_KEY = "emergency"


def override_intent(message: Message, reason: dict[str, Any], intent_name: str) -> None:
    """Make ``intent_name`` the message's intent, first in the ranking, with the reason."""
    top = {"name": intent_name, "confidence": 1.0}
    ranking = [
        r for r in message.get(INTENT_RANKING_KEY, []) or [] if r.get("name") != intent_name
    ]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(top), *ranking], add_to_output=True)
    message.set(EMERGENCY_KEY, reason, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyDetector(RuleComponent, IntentClassifier):
    """Rule-based override of the intent for emergencies.

    Place it after the FallbackClassifier (last in the pipeline): neither a
    confident DIET nor an ``nlu_fallback`` can then hide an emergency, and the
    fallback's ambiguity check never compares our 1.0 with DIET's top score.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intent": "emergency"}

    def process(self, messages: list[Message]) -> list[Message]:
        intent_name = self.component_config.get("intent", "emergency")
        for message in messages:
            reason = detect(message.get(TEXT) or "")
            if reason is not None:
                override_intent(message, reason, intent_name)
        return messages
