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
        ("覅让伲子收提醒了", "不要让儿子收提醒了"),  # 伲子 is a son, not 我们子
        ("伲一道去", "我们一道去"),
        ("嘴巴弗歪", "嘴巴不歪"),  # the Wu negator
        ("我心口痛", "我胸口痛"),  # Cantonese 心口 is the chest: never read as a stomach ache
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


@pytest.mark.parametrize(
    "mandarin",
    ["早上八点 晚上八点", "七点半", "空腹血糖七点八", "三十九点五度", "快点", "有点头晕", "打点滴",
     "行 就这样吧", "痛得要命", "我记得", "胸口好紧", "胸口发紧", "垃圾", "得了感冒"],
)
def test_mandarin_that_looks_regional_is_untouched(mandarin):
    """Clock times, decimals, 行 = OK, V得 complements and chest tightness must survive."""
    assert to_mandarin(mandarin) == mandarin


@pytest.mark.parametrize(
    ("said", "mandarin"),
    [("你点睇", "你怎么看"), ("点算好", "怎么办好"), ("行路好辛苦", "走路好难受"), ("得 就咁", "可以 就这么"),
     ("唔得", "不行"), ("滴紧水", "滴着水"), ("朝早七点半", "早上七点半")],
)
def test_regional_words_beside_them_still_change(said, mandarin):
    assert to_mandarin(said) == mandarin


def test_the_protected_word_list_is_current():
    """mandarin_words.txt is what jieba's dictionary gives for today's table."""
    from nlu.dialect import build_mandarin_words, mandarin_words

    assert list(mandarin_words()) == build_mandarin_words()
