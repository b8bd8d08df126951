"""Rasa wrapper of the graded emergency detector: override the intent when needed.

:func:`nlu.emergency.assess` grades every message:

* ``emergency`` → the intent becomes ``emergency`` (confidence 1.0, first in
  the ranking) whatever DIET predicted;
* ``unsure`` → the intent becomes ``emergency_unsure`` and the bot asks the
  safety question;
* ``none`` while DIET predicted ``emergency`` → demoted to ``emergency_unsure``
  whatever DIET's confidence: DIET alone learnt "120" as an emergency word and
  raised alarms on questions about 120, so it can add a question, never an
  alarm (on the dev set, letting a sure DIET escalate added 8 false alarms
  for 2 lines escalated sooner).

``emergency: {level, p, category, trigger, categories, triggers, why}`` is
added to the parse output (visible in ``/model/parse``).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.base import RuleComponent
from nlu.emergency import assess

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


def decide(level: str, diet_intent: str | None) -> str | None:
    """The intent to force (emergency / emergency_unsure), or None to keep DIET's."""
    if level == "emergency":
        return "emergency"
    if level == "unsure" or diet_intent == "emergency":
        return "emergency_unsure"
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyDetector(RuleComponent, IntentClassifier):
    """Graded override of the intent for emergencies.

    Place it after the FallbackClassifier (last in the pipeline): neither a
    confident DIET nor an ``nlu_fallback`` can then hide an emergency, and the
    fallback's ambiguity check never compares our 1.0 with DIET's top score.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intent": "emergency", "unsure_intent": "emergency_unsure"}

    def process(self, messages: list[Message]) -> list[Message]:
        names = {"emergency": self.component_config.get("intent", "emergency"),
                 "emergency_unsure": self.component_config.get("unsure_intent", "emergency_unsure")}
        for message in messages:
            result = assess(message.get(TEXT) or "")
            intent = message.get(INTENT) or {}
            forced = decide(result["level"], intent.get("name"))
            if forced is not None:
                override_intent(message, result, names[forced])
            elif result["level"] != "none" or intent.get("name") == "emergency":
                message.set(EMERGENCY_KEY, result, add_to_output=True)
        return messages


def parse_intents(model: str, texts: list[str]) -> list[str]:
    """The intent the whole NLU gives each text (the held-out evaluations)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(model)

    async def run() -> list[str]:
        return [((await agent.parse_message(t)).get("intent") or {}).get("name") or "" for t in texts]

    return asyncio.run(run())


def parse_levels(model: str, texts: list[str]) -> list[str]:
    """The emergency level the whole NLU gives each text (``nlu.emergency.evaluate``)."""
    levels = {"emergency": "emergency", "emergency_unsure": "unsure"}
    return [levels.get(name, "none") for name in parse_intents(model, texts)]
