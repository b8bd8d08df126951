"""Rasa wrapper of :func:`nlu.dialect.to_mandarin`: first in the pipeline.

Replaces the message text by its Mandarin form (跌低咗 → 摔倒了, 冇错 → 没错)
before the tokenizer, at training and at inference.  A training example
with entity annotations keeps its text, so that no annotated span moves;
the original text is kept under ``text_original`` in the parse output.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import RuleComponent
from nlu.dialect import to_mandarin

ORIGINAL_KEY = "text_original"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class DialectNormalizer(RuleComponent):
    """Cantonese- and Wu-flavoured wording → Mandarin, before tokenizing."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @staticmethod
    def _normalise(message: Message, output: bool) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        mandarin = to_mandarin(text)
        if mandarin != text:
            message.set(ORIGINAL_KEY, text, add_to_output=output)
            message.set(TEXT, mandarin)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if not example.get(ENTITIES):
                self._normalise(example, output=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message, output=True)
        return messages
