"""Schema of a policy topic file, and loading of all topic files.

One YAML file per topic under ``knowledge/policies/``.  Validation errors name
the file and the field, so a content editor can fix them without reading code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

POLICY_DIR = Path(__file__).resolve().parent / "policies"

#: Regions a topic may belong to, as the sources name them.
REGIONS = ("全国", "广东", "肇庆", "广州荔湾", "江阴", "H市")
#: Where a topic's facts come from.  Mixed topics list the general facts.
BASES = ("seed", "national-general-knowledge", "seed+national-general-knowledge")
SPOKEN_MAX_CHARS = 60
REQUIRED = (
    "id", "title", "aliases", "spoken", "text", "who_qualifies", "how_to_apply",
    "provides", "region", "region_phrase", "source", "date", "basis",
)
OPTIONAL = ("general_knowledge",)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE = re.compile(r"^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$")
_SPACE = re.compile(r"\s+")


class TopicError(ValueError):
    """A topic file breaks the schema; the message names file and field."""


@dataclass(frozen=True)
class Topic:
    """One policy topic, as read from its file."""

    id: str
    title: str
    aliases: tuple[str, ...]
    spoken: str
    text: str
    who_qualifies: tuple[str, ...]
    how_to_apply: tuple[str, ...]
    provides: tuple[str, ...]
    region: str
    region_phrase: str
    source: str
    date: str
    basis: str
    general_knowledge: tuple[str, ...] = field(default=())


def spoken_length(text: str) -> int:
    """Characters a speaker will read: whitespace does not count."""
    return len(_SPACE.sub("", text))


def _as_list(where: str, name: str, value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise TopicError(f"{where}: field '{name}' must be a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise TopicError(f"{where}: field '{name}' has an empty or non-string item")
    return tuple(item.strip() for item in value)


def _as_text(where: str, name: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TopicError(f"{where}: field '{name}' must be a non-empty string")
    return value.strip()


def validate(data: dict, where: str = "<topic>") -> Topic:
    """Check one topic's mapping and build a :class:`Topic`, or raise TopicError."""
    if not isinstance(data, dict):
        raise TopicError(f"{where}: a topic file must be a mapping")
    missing = [name for name in REQUIRED if name not in data]
    if missing:
        raise TopicError(f"{where}: missing field(s): {', '.join(missing)}")
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise TopicError(f"{where}: unknown field(s): {', '.join(unknown)}")
    values = {name: data[name] for name in REQUIRED}
    topic_id = _as_text(where, "id", values["id"])
    if not _ID.match(topic_id):
        raise TopicError(f"{where}: id '{topic_id}' must be an ascii slug (a-z, 0-9, _)")
    spoken = _as_text(where, "spoken", values["spoken"])
    if spoken_length(spoken) > SPOKEN_MAX_CHARS:
        raise TopicError(
            f"{where}: spoken is {spoken_length(spoken)} characters, "
            f"the limit is {SPOKEN_MAX_CHARS}"
        )
    region = _as_text(where, "region", values["region"])
    if region not in REGIONS:
        raise TopicError(f"{where}: unknown region '{region}', expected one of {REGIONS}")
    date = str(values["date"]).strip()
    if date != "undated" and not _DATE.match(date):
        raise TopicError(f"{where}: date '{date}' must be YYYY, YYYY-MM or 'undated'")
    basis = _as_text(where, "basis", values["basis"])
    if basis not in BASES:
        raise TopicError(f"{where}: unknown basis '{basis}', expected one of {BASES}")
    general = data.get("general_knowledge") or []
    if "national-general-knowledge" in basis and not general:
        raise TopicError(
            f"{where}: basis '{basis}' needs 'general_knowledge' listing the facts "
            "that do not come from the seed papers"
        )
    return Topic(
        id=topic_id,
        title=_as_text(where, "title", values["title"]),
        aliases=_as_list(where, "aliases", values["aliases"]),
        spoken=spoken,
        text=_SPACE.sub("", _as_text(where, "text", values["text"])),
        who_qualifies=_as_list(where, "who_qualifies", values["who_qualifies"]),
        how_to_apply=_as_list(where, "how_to_apply", values["how_to_apply"]),
        provides=_as_list(where, "provides", values["provides"]),
        region=region,
        region_phrase=_as_text(where, "region_phrase", values["region_phrase"]),
        source=_as_text(where, "source", values["source"]),
        date=date,
        basis=basis,
        general_knowledge=_as_list(where, "general_knowledge", general) if general else (),
    )


def load_topic(path: Path) -> Topic:
    """Read and validate one topic file; its id must match the file name."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    topic = validate(data, where=path.name)
    if topic.id != path.stem:
        raise TopicError(f"{path.name}: id '{topic.id}' must match the file name")
    return topic


def load_topics(directory: Path = POLICY_DIR) -> list[Topic]:
    """Load every ``*.yml`` topic in ``directory``; ids must be unique."""
    topics = [load_topic(path) for path in sorted(Path(directory).glob("*.yml"))]
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise TopicError(f"duplicate topic id '{topic.id}'")
        seen.add(topic.id)
    return topics
