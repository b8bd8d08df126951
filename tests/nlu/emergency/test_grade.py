"""The graded detector: emergency, unsure or none, on the product's own examples.

These lines were written with the detector; its real figures come from the
held-out set (``make eval``, bench/results/emergency.md).
"""

import pytest

from nlu.emergency import assess, detect
from nlu.emergency.grade import EMERGENCY, FLOOR, UNSURE
from nlu.evaluate import read_utterances
from tests.nlu.test_emergency import DATA


@pytest.mark.parametrize(
    "text",
    [
        "救命",
        "我摔倒了起不来",
        "阿妈跌低咗 快啲嚟",  # Cantonese: mum has fallen, come quickly
        "我左手突然使不上劲，杯子都拿不住",  # a stroke sign, not named
        "胸口像压了块大石头，喘不上气",  # chest pain by its character
        "快叫１２０",
        "帮我约个心内科 我摔倒了起不来",  # inside a booking
        "给我妈订个助浴 她突然嘴歪了说话不清楚",  # two stroke signs after a booking
    ],
)
def test_escalated_at_once(text):
    result = assess(text)
    assert result["level"] == "emergency", result
    assert detect(text) == result


@pytest.mark.parametrize(
    "text",
    [
        "120是什么电话",
        "打120要钱吗",
        "中风有什么先兆",
        "去年摔过一次，现在好了",
        "帮我约个心内科",
        "我高压一百二低压八十",
    ],
)
def test_talk_about_an_emergency_is_not_one(text):
    assert assess(text)["level"] != "emergency"
    assert detect(text) is None


@pytest.mark.parametrize("text", ["hello", "stop", "ok", "Help", "/quit"])
def test_english_words_are_not_read_as_a_call_for_help(text):
    # the scorer learnt the letters of a meter's "LO": hello was asked about
    assert assess(text)["level"] == "none"


def test_sos_in_letters_is_still_a_call_for_help():
    assert assess("SOS")["level"] == "emergency"


@pytest.mark.parametrize("text", ["没事 我是问问 摔倒了先打120还是先打给子女", "我是问问 我摔倒了起不来"])
def test_only_asking_is_asked_about_never_an_alarm_at_once(text):
    # said in the chat after a real fall, the first called the family a second time
    assert assess(text)["level"] == "unsure"


def test_only_asking_does_not_quiet_a_call_for_help():
    assert assess("救命 我是问问")["level"] == "emergency"


def test_help_quoted_in_talk_is_asked_about_never_ignored():
    assert assess("假如我唱戏唱到救命你会打电话吗")["level"] == "unsure"


def test_thresholds_are_ordered():
    assert 0 < FLOOR < UNSURE < EMERGENCY < 1


def test_reason_is_complete():
    result = assess("哎哟我摔倒了起不来")
    assert set(result) >= {"level", "p", "category", "trigger", "categories", "triggers", "why"}
    assert result["category"] == "fall" and 0.0 <= result["p"] <= 1.0


def test_long_text_is_scored_in_windows():
    said = "今天天气不错，我们去公园走走。" * 300 + "我摔倒了起不来！" + "明天再说。" * 300
    assert assess(said)["level"] == "emergency"
    unpunctuated = "今天天气不错我们去公园走走" * 300 + "我摔倒了起不来" + "明天再说" * 300
    assert assess(unpunctuated)["level"] != "none", "never lost: at least the safety question"
    assert assess("今天天气不错" * 2000)["level"] == "none"


def test_own_lists():
    """On the lists written with the rules: a floor, not a figure to report."""
    positives = read_utterances(DATA / "emergency_positive.txt")
    negatives = read_utterances(DATA / "emergency_negative.txt")
    caught = sum(assess(t)["level"] != "none" for t in positives)
    alarms = sum(assess(t)["level"] == "emergency" for t in negatives)
    assert caught / len(positives) >= 0.97
    assert alarms / len(negatives) <= 0.02
