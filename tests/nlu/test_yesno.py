"""Yes and no with courtesy tails, in the Mandarin the dialect step makes (nlu.yesno)."""

import pytest

from nlu.dialect import to_mandarin
from nlu.yesno import yes_no


@pytest.mark.parametrize("said", ["行 就这样吧", "好 就这么着吧", "对 谢谢你", "系啊 冇错", "系 系", "啱 系咁", "得 就咁",
                                  "啱 唔该", "对个", "是个", "行就这样吧", "嗯", "冇问题", "好的 麻烦你了",
                                  "好 唔该晒", "系 啱晒 唔该", "对个 就迭能"])
def test_yes(said):
    assert yes_no(to_mandarin(said)) == "yes"


@pytest.mark.parametrize("said", ["冇 冇乜嘢", "不用了 谢谢", "勿对", "覅", "唔使", "没有", "算了吧"])
def test_no(said):
    assert yes_no(to_mandarin(said)) == "no"


@pytest.mark.parametrize("said", ["不对不对 是六点八 我刚才看错了", "对 六点八", "不对 是下午", "没错 就是明天上午", "谢谢",
                                  "再见", "我不要了", "好吧 不约了", "", "对" * 40, "唔该晒", "好 唔该晒 我等你电话"])
def test_more_than_a_yes_or_no_is_not_judged(said):
    assert yes_no(to_mandarin(said)) is None
