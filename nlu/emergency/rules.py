"""Emergency rules: does this utterance say someone needs help now?

Built for recall: a missed emergency is the worst defect Anxin can have, so an
ambiguous utterance fires. A trigger is silenced only by a clear cue in its own
clause: negation right before it (没摔倒), the past (去年摔过), the hypothetical
or feared (怕摔倒, 万一中风), a habit (老是起不来), an informational question
(摔倒了医保报不报), or a resolution after it (现在好多了). 救命 always fires.

Pure logic, no Rasa import (the speaker's offline check calls the same
:func:`detect`): :func:`normalize`, :func:`analyse`, :func:`detect`. The Rasa
wrapper is ``nlu.components.emergency.EmergencyDetector``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlu.emergency import lexicon as lex

PREFIX_WINDOW = 14  # characters before a trigger in which a past/hypothetical cue counts
UNLESS_WINDOW = 6  # characters around a trigger in which a look-alike cue counts


@dataclass(frozen=True)
class Candidate:
    """A trigger found in the text, and why it was silenced (None: it fires)."""

    category: str
    trigger: str
    start: int
    end: int
    suppressed_by: str | None = None

    @property
    def fires(self) -> bool:
        return self.suppressed_by is None


@lru_cache(maxsize=1)
def _compiled() -> dict[str, Any]:
    """Compile the lexicon once, on first use."""
    return {
        "triggers": [
            (t, re.compile(t.pattern), re.compile(t.unless) if t.unless else None)
            for t in lex.TRIGGERS
        ],
        "homophones": re.compile(
            "|".join(map(re.escape, sorted(lex.HOMOPHONES, key=len, reverse=True)))
        ),
        "split": re.compile(lex.CLAUSE_SPLIT),
        "mask": re.compile(lex.MASKS),
        "negation": re.compile(
            r"(?:(?<!有)没有|并没有|(?<!有)没|(?<!是)不是|不用|不要|不必|"
            r"(?<!是)不(?![了住来去清动行起上下出见着到是])|未|别|无)"
            r"(?:[太怎再真是曾会]|有)?$"
        ),
        "past": re.compile(lex.PAST),
        "hypothetical": re.compile(lex.HYPOTHETICAL),
        "habitual": re.compile(lex.HABITUAL),
        "info_strong": re.compile(lex.INFO_STRONG),
        "info_weak": re.compile(lex.INFO_WEAK),
        "present": re.compile(lex.PRESENT),
        "chronic_after": re.compile(lex.CHRONIC_AFTER),
        "new_sentence": re.compile(lex.NEW_SENTENCE),
        "urgent": re.compile(lex.URGENT),
        "resolved": re.compile(lex.RESOLVED),
        "hypo_groups": [re.compile(g) for g in lex.HYPO_GROUPS],
    }


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, cheap ASR homophone fixes."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    c = _compiled()
    return c["homophones"].sub(lambda m: lex.HOMOPHONES[m.group(0)], text)


def _clauses(text: str) -> list[tuple[int, str]]:
    """Split into (offset, clause) at punctuation, spaces and 但是-like turns."""
    out, pos = [], 0
    for m in _compiled()["split"].finditer(text):
        if m.start() > pos:
            out.append((pos, text[pos : m.start()]))
        pos = m.end()
    if pos < len(text):
        out.append((pos, text[pos:]))
    return out


def _cue_before(regex: re.Pattern[str], prefix: str) -> bool:
    """A cue in the last PREFIX_WINDOW chars, not cancelled by a later present marker."""
    window = prefix[-PREFIX_WINDOW:]
    matches = list(regex.finditer(window))
    if not matches:
        return False
    return not _compiled()["present"].search(window[matches[-1].end() :])


def _info_reaches(regex: re.Pattern[str], clause: str, start: int, end: int) -> bool:
    """An informational cue in the clause with no new sentence between it and the trigger."""
    starter = _compiled()["new_sentence"]
    for m in regex.finditer(clause):
        between = clause[m.end() : start] if m.end() <= start else clause[end : m.start()]
        if m.start() < end and m.end() > start:
            between = ""
        if not starter.search(between):
            return True
    return False


def _suppression(trigger: lex.Trigger, unless: re.Pattern[str] | None,
                 text: str, offset: int, clause: str, start: int, end: int) -> str | None:
    """Why this trigger occurrence must not fire, or None when it fires.

    ``text`` is the whole masked utterance, ``clause`` the part starting at
    ``offset`` in which the trigger spans [start, end).
    """
    if trigger.absolute:
        return None
    c = _compiled()
    prefix, suffix = clause[:start], clause[end:]
    a_start, a_end = offset + start, offset + end
    rest = text[a_end:]
    if unless is not None and (
        unless.search(text[max(0, a_start - UNLESS_WINDOW) : a_start])
        or unless.search(text[a_end : a_end + UNLESS_WINDOW])
    ):
        return "look-alike"
    if c["negation"].search(prefix):
        return "negation"
    urgent = bool(c["urgent"].search(clause))
    if not urgent and _info_reaches(c["info_strong"], clause, start, end):
        return "informational"
    if not urgent and trigger.topic and (
        _info_reaches(c["info_weak"], clause, start, end)
        or _info_reaches(c["info_strong"], text, a_start, a_end)
    ):
        return "informational"
    if _cue_before(c["past"], prefix) or re.match(r"过(?!去|来)", suffix):
        return "past"
    if _cue_before(c["hypothetical"], prefix) or "的话" in suffix[:4]:
        return "hypothetical"
    if _cue_before(c["habitual"], prefix) or c["chronic_after"].search(suffix[:6]):
        return "habitual"
    if not urgent and c["resolved"].search(rest):
        return "resolved"
    return None


def _hypo_cluster(text: str) -> Candidate | None:
    """Three of four hypoglycaemia symptom groups (手抖 出冷汗 心慌 头晕)."""
    c = _compiled()
    found = [m for g in c["hypo_groups"] if (m := g.search(text))]
    if len(found) < 3:
        return None
    first = min(found, key=lambda m: m.start())
    words = "+".join(m.group(0) for m in sorted(found, key=lambda m: m.start()))
    reason = None
    if c["info_strong"].search(text) or _cue_before(c["hypothetical"], text[: first.start()]):
        reason = "hypothetical-or-informational"
    elif _cue_before(c["past"], text[: first.start()]) or c["negation"].search(text[: first.start()]):
        reason = "past-or-negation"
    end = max(m.end() for m in found)
    return Candidate("hypoglycaemia", words, first.start(), end, reason)


def analyse(text: str) -> list[Candidate]:
    """Every trigger occurrence in ``text``, fired or silenced, in text order."""
    norm = normalize(text)
    c = _compiled()
    masked = c["mask"].sub(lambda m: "□" * len(m.group(0)), norm)
    out: list[Candidate] = []
    for offset, clause in _clauses(masked):
        for trigger, regex, unless in c["triggers"]:
            for m in regex.finditer(clause):
                if not m.group(0):
                    continue
                reason = _suppression(trigger, unless, masked, offset, clause, m.start(), m.end())
                out.append(
                    Candidate(trigger.category, norm[offset + m.start() : offset + m.end()],
                              offset + m.start(), offset + m.end(), reason)
                )
    cluster = _hypo_cluster(masked)
    if cluster is not None:
        out.append(cluster)
    out.sort(key=lambda cand: (cand.start, -cand.end))
    return out


def detect(text: str) -> dict[str, Any] | None:
    """The emergency reason for ``text``, or None.

    Returns ``{"category", "trigger", "categories", "triggers"}``: the first
    firing trigger, then every firing category and trigger (no duplicates).
    """
    fired = [cand for cand in analyse(text) if cand.fires]
    if not fired:
        return None
    categories = list(dict.fromkeys(cand.category for cand in fired))
    triggers = list(dict.fromkeys(cand.trigger for cand in fired))
    return {
        "category": fired[0].category,
        "trigger": fired[0].trigger,
        "categories": categories,
        "triggers": triggers,
    }
