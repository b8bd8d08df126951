"""Short names of the seed papers, so an answer can cite its source briefly.

These are bibliographic data (paper titles, shortened), not reply wording:
the wording around them lives in the domain's responses.
"""

from __future__ import annotations

from knowledge.schema import Topic

SEED_NAMES = {
    "jiangyin-integrated-care-model.txt": "江阴医养结合模式一文",
    "liwan-smart-platform-proposal.txt": "荔湾智能医养平台建议",
    "primary-care-institutions-integrated-care.txt": "基层医疗机构医养结合一文",
    "smart-community-integrated-care.txt": "智慧社区医养结合一文",
    "zhaoqing-community-integrated-care.txt": "肇庆社区医养结合一文",
}


def brief_source(topic: Topic, limit: int | None = None) -> str:
    """The seed papers a topic cites, by short name, in citation order."""
    cited = sorted((topic.source.index(file), name)
                   for file, name in SEED_NAMES.items() if file in topic.source)
    names = [name for _, name in cited][:limit]
    return "、".join(names) if names else topic.source


def brief_date(topic: Topic) -> str:
    """The topic's date, or empty when the source is undated."""
    return "" if topic.date == "undated" else topic.date
