"""Cantonese- and Wu-flavoured Chinese → the Mandarin the NLU was trained on.

The table (``table.tsv``, one row per form with its sources) is what elders in
Zhaoqing, Liwan and Jiangyin say and type: 跌低咗 → 摔倒了, 冇 → 没有,
亲娘 → 奶奶.  :func:`to_mandarin` replaces the longest form first.  A row's
``context`` lists the words it must not touch ("keep 银行/行业…",
"do NOT replace inside 系统/关系…"); a one-character form whose context says
"only …" with no such list is too ambiguous to replace blindly and is left
alone.  ``asr_homophones.tsv`` fixes what a speech recogniser mishears
(就命 → 救命).

Pure logic, no Rasa: the speaker's offline check uses it too.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_KEEP = re.compile(r"(?:keep(?: verb| TCM noun)?|NOT replace inside)\s+([^;(]+)")


@dataclass(frozen=True)
class Rule:
    form: str
    mandarin: str
    keep: tuple[str, ...]


def _keep_words(form: str, context: str) -> tuple[str, ...]:
    """The protected words a row's context names (those containing the form)."""
    words: list[str] = []
    for m in _KEEP.finditer(context):
        for chunk in m.group(1).split("/"):
            words += [w for w in _CJK.findall(chunk) if form in w and w != form]
    return tuple(dict.fromkeys(words))


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The table's usable rows, longest form first."""
    out: dict[str, Rule] = {}
    with (HERE / "table.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            form, mandarin = row["form"].strip(), row["mandarin"].strip()
            context = row.get("context") or ""
            if not form or not mandarin or form in out or form == mandarin:
                continue
            keep = _keep_words(form, context)
            if len(form) == 1 and context.lstrip().startswith("only") and not keep:
                continue
            if "do NOT replace in" in context and not keep:
                continue
            out[form] = Rule(form, mandarin, keep)
    with (HERE / "asr_homophones.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            heard, meant = row["heard"].strip(), row["meant"].strip()
            if heard and meant and heard not in out:
                out[heard] = Rule(heard, meant, ())
    return tuple(sorted(out.values(), key=lambda r: -len(r.form)))


# A one-character form is often a Mandarin character too (得 in 记得/痛得要命,
# 紧 in 要紧, 垃 in 垃圾).  Every common Mandarin word of jieba's dictionary
# (its own word list, frequency >= MIN_WORD_FREQ) that holds such a form is
# protected, unless that word is itself a regional form of the table.
MIN_WORD_FREQ = 50
# Forms replaced only where they stand alone: Cantonese 得 = 可以 is an answer
# (得 就咁 / 唔得), while Mandarin's V得 complements (痛得要命, 走得动) are everywhere.
ALONE_ONLY = frozenset({"得"})
# Cantonese V紧 = 正在V (滴紧水); after these (胸口好紧, 发紧, 抓紧) it is Mandarin 紧.
_TIGHT_BEFORE = frozenset("好很发太咁几真抓要收绷赶加握拉扎得着更最有点")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


WORDS_FILE = HERE / "mandarin_words.txt"


def build_mandarin_words() -> list[str]:
    """From jieba's own dictionary (``jieba/dict.txt``, MIT): the common words
    (2–4 characters, frequency >= MIN_WORD_FREQ) holding a one-character form."""
    import jieba  # only here: the speaker reads the file, never jieba

    forms = {rule.form for rule in rules() if len(rule.form) == 1}
    words: set[str] = set()
    with (Path(jieba.__file__).resolve().parent / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and 2 <= len(parts[0]) <= 4 and parts[1].isdigit() \
                    and int(parts[1]) >= MIN_WORD_FREQ and any(c in forms for c in parts[0]):
                words.add(parts[0])
    return sorted(words)


def write_mandarin_words() -> None:
    """Regenerate ``mandarin_words.txt`` (after a one-character form is added)."""
    header = ("# Mandarin words protected from the one-character regional forms of table.tsv.\n"
              "# Source: jieba's dictionary (github.com/fxsjy/jieba, jieba/dict.txt, MIT), words of\n"
              f"# 2-4 characters with frequency >= {MIN_WORD_FREQ}.  Regenerate: "
              "python -c 'from nlu.dialect import write_mandarin_words; write_mandarin_words()'\n")
    WORDS_FILE.write_text(header + "\n".join(build_mandarin_words()) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def mandarin_words() -> tuple[str, ...]:
    """The protected Mandarin words (``mandarin_words.txt``)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation: protected words map to themselves, forms to Mandarin."""
    table: dict[str, str] = {}
    for rule in rules():
        for word in rule.keep:
            table.setdefault(word, word)
    for rule in rules():
        table.setdefault(rule.form, rule.mandarin)
    for word in mandarin_words():
        table.setdefault(word, word)
    alternation = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
    return re.compile(alternation), table


def _stands_alone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not _CJK_CHAR.match(before or " ") and (not after or not _CJK_CHAR.match(after) or after in "啦喇嘅㗎呀啊")


def to_mandarin(text: str) -> str:
    """``text`` with regional forms replaced by Mandarin, longest first."""
    if not text:
        return ""
    pattern, table = _pattern()

    def replace(m: re.Match[str]) -> str:
        form = m.group(0)
        if form in ALONE_ONLY and not _stands_alone(text, m.start(), m.end()):
            return form
        if form == "紧" and (m.start() == 0 or text[m.start() - 1] in _TIGHT_BEFORE
                             or m.end() == len(text) or not _CJK_CHAR.match(text[m.end()])):
            return form
        return table[form]

    return pattern.sub(replace, text)
