"""Held-out sets stay apart from training: the check every evaluation runs first.

A held-out line counts as seen when, after NFKC, lower-casing and dropping
spaces and punctuation, it equals a line of the training data (the NLU
examples in ``nlu/data``, the emergency scorer's ``train.tsv``/``train2.tsv``)
or of the tuning data (``nlu/emergency/dev.tsv``, which chose the
thresholds).  An evaluation refuses to run while any is seen: a figure
measured on lines the system learnt from proves nothing.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMERGENCY = ROOT / "nlu" / "emergency"
TUNING_FILES = (EMERGENCY / "train.tsv", EMERGENCY / "train2.tsv", EMERGENCY / "dev.tsv")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


class Contaminated(RuntimeError):
    """A held-out line is in the training or tuning data."""


def key(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def seen_lines() -> dict[str, str]:
    """key → where it was seen, for every training and tuning line."""
    from nlu.emergency.model import nlu_examples

    seen: dict[str, str] = {}
    for intent, text in nlu_examples():
        seen.setdefault(key(text), f"nlu/data ({intent})")
    for path in TUNING_FILES:
        for row in read_tsv(path):
            seen.setdefault(key(row["text"]), f"nlu/emergency/{path.name} ({row['id']})")
    return seen


def overlaps(texts: list[str]) -> list[tuple[str, str]]:
    """(held-out text, where it was seen) for every held-out line already seen."""
    seen = seen_lines()
    return [(t, seen[key(t)]) for t in texts if key(t) in seen]


def refuse_if_seen(texts: list[str], name: str) -> None:
    found = overlaps(texts)
    if found:
        lines = "\n".join(f"  {t}  ←  {where}" for t, where in found[:20])
        raise Contaminated(
            f"{len(found)} line(s) of {name} appear in the training or tuning data; "
            f"remove them from the training side (never from the held-out set):\n{lines}")
