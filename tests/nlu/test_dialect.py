"""Cantonese- and Wu-flavoured wording → Mandarin (nlu.dialect)."""

import pytest

from nlu.dialect import rules, to_mandarin


@pytest.mark.parametrize(
    ("said", "mandarin"),
    [
        ("阿妈跌低咗 快啲嚟", "妈妈摔倒了 快点来"),
        ("冇错", "没错"),
        ("系啊 冇错", "是啊 没错"),
        ("我要睇医生", "我要看医生"),
        ("亲娘今朝头晕", "奶奶今天头晕"),
        ("就命", "救命"),  # a speech recogniser's mishearing
    ],
)
def test_replaced(said, mandarin):
    assert to_mandarin(said) == mandarin


@pytest.mark.parametrize("kept", ["我去银行", "系统有问题", "打电话", "伊朗", "你呢", "认识你"])
def test_protected_words_untouched(kept):
    assert to_mandarin(kept) == kept


def test_table_has_both_regions_and_sources():
    assert len(rules()) > 300
    assert to_mandarin("") == ""
