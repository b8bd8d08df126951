"""Chinese text to search tokens: normalise, expand synonyms, cut with jieba.

jieba is imported and its dictionary built only when the first text is cut,
never at import time.  A private ``jieba.Tokenizer`` is used so that the words
added here do not leak into other components' segmentation.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.yml"

STOP_WORDS = frozenset(
    """
    的 了 吗 呢 吧 啊 呀 嘛 么 哦 哈 啦 嗯 和 跟 与 及 或 或者 是 不是 有 没 没有 有没有
    能 能不能 能否 可以 可不可以 会 会不会 要 想 想要 需要 我 我们 你 你们 您 他 她 他们
    她们 它 咱 咱们 自己 这 那 这个 那个 这些 那些 这样 那样 哪 哪里 哪儿 哪些 什么 怎么
    怎么样 怎样 如何 为什么 为啥 多少 几 谁 啥 咋 就 都 也 还 又 再 在 给 让 把 被 对 从
    去 来 说 听说 一下 一个 一些 些 个 请问 问 问问 知道 现在 里 里面 上 下 中 等 其 之
    为 以 很 太 挺 真 就是 还是 但是 可是 所以 因为 如果 那么 然后 吧 不 不能 别 过 着
    老人 老年人 老年 家里 家人 情况 事 事情 东西 一 二 三
    """.split()
)

_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
log = logging.getLogger(__name__)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text.lower())


def load_synonyms(path: Path = SYNONYMS_FILE) -> dict[str, tuple[str, ...]]:
    """Canonical term -> variants, from ``synonyms.yml``."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    table = data.get("synonyms") or {}
    return {
        normalize(canonical): tuple(normalize(v) for v in variants or ())
        for canonical, variants in table.items()
    }


class Analyzer:
    """Turns a text into BM25 tokens, the same way for topics and questions."""

    def __init__(self, synonyms: dict[str, tuple[str, ...]], user_words: Iterable[str] = ()):
        self.synonyms = synonyms
        self._variants = sorted(
            ((variant, canonical) for canonical, vs in synonyms.items() for variant in vs),
            key=lambda pair: -len(pair[0]),
        )
        self._user_words = {normalize(w) for w in user_words if w}
        self._user_words.update(self.synonyms)
        self._user_words.update(v for v, _ in self._variants)
        self._jieba = None

    def _tokenizer(self):
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            for word in sorted(self._user_words):
                if len(word) > 1:
                    tokenizer.add_word(word, freq=20000)
            self._jieba = tokenizer
        return self._jieba

    def expansions(self, text: str) -> list[str]:
        """Canonical terms whose variants occur in ``text`` (longest first)."""
        found: list[str] = []
        for variant, canonical in self._variants:
            if variant and variant in text and canonical not in found:
                found.append(canonical)
        return found

    def tokens(self, text: str) -> list[str]:
        """Search-mode jieba tokens plus synonym expansions.

        Stop words and single characters are dropped: alone, 用/管/后/住 match
        almost any topic; meaningful single characters reach the index through
        the synonym table instead.
        """
        text = normalize(text)
        if not text:
            return []
        raw = list(self._tokenizer().cut_for_search(text))
        raw.extend(self.expansions(text))
        return [t for t in raw if len(t) > 1 and t not in STOP_WORDS and _KEEP.search(t)]
