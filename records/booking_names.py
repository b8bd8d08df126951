"""Names as people say them → the clinic's names: 看心脏的 → 心内科, 刘医生 → 刘心怡.

The NLU pinyin matcher already normalises what it can; this is the store's
side: aliases kept with each department, doctors' names, the elder's signed
family doctor, and the closest names when nothing matches.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.tables import Department, Doctor, ElderProfile, Person

DOCTOR_WORDS = ("医生", "大夫", "主任", "教授", "医师")
FAMILY_DOCTOR_WORDS = ("家庭医生", "签约医生", "我的医生")


@dataclass(frozen=True)
class Resolution:
    """A department or doctor as the clinic knows it, or the closest ones."""

    name: str | None
    candidates: tuple[str, ...] = ()
    doctor_id: int | None = None
    department: str | None = None


def _closest(text: str, names: dict[str, str], limit: int = 3) -> tuple[str, ...]:
    """Canonical names whose name or everyday alias looks most like ``text``."""
    scored: dict[str, float] = {}
    for surface, canonical in names.items():
        ratio = difflib.SequenceMatcher(None, text, surface).ratio()
        scored[canonical] = max(scored.get(canonical, 0.0), ratio)
    ranked = sorted(scored, key=lambda name: (-scored[name], name))
    return tuple(ranked[:limit])


def department_names(session: Session) -> dict[str, str]:
    """Every surface form (name and aliases) → canonical department name."""
    names: dict[str, str] = {}
    for dept in session.execute(select(Department)).scalars():
        names[dept.name] = dept.name
        for alias in dept.aliases.split():
            names.setdefault(alias, dept.name)
    return names


def clinic_departments(session: Session) -> list[str]:
    """The departments this clinic has, in a stable order."""
    return list(session.execute(select(Department.name).order_by(Department.id)).scalars())


def resolve_department(session: Session, text: str) -> Resolution:
    """心内科/看心脏 → 心内科; 呼吸内科 (not in this clinic) → closest ones."""
    text = (text or "").strip()
    names = department_names(session)
    if text in names:
        return Resolution(names[text])
    contained = sorted((s for s in names if s in text), key=len, reverse=True)
    if contained:
        return Resolution(names[contained[0]])
    return Resolution(None, _closest(text, names))


def resolve_doctor(session: Session, text: str, elder_id: int | None = None) -> Resolution:
    """刘医生 → 刘心怡 (心内科); 家庭医生 → the elder's signed doctor."""
    text = (text or "").strip()
    rows = session.execute(
        select(Doctor.id, Person.id, Person.name, Department.name)
        .join(Person, Person.id == Doctor.person_id)
        .join(Department, Department.id == Doctor.department_id)
    ).all()
    if any(word in text for word in FAMILY_DOCTOR_WORDS) and elder_id is not None:
        profile = session.get(ElderProfile, elder_id)
        signed = profile.signed_doctor_id if profile else None
        rows = [row for row in rows if row[1] == signed]
        if rows:
            return Resolution(rows[0][2], doctor_id=rows[0][0], department=rows[0][3])
        return Resolution(None)
    core = text
    for word in DOCTOR_WORDS:
        core = core.replace(word, "")
    matches = [row for row in rows if core and (row[2] == core or row[2].startswith(core))]
    if len(matches) == 1:
        doctor_id, _, name, dept = matches[0]
        return Resolution(name, doctor_id=doctor_id, department=dept)
    return Resolution(None, tuple(row[2] for row in matches))


# "看看心脏" names a body part, not a clinic: the department that sees it.
BODY_PART_DEPARTMENT = {
    "心脏": "心内科", "心": "心内科", "心口": "心内科", "胸口": "心内科",
    "眼睛": "眼科", "眼": "眼科", "牙": "口腔科", "牙齿": "口腔科", "嘴": "口腔科",
    "腰": "骨科", "腿": "骨科", "膝盖": "骨科", "骨头": "骨科", "关节": "骨科", "颈椎": "骨科",
    "脖子": "骨科", "肩膀": "骨科", "脚": "骨科", "手": "骨科",
    "脑子": "神经内科", "脑袋": "神经内科", "头": "神经内科",
    "胃": "消化内科", "肚子": "消化内科", "肺": "呼吸内科", "气管": "呼吸内科",
    "皮肤": "皮肤科", "耳朵": "耳鼻喉科", "鼻子": "耳鼻喉科", "喉咙": "耳鼻喉科", "嗓子": "耳鼻喉科",
}


def department_for_body_part(part: str | None) -> str | None:
    return BODY_PART_DEPARTMENT.get((part or "").strip())
