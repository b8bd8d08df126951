"""The DialectNormalizer component: Mandarin text before the tokenizer."""

from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.dialect import ORIGINAL_KEY, DialectNormalizer


def test_inference_replaces_text_and_keeps_the_original():
    message = Message(data={"text": "系啊 冇错"})
    DialectNormalizer({}).process([message])
    assert message.get("text") == "是啊 没错"
    assert message.as_dict(only_output_properties=True)[ORIGINAL_KEY] == "系啊 冇错"


def test_mandarin_is_untouched():
    message = Message(data={"text": "对的"})
    DialectNormalizer({}).process([message])
    assert message.get("text") == "对的" and message.get(ORIGINAL_KEY) is None


def test_training_keeps_annotated_examples():
    plain = Message(data={"text": "冇错", "intent": "affirm"})
    annotated = Message(data={"text": "我要睇心内科", "intent": "book_appointment",
                              "entities": [{"start": 3, "end": 6, "value": "心内科",
                                            "entity": "department"}]})
    DialectNormalizer({}).process_training_data(TrainingData([plain, annotated]))
    assert plain.get("text") == "没错"
    assert annotated.get("text") == "我要睇心内科"
