"""Rasa wrapper of :func:`nlu.yesno.yes_no`: after DIET and the fallback.

DIET learns yes and no from short examples, and a courtesy tail tips it over:
行 就这样吧 came out as goodbye, 对 谢谢你 as thanks, 冇 冇乜嘢 as repeat.
When the words are only a yes (or only a no) and DIET chose one of the small
conversational intents, the intent becomes ``affirm`` (``deny``); a task
intent (a reading, a booking) is never touched, and the emergency detector
still runs after this.  The reason is kept under ``yes_no`` in the parse.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.base import RuleComponent
from nlu.yesno import yes_no

CONVERSATIONAL = frozenset({"affirm", "deny", "goodbye", "thank", "greet", "repeat", "help", "speak_slower",
                            "out_of_scope", "nlu_fallback"})
INTENTS = {"yes": "affirm", "no": "deny"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class YesNoClassifier(RuleComponent, IntentClassifier):
    """A plain yes or no wins over DIET's small-talk intents."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            current = (message.get(INTENT) or {}).get("name")
            if current not in CONVERSATIONAL:
                continue
            verdict = yes_no(message.get(TEXT) or "")
            wanted = INTENTS.get(verdict or "")
            if wanted is None or wanted == current:
                continue
            top = {"name": wanted, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY, []) or [] if r.get("name") != wanted]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(top), *ranking], add_to_output=True)
            message.set("yes_no", {"said": verdict, "was": current}, add_to_output=True)
        return messages
