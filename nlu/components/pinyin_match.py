"""Pinyin-tolerant matcher: 新内科 → 心内科, 二甲双规 → 二甲双胍, 珠浴 → 助浴.

ASR writes what it hears: the right sound with the wrong character. This
matcher compares toneless pinyin (pypinyin, imported lazily) with fuzzy
initials/finals (zh≈z, n≈l, in≈ing, ...) against canonical department,
home-service and medication names, and

* normalises the value of ``department``/``service_type``/``medication`` entities
  that DIET found (the component is added to their ``processors``), and
* finds those names in the text when DIET missed them (extractor: PinyinMatcher).

The lexicon comes from the training data's lookup tables and synonyms (so
``nlu/data/lookups/*.yml`` and ``nlu/data/synonyms.yml``), is persisted with the
model, and falls back to :data:`BUILTIN` so nothing depends on those files.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import add_processor, merge_entities, overlaps

logger = logging.getLogger(__name__)

ENTITY_TYPES = ("department", "service_type", "medication")
BUILTIN: dict[str, list[str]] = {
    "department": [
        "心内科", "内分泌科", "神经内科", "呼吸内科", "消化内科", "骨科", "眼科", "耳鼻喉科",
        "口腔科", "皮肤科", "老年科", "全科", "中医科", "康复科", "泌尿外科", "普外科",
    ],
    "service_type": [
        "助浴", "助餐", "助洁", "保洁", "上门护理", "理发", "陪诊", "康复训练", "家政",
        "送餐", "代购", "助行", "上门体检",
    ],
    "medication": [
        "二甲双胍", "阿司匹林", "硝苯地平", "氨氯地平", "阿托伐他汀", "胰岛素", "降压药",
        "格列美脲", "阿卡波糖", "速效救心丸", "硝酸甘油", "瑞舒伐他汀", "缬沙坦",
        "美托洛尔", "华法林", "氯吡格雷",
    ],
}
FUZZY_INITIALS = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "r": "l", "f": "h"}
FUZZY_FINALS = {"ing": "in", "eng": "en", "ang": "an", "iang": "ian", "uang": "uan"}
INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
            "j", "q", "x", "r", "z", "c", "s", "y", "w")
HAN = re.compile(r"[\u4e00-\u9fff]")
LEXICON_FILE = "pinyin_lexicon.json"

Lexicon = dict[str, dict[str, str]]  # entity type → {surface: canonical}


def _split(syllable: str) -> tuple[str, str]:
    initial = next((i for i in INITIALS if syllable.startswith(i)), "")
    return initial, syllable[len(initial) :]


def fuzzy(syllable: str) -> tuple[str, str]:
    """A syllable reduced to what a mishearing keeps (shi → si, ning → lin)."""
    initial, final = _split(syllable)
    return FUZZY_INITIALS.get(initial, initial), FUZZY_FINALS.get(final, final)


def pinyin(text: str) -> list[str]:
    """Toneless pinyin, one syllable per character (non-Chinese characters kept)."""
    from pypinyin import Style, lazy_pinyin  # lazy: loads its dictionary on import

    return lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars))


def syllable_cost(a: str, b: str) -> float:
    """0 same sound (fuzzy), 0.5 same initial or final, 1 different."""
    fa, fb = fuzzy(a), fuzzy(b)
    if fa == fb:
        return 0.0
    return 0.5 if fa[0] == fb[0] or fa[1] == fb[1] else 1.0


def word_cost(a: list[str], b: list[str]) -> float:
    """Syllable-by-syllable cost of two same-length words (inf when lengths differ)."""
    if len(a) != len(b):
        return float("inf")
    return sum(syllable_cost(x, y) for x, y in zip(a, b, strict=False))


def allowed_cost(length: int) -> float:
    """2 syllables: same sound only (牙科 is not 眼科); 3: one half-different; 4+: one different."""
    if length <= 2:
        return 0.0
    return 0.5 if length == 3 else 1.0


def build_lexicon(lookups: dict[str, list[str]], synonyms: dict[str, str]) -> Lexicon:
    """Surface → canonical per entity type, built-in names always included."""
    lexicon: Lexicon = {t: {name: name for name in BUILTIN[t]} for t in ENTITY_TYPES}
    for etype in ENTITY_TYPES:
        for surface in lookups.get(etype, []):
            surface = str(surface).strip()
            if surface:
                lexicon[etype][surface] = synonyms.get(surface, surface)
    for variant, canonical in synonyms.items():
        for etype in ENTITY_TYPES:
            if canonical in lexicon[etype].values():
                lexicon[etype].setdefault(variant, canonical)
    return lexicon


def load_lexicon_files(data_dir: str | Path = "nlu/data") -> Lexicon:
    """Lexicon straight from ``<data_dir>/lookups/*.yml`` and ``synonyms.yml`` (when present)."""
    data_dir = Path(data_dir)
    lookups: dict[str, list[str]] = {}
    synonyms: dict[str, str] = {}
    for path in sorted(data_dir.glob("lookups/*.yml")) + [data_dir / "synonyms.yml"]:
        if not path.is_file():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu", []) or []:
            names = [line.strip()[1:].strip() for line in str(item.get("examples", "")).splitlines()
                     if line.strip().startswith("-")]
            if "lookup" in item:
                lookups.setdefault(item["lookup"], []).extend(names)
            elif "synonym" in item:
                synonyms.update({n: str(item["synonym"]) for n in names})
    return build_lexicon(lookups, synonyms)


class PinyinIndex:
    """Canonical names of one lexicon, indexed by pinyin."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.entries = [
            (etype, surface, canonical, pinyin(surface))
            for etype, names in lexicon.items()
            for surface, canonical in names.items()
        ]

    def normalize(self, etype: str, value: str) -> str | None:
        """Canonical name for ``value`` of type ``etype``, or None when nothing is close."""
        value = value.strip()
        names = self.lexicon.get(etype, {})
        if value in names:
            return names[value]
        sounds = pinyin(value)
        best = min(
            ((word_cost(sounds, p), canonical) for t, _, canonical, p in self.entries if t == etype),
            default=(float("inf"), None),
        )
        return best[1] if best[0] <= allowed_cost(len(sounds)) else None

    def find(self, text: str) -> list[dict[str, Any]]:
        """Names said in ``text`` (exact, or misheard with at least half the characters right)."""
        sounds = pinyin(text) if len(pinyin(text)) == len(text) else None
        found: list[dict[str, Any]] = []
        for etype, surface, canonical, p in sorted(self.entries, key=lambda e: -len(e[1])):
            n = len(surface)
            if n < 2:
                continue
            for start in range(len(text) - n + 1):
                window = text[start : start + n]
                if not HAN.search(window) or any(overlaps(f, start, start + n) for f in found):
                    continue
                if window != surface:
                    same = sum(a == b for a, b in zip(window, surface, strict=False))
                    if sounds is None or same * 2 < n or \
                            word_cost(sounds[start : start + n], p) > allowed_cost(n):
                        continue
                found.append({"entity": etype, "value": canonical, "start": start,
                              "end": start + n, "text": window})
        return sorted(found, key=lambda f: f["start"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PinyinMatcher(GraphComponent, EntityExtractorMixin):
    """Normalises and finds department / service_type / medication names by sound."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # find_missing: also add names DIET did not tag; data_dir: read YAML files
        # at training time too (besides the training data's lookups and synonyms).
        return {"find_missing": True, "data_dir": None}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, lexicon: Lexicon | None = None) -> None:
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self.index = PinyinIndex(lexicon or build_lexicon({}, {}))

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> PinyinMatcher:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Collect names from the lookup tables and synonyms, and persist them."""
        lookups = {t["name"]: list(t.get("elements") or []) for t in training_data.lookup_tables
                   if isinstance(t.get("elements"), list)}
        lexicon = build_lexicon(lookups, dict(training_data.entity_synonyms))
        if self.component_config.get("data_dir"):
            for etype, names in load_lexicon_files(self.component_config["data_dir"]).items():
                for surface, canonical in names.items():
                    lexicon[etype].setdefault(surface, canonical)
        self.index = PinyinIndex(lexicon)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / LEXICON_FILE).write_text(json.dumps(lexicon, ensure_ascii=False),
                                                  encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> PinyinMatcher:
        lexicon = None
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = json.loads((directory / LEXICON_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError) as error:
            logger.warning("PinyinMatcher: no persisted lexicon (%s), using the built-in one", error)
        return cls(config, model_storage, resource, lexicon)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = list(message.get(ENTITIES, []) or [])
            for entity in entities:
                if entity.get("entity") not in ENTITY_TYPES:
                    continue
                canonical = self.index.normalize(entity["entity"], str(entity.get("value", "")))
                if canonical and canonical != entity.get("value"):
                    entity["value"] = canonical
                    add_processor(entity, self.name)
            message.set(ENTITIES, entities, add_to_output=True)
            if self.component_config.get("find_missing", True):
                text = message.get(TEXT) or ""
                missing = [
                    {**f, "extractor": self.name, "confidence_entity": 1.0}
                    for f in self.index.find(text)
                    if not any(overlaps(e, f["start"], f["end"]) for e in entities)
                ]
                if missing:
                    merge_entities(message, missing, set())
        return messages
