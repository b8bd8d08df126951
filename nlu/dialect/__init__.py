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


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation: protected words map to themselves, forms to Mandarin."""
    table: dict[str, str] = {}
    for rule in rules():
        for word in rule.keep:
            table.setdefault(word, word)
    for rule in rules():
        table.setdefault(rule.form, rule.mandarin)
    alternation = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
    return re.compile(alternation), table


def to_mandarin(text: str) -> str:
    """``text`` with regional forms replaced by Mandarin, longest first."""
    if not text:
        return ""
    pattern, table = _pattern()
    return pattern.sub(lambda m: table[m.group(0)], text)
