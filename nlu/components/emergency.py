"""Rasa wrapper of the graded emergency detector: override the intent when needed.

:func:`nlu.emergency.assess` grades every message:

* ``emergency`` → the intent becomes ``emergency`` (confidence 1.0, first in
  the ranking) whatever DIET predicted;
* ``unsure`` → the intent becomes ``emergency_unsure`` and the bot asks the
  safety question;
* ``none`` while DIET predicted ``emergency`` → demoted to ``emergency_unsure``
  whatever DIET's confidence when the scorer sees at least a faint sign
  (p ≥ ``DIET_GATE``), else DIET's next intent: DIET alone learnt "120" as an emergency word and
  raised alarms on questions about 120, so it can add a question, never an
  alarm (on the dev set, letting a sure DIET escalate added 8 false alarms
  for 2 lines escalated sooner).

A reading no home meter can show ("血压九九九九九九", a mishearing) is never
an emergency by itself: with no other sign it is one level lower (emergency →
the safety question, unsure → none, so the vitals dialogue asks for the
reading again).

``emergency: {level, p, category, trigger, categories, triggers, why}`` is
added to the parse output (visible in ``/model/parse``).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.readings import implausible
from nlu.components.base import RuleComponent
from nlu.components.vitals import TYPE_WORDS, extract_vitals
from nlu.emergency import assess
from nlu.emergency.grade import FLOOR, LETTERS_ONLY
from nlu.emergency.model import mandarin
from nlu.vitals import vital_kind

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


# The scorer's p below which DIET's "emergency" alone is not even asked about:
# the rules' own floor.  On dev.tsv DIET alone asked 44 of 284 non-emergencies
# (a broken bowl, a TV drama, a snake bite in youth) and caught no emergency
# the detector had not; at FLOOR it asks 4 of those and still catches every one.
DIET_GATE = FLOOR


def decide(level: str, diet_intent: str | None, p: float = 1.0, readable: bool = True) -> str | None:
    """The intent to force (emergency / emergency_unsure / ``"next"`` for DIET's
    next-best intent), or None to keep DIET's.

    ``readable`` is False for text in letters only (stop, hello): DIET learnt
    from Chinese, so its "emergency" there is noise and is not even asked about.
    """
    if level == "emergency":
        return "emergency"
    if level == "unsure":
        return "emergency_unsure"
    if diet_intent == "emergency":
        return "emergency_unsure" if p >= DIET_GATE and readable else "next"
    return None


LOWER = {"emergency": "unsure", "unsure": "none"}


def implausible_only(text: str, result: dict[str, Any]) -> bool:
    """True when ``text`` holds an impossible vital reading and nothing but
    vital numbers triggered the rules."""
    if not any(implausible(vital_kind(v.vital_type, text), v.value) for v in extract_vitals(text)):
        return False
    return all(t.startswith(tuple(TYPE_WORDS)) for t in result.get("triggers") or [])


def grade(text: str) -> dict[str, Any]:
    """:func:`nlu.emergency.assess`, one level lower for an impossible reading alone."""
    result = assess(text)
    if result["level"] in LOWER and implausible_only(text, result):
        result = {**result, "level": LOWER[result["level"]], "why": result.get("why", "") + ", implausible reading"}
    return result


def _next_best(message: Message) -> dict[str, Any]:
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) or [] if r.get("name") != "emergency"]
    return ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0}


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
            result = grade(message.get(TEXT) or "")
            intent = message.get(INTENT) or {}
            readable = not LETTERS_ONLY.fullmatch(mandarin(message.get(TEXT) or ""))
            forced = decide(result["level"], intent.get("name"), float(result.get("p") or 0.0), readable)
            if forced == "next":  # DIET alone, and the scorer sees nothing: not asked
                nxt = _next_best(message)
                message.set(INTENT, {"name": nxt["name"], "confidence": nxt.get("confidence", 0.0)},
                            add_to_output=True)
                message.set(EMERGENCY_KEY, result, add_to_output=True)
            elif forced is not None:
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
