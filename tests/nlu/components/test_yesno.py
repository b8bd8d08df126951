"""The yes/no classifier overrides DIET's small talk, never a task intent."""

from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.yesno import YesNoClassifier


def parsed(text, intent):
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.9}})
    YesNoClassifier({}).process([message])
    return message.get(INTENT)["name"]


def test_a_yes_with_a_tail_is_affirm_not_goodbye_or_thanks():
    assert parsed("行 就这样吧", "goodbye") == "affirm"
    assert parsed("对 谢谢你", "thank") == "affirm"
    assert parsed("没有 没有什么", "repeat") == "deny"


def test_task_intents_and_real_goodbyes_are_left_alone():
    assert parsed("好 帮我约吧", "book_appointment") == "book_appointment"
    assert parsed("再见", "goodbye") == "goodbye"
    assert parsed("对 六点八", "report_vitals") == "report_vitals"
