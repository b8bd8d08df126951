"""A reading's value found in what was said (``nlu.vitals.value_in``)."""

import pytest

from nlu.vitals import value_in


@pytest.mark.parametrize(("kind", "said", "value"), [
    ("glucose", "我要记一下血糖", ""),  # 一下 counts the act: it was read back as 血糖一
    ("blood_pressure", "帮我量一次血压", ""),
    ("glucose", "我要记一下血糖 六点八", "6.8"),
    ("glucose", "血糖一点八", "1.8"),
    ("blood_pressure", "一百三十八 八十六", "138/86"),
    ("spo2", "九十六", "96"),
])
def test_value_in(kind, said, value):
    assert value_in(kind, said) == value
