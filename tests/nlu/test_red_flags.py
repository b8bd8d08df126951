"""Red flags in reported symptoms (words only, no diagnosis)."""

import pytest

from nlu.emergency.red_flags import red_flag


@pytest.mark.parametrize(
    ("symptoms", "parts", "text", "flag"),
    [
        (["胸痛"], [], "胸口疼，一直出冷汗", "chest_pain"),
        (["胸闷", "气短"], [], "", "chest_pain"),
        (["疼痛"], ["胸口"], "疼得喘不上气", "chest_pain"),
        (["麻木"], ["手"], "突然半边身子没劲", "stroke"),
        ([], [], "说话不清楚，嘴歪了", "stroke"),
        (["头晕"], [], "刚才晕倒了", "fainting"),
        (["胸闷"], [], "有时候胸口闷一会儿就好了", None),
        (["咳嗽"], [], "", None),
    ],
)
def test_red_flags(symptoms, parts, text, flag):
    assert red_flag(symptoms, parts, text) == flag
