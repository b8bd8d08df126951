"""Red flags in a reported symptom: words that need a doctor soon, or a safety question now.

Any group of words found together in the symptoms, the body parts and the
words said.  Words only, no diagnosis; the dialogue asks a safety question
and the records store alerts the signed doctor.
"""

from __future__ import annotations

CHEST = ("胸痛", "胸口痛", "胸口疼", "心口痛", "心口疼", "胸闷", "胸口闷", "压榨")
CHEST_WITH = ("出汗", "冒汗", "大汗", "冷汗", "气短", "喘不上气", "喘不过气", "呼吸困难", "憋气")
STROKE = ("半边", "一边身子", "一侧", "口角歪", "嘴歪", "说话不清", "说不清话", "口齿不清", "手脚不听使唤",
          "一只手没力", "一条腿没力", "偏瘫")
BREATH = ("喘不上气", "喘不过气", "呼吸困难", "憋得慌")
FAINT = ("晕倒", "昏倒", "昏过去", "意识不清", "叫不醒", "抽搐")


def red_flag(symptoms: list[str], body_parts: list[str], text: str = "") -> str | None:
    """"chest_pain", "stroke", "breathing", "fainting" or None (words only, no diagnosis)."""
    words = " ".join([*symptoms, *body_parts, text or ""])
    chest = any(w in words for w in CHEST) or (("疼痛" in symptoms or "痛" in words) and "胸" in words)
    if chest and any(w in words for w in CHEST_WITH):
        return "chest_pain"
    if any(w in words for w in STROKE):
        return "stroke"
    if any(w in words for w in FAINT):
        return "fainting"
    if any(w in words for w in BREATH) and ("重度" in symptoms or "厉害" in words or "严重" in words):
        return "breathing"
    return None
