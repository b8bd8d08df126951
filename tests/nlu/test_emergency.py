"""Emergency rules alone (pure) and the EmergencyDetector wrapper."""

from pathlib import Path

import pytest

from nlu.emergency.rules import analyse, detect, normalize
from nlu.evaluate import read_utterances, score_emergency

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我刚摔了", "fall"),
        ("我摔了一跤爬不起来", "fall"),
        ("救命", "call_for_help"),
        ("就命啊", "call_for_help"),
        ("快叫１２０", "call_for_help"),
        ("没摔倒但是胸口疼得厉害", "chest_pain"),
        ("帮我约个心内科 哎哟我摔倒了起不来 明天上午", "fall"),
        ("帮我约个心内科哎哟我摔倒了起不来明天上午", "fall"),
        ("我不小心摔了一跤起不来了", "fall"),
        ("我手抖出冷汗心慌头晕", "hypoglycaemia"),
        ("去年摔过一次今天又摔倒了", "fall"),
        ("老伴嘴歪了说话不清楚", "stroke"),
        ("我不想活了", "suicide"),
        ("煤气泄漏了", "fire_gas"),
        ("阿妈跌低咗 快啲嚟", "fall"),
    ],
)
def test_fires(text, category):
    reason = detect(text)
    assert reason is not None, analyse(text)
    assert category in reason["categories"]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("我没摔倒", "negation"),
        ("胸口不疼了", None),
        ("去年摔倒过一次", "past"),
        ("去年摔过一次", None),
        ("上次摔倒以后腿一直不太好", "past"),
        ("怕摔倒", "hypothetical"),
        ("万一摔倒了怎么办", "hypothetical"),
        ("如果中风了怎么办", "hypothetical"),
        ("摔倒了医保报不报", "informational"),
        ("心梗是不是很危险", "informational"),
        ("讲座讲中风", "informational"),
        ("孙子我想死你了", None),
        ("我不想活动腿疼", None),
        ("早上老是起不来", None),
        ("我高压一百二低压八十", None),
        ("你说话不清楚再说一遍", "look-alike"),
    ],
)
def test_silenced(text, why):
    assert detect(text) is None
    if why:
        assert why in {c.suppressed_by for c in analyse(text)}


def test_normalize_full_width_and_homophones():
    assert normalize("快叫１２０") == "快叫120"
    assert normalize("打幺二零") == "打120"
    assert normalize("就命") == "救命"


def test_reason_names_category_and_words():
    reason = detect("帮我约个心内科 哎哟我摔倒了起不来 明天上午")
    assert reason["category"] == "fall"
    assert reason["trigger"] == "摔倒"
    assert "起不来" in reason["triggers"]


def test_lists_meet_targets():
    positives = read_utterances(DATA / "emergency_positive.txt")
    negatives = read_utterances(DATA / "emergency_negative.txt")
    assert len(positives) >= 150 and len(negatives) >= 150
    score = score_emergency(positives, negatives)
    assert score["misses"] == [], score["misses"]
    assert score["fpr"] <= 0.03, score["false_alarms"]


def _message(text, intent, confidence):
    from rasa.shared.nlu.training_data.message import Message

    return Message(data={
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence},
                           {"name": "emergency" if intent != "emergency" else "ask_policy", "confidence": 0.02}],
    })


def test_wrapper_overrides_intent():
    from nlu.components.emergency import EmergencyDetector

    message = _message("帮我约个心内科 我摔倒了起不来", "book_appointment", 0.97)
    calm = _message("帮我约个心内科", "book_appointment", 0.9)
    EmergencyDetector(EmergencyDetector.get_default_config()).process([message, calm])
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "emergency" and [r["name"] for r in ranking].count("emergency") == 1
    assert message.get("emergency")["category"] == "fall"
    assert message.get("emergency")["level"] == "emergency"
    assert "emergency" in message.as_dict(only_output_properties=True)
    assert calm.get("intent")["name"] == "book_appointment" and calm.get("emergency") is None


@pytest.mark.parametrize(
    ("text", "diet", "confidence", "expected"),
    [
        # unsure: the safety question, whatever DIET said
        ("假如我唱戏唱到救命你会打电话吗", "ask_policy", 0.8, "emergency_unsure"),
        ("假如我唱戏唱到救命你会打电话吗", "emergency", 0.999, "emergency_unsure"),
        # DIET alone, with a faint sign from the scorer: asked, never ignored, never an alarm
        ("腿有点软", "emergency", 0.9, "emergency_unsure"),
        ("腿有点软", "emergency", 0.9999, "emergency_unsure"),
        # DIET alone on a question about 120 the scorer sees nothing in: answered
        ("120是什么电话", "emergency", 0.9999, "ask_policy"),
        # nothing to see: DIET's intent stays
        ("打120要钱吗", "ask_policy", 0.9, "ask_policy"),
        # letters only: DIET's emergency is noise there, not asked about
        ("stop", "emergency", 0.9, "ask_policy"),
    ],
)
def test_wrapper_grades(text, diet, confidence, expected):
    from nlu.components.emergency import EmergencyDetector

    message = _message(text, diet, confidence)
    EmergencyDetector(EmergencyDetector.get_default_config()).process([message])
    assert message.get("intent")["name"] == expected


def test_decide():
    from nlu.components.emergency import DIET_GATE, decide

    assert decide("emergency", "greet") == "emergency"
    assert decide("unsure", "greet") == "emergency_unsure"
    assert decide("none", "emergency", DIET_GATE) == "emergency_unsure"  # asked, never an alarm
    assert decide("none", "emergency", 0.0) == ("next" if DIET_GATE > 0 else "emergency_unsure")
    assert decide("none", "greet", 0.5) is None
    assert decide("none", "emergency", 1.0, readable=False) == "next"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a misheard reading alone: the vitals dialogue asks again, no alarm, no question
        ("血压九九九九九九", "report_vitals"),
        ("心率三百", "report_vitals"),
        # a real reading that needs a person stays a question
        ("血压两百八", "emergency_unsure"),
        # any other sign keeps the alarm
        ("血压九九九九九九 我喘不上气", "emergency"),
    ],
)
def test_an_impossible_reading_alone_is_never_an_emergency(text, expected):
    from nlu.components.emergency import EmergencyDetector

    message = _message(text, "report_vitals", 0.9)
    EmergencyDetector(EmergencyDetector.get_default_config()).process([message])
    assert message.get("intent")["name"] == expected
