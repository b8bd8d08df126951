"""Yes or no, however it is said: 行 就这样吧, 对 谢谢你, 系啊 冇错, 是个, 冇 冇乜嘢.

Works on the Mandarin the dialect step made (系→是, 冇错→没错, 啱→对,
对个→对的, 唔该→谢谢).  A message is a yes (or a no) when its first part is
a yes-word (no-word) and every other part is one too or only a courtesy
tail (谢谢, 就这样吧, 麻烦你了).  Anything else — a number, a new value, a
request — is not judged here (``None``): 不对 是六点八 is a correction and
is left to the dialogue.  Pure logic, no Rasa.
"""

from __future__ import annotations

import re

YES = frozenset({
    "对", "对的", "对啊", "对呀", "对了", "对头", "对对", "对对对", "是", "是的", "是啊", "是呀", "是了",
    "没错", "没错的", "没有错", "没有问题", "好", "好的", "好啊", "好呀", "好吧", "好了", "行", "行啊", "行吧", "行的", "可以",
    "可以的", "可以啊", "嗯", "嗯嗯", "嗯呐", "要得", "中", "正确", "没问题", "当然", "确定", "确认",
    "就是", "就是这样", "是这样", "是这么", "就这个", "就这样", "就这么着", "就这么办", "就这么定了", "全对",
})
NO = frozenset({
    "不", "不对", "不是", "不要", "不用", "不行", "不可以", "不用了", "不要了", "别", "别了", "算了", "算了吧",
    "没有", "没", "没有了", "错了", "不对的", "不是的", "先不", "先不要", "先不用", "不设了", "不约了",
    "不去了", "不定了", "不订了", "不了", "没什么", "没有什么", "没有东西", "没别的", "没有别的", "不需要",
})
# Said after a yes or a no without changing it.
TAILS = frozenset({
    "谢谢", "谢谢你", "谢谢您", "谢谢了", "谢了", "多谢", "太感谢了", "感谢", "感谢你", "太感谢", "麻烦你", "麻烦您", "麻烦你了", "麻烦您了",
    "辛苦了", "辛苦你了", "就这样", "就这样吧", "就这么着", "就这么着吧", "就这么办", "就这么办吧",
    "吧", "啊", "呀", "了", "的", "啦", "哦", "喔", "嘛", "呢", "没错", "就这么", "这样", "这样吧",
    "是这样", "是这么", "就是这么", "就是这样", "全对", "行了", "好了", "可以了", "要讲", "要说", "要交代",
    "要讲的", "要说的", "要交代的", "别的", "其他的", "特别的", "快点", "帮我弄", "帮我设", "帮我约", "帮我订",
})
_SPLIT = re.compile(r"[\s,，。.!！?？、;；~～…]+")
_TRAILING = "吧啊呀啦哦喔嘛了的"


def _parts(text: str) -> list[str]:
    return [p for p in _SPLIT.split(text or "") if p]


def _polarity(part: str) -> str | None:
    for candidate in (part, part.rstrip(_TRAILING)):
        if candidate in YES:
            return "yes"
        if candidate in NO:
            return "no"
    return None


def _split_head(part: str) -> tuple[str | None, str]:
    """行就这样吧 (no space, as a speaker hears it) → ('yes', '就这样吧')."""
    for size in range(min(len(part), 6), 0, -1):
        head = _polarity(part[:size])
        if head is not None:
            return head, part[size:]
    return None, part


def yes_no(text: str) -> str | None:
    """'yes', 'no', or None when the message is more than a yes or a no."""
    parts = _parts(text)
    if not parts or sum(len(p) for p in parts) > 24:
        return None
    verdict, rest = _split_head(parts[0])
    if verdict is None:
        return None
    for part in ([rest] if rest else []) + parts[1:]:
        if part in TAILS or part.rstrip(_TRAILING) in TAILS or not part.rstrip(_TRAILING):
            continue
        if _polarity(part) == verdict:
            continue
        head, tail = _split_head(part)
        if head == verdict and (not tail or tail in TAILS):
            continue
        return None
    return verdict


def starts_with_yes(text: str) -> bool:
    """对 / 是的 first, whatever follows (是的 就早上八点: a yes that restates)."""
    parts = _parts(text)
    return bool(parts) and _split_head(parts[0])[0] == "yes"
