"""``anxin seed-demo``: the demo community of the design contract.

A community in Zhaoqing (肇庆) in which the REST sender ``demo-elder`` is an
elder with a bound daughter and son, a signed family doctor and a community
worker; nine departments with doctors and two weeks of clinic sessions; the
home-service catalogue; and upcoming lectures.  Idempotent: running it again
adds only what is missing (e.g. the schedule's new days), never duplicates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import TIMEZONE
from records.people import add_identity, hash_token
from records.tables import (
    Department,
    Device,
    Doctor,
    ElderProfile,
    FamilyLink,
    HomeService,
    Lecture,
    Person,
    ScheduleSlot,
)

DEMO_DEVICE_ID = "demo-speaker"

# (department, everyday names, [(doctor, title)])
DEPARTMENTS = [
    ("全科", "家庭医生 全科门诊 普通门诊 看个病", [("陈建华", "主治医师")]),
    ("心内科", "看心脏 心脏科 心血管 心血管科 看心脏的", [("刘心怡", "主任医师"), ("黄伟", "主治医师")]),
    ("内分泌科", "看糖尿病 糖尿病科 看血糖", [("周丽", "副主任医师")]),
    ("神经内科", "看脑子 神经科 脑科", [("吴强", "主治医师")]),
    ("骨科", "看骨头 腰腿疼 骨伤科", [("郑勇", "副主任医师")]),
    ("眼科", "看眼睛 眼睛科", [("孙芳", "主治医师")]),
    ("口腔科", "看牙 牙科 牙医", [("马林", "主治医师")]),
    ("中医科", "看中医 中医 针灸", [("何志明", "主任医师")]),
    ("康复科", "康复 做康复 理疗科", [("林静", "主治医师")]),
]

HOME_SERVICES = [
    ("上门护理", "护士上门 上门打针 换药", "护士上门测血压、换药、打针和护理指导。", 60, "按医保和长护险规定结算"),
    ("助餐", "送餐 送饭 老人饭堂 助餐配送", "社区长者饭堂配餐，可以送餐上门。", 30, "按社区助餐标准收费"),
    ("助浴", "洗澡 帮忙洗澡 上门洗澡", "两名助浴员上门协助洗澡，注意防滑。", 90, "按次收费"),
    ("保洁", "打扫卫生 搞卫生 清洁", "上门打扫居室卫生。", 120, "按时长收费"),
    ("康复理疗", "理疗 康复训练 推拿", "康复师上门做康复训练和理疗。", 60, "部分项目可医保报销"),
    ("理发", "剪头发 上门理发", "理发师上门理发。", 30, "按次收费"),
    ("陪诊", "陪同看病 陪同就医 陪看病", "陪同老人去医院就诊、取药。", 180, "按时长收费"),
]

LECTURES = [
    ("高血压的日常管理", "高血压", "陈建华医生", 5, 9, "社区卫生服务中心三楼会议室", 40,
     "陈医生讲怎样在家量血压、按时吃药，以及饮食要少盐。"),
    ("防跌倒，居家更安全", "防跌倒", "林静康复师", 8, 15, "康乐社区长者之家活动室", 30,
     "康复师讲家里怎样防滑、起身要慢，摔倒了怎么办。"),
    ("糖尿病饮食怎么吃", "糖尿病", "周丽医生", 12, 9, "社区卫生服务中心三楼会议室", 40,
     "周医生讲糖尿病老人一日三餐怎么搭配，血糖怎么监测。"),
]

SCHEDULE_DAYS = 14
CAPACITY = {"morning": 12, "afternoon": 8}


@dataclass
class SeedReport:
    created: int = 0

    def add(self, session: Session, obj):
        session.add(obj)
        session.flush()
        self.created += 1
        return obj


def _person(session: Session, report: SeedReport, role: str, name: str, phone: str) -> Person:
    found = session.execute(
        select(Person).where(Person.role == role, Person.name == name, Person.phone == phone)
    ).scalar_one_or_none()
    return found or report.add(session, Person(role=role, name=name, phone=phone))


def _local_today(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


def seed_demo(session: Session, device_token: str, timezone: str = TIMEZONE) -> int:
    """Create what is missing of the demo community; returns how many rows were added."""
    from records.service_orders import seed_demo_providers

    report = SeedReport()
    today = _local_today(timezone)
    elder, family_doctor = _seed_people(session, report)
    _seed_device(session, report, elder, device_token)
    _seed_clinic(session, report, family_doctor, today)
    _seed_services(session, report)
    _seed_lectures(session, report, today, ZoneInfo(timezone))
    report.created += seed_demo_providers(session)
    return report.created


def _seed_people(session: Session, report: SeedReport) -> tuple[Person, Person]:
    """The elder with her worker, signed doctor, daughter and son; returns (elder, doctor)."""
    worker = _person(session, report, "worker", "张敏", "13800000004")
    family_doctor = _person(session, report, "doctor", "陈建华", "13800000003")
    elder = _person(session, report, "elder", "王秀兰", "13800000001")
    if session.get(ElderProfile, elder.id) is None:
        report.add(session, ElderProfile(
            person_id=elder.id, birth_year=1947, address="肇庆市端州区城东街道康乐社区3栋201",
            community="康乐社区", voice_language="cmn", speech_rate=130, signed_doctor_id=family_doctor.id,
            worker_id=worker.id, checkin_time="08:30",
            emergency_notes="高血压、2型糖尿病，吃降压药和二甲双胍；门口钥匙盒密码 2580",
        ))
    add_identity(session, elder.id, "demo-elder")
    add_identity(session, family_doctor.id, "wechat:demo-doctor")
    add_identity(session, worker.id, "demo-worker")
    daughter = _person(session, report, "family", "李娜", "13800000002")
    son = _person(session, report, "family", "李强", "13800000005")
    links = [
        (daughter, "女儿", "appointments health_summary alerts", 1, ["wechat:demo-daughter", "demo-daughter"]),
        (son, "儿子", "alerts", 2, ["telegram:100200300"]),
    ]
    for member, relation, scopes, priority, senders in links:
        link = session.execute(
            select(FamilyLink).where(FamilyLink.elder_id == elder.id, FamilyLink.family_id == member.id)
        ).scalar_one_or_none()
        if link is None:
            report.add(session, FamilyLink(elder_id=elder.id, family_id=member.id, relation=relation,
                                           consent_scopes=scopes, priority=priority))
        for sender in senders:
            add_identity(session, member.id, sender)
    return elder, family_doctor


def _seed_device(session: Session, report: SeedReport, elder: Person, device_token: str) -> None:
    device = session.execute(select(Device).where(Device.device_id == DEMO_DEVICE_ID)).scalar_one_or_none()
    if device is None:
        report.add(session, Device(device_id=DEMO_DEVICE_ID, elder_id=elder.id, token_hash=hash_token(device_token)))
    elif device_token and device.token_hash != hash_token(device_token):
        device.token_hash = hash_token(device_token)


def _seed_clinic(session: Session, report: SeedReport, family_doctor: Person, today: dt.date) -> None:
    phone = 13900000000
    for dept_name, aliases, doctors in DEPARTMENTS:
        dept = session.execute(select(Department).where(Department.name == dept_name)).scalar_one_or_none()
        dept = dept or report.add(session, Department(name=dept_name, aliases=aliases))
        for doctor_name, title in doctors:
            phone += 1
            person = family_doctor if doctor_name == family_doctor.name else _person(
                session, report, "doctor", doctor_name, str(phone)
            )
            doctor = session.execute(select(Doctor).where(Doctor.person_id == person.id)).scalar_one_or_none()
            doctor = doctor or report.add(session, Doctor(person_id=person.id, department_id=dept.id, title=title))
            _ensure_schedule(session, report, doctor, today)


def _seed_services(session: Session, report: SeedReport) -> None:
    for name, aliases, description, minutes, price in HOME_SERVICES:
        if session.execute(select(HomeService).where(HomeService.name == name)).scalar_one_or_none() is None:
            report.add(session, HomeService(name=name, aliases=aliases, description=description,
                                            duration_minutes=minutes, price_note=price))


def _seed_lectures(session: Session, report: SeedReport, today: dt.date, tz: ZoneInfo) -> None:
    for title, topic, speaker, days_ahead, hour, place, capacity, summary in LECTURES:
        if session.execute(select(Lecture).where(Lecture.title == title)).scalar_one_or_none() is None:
            starts = dt.datetime.combine(today + dt.timedelta(days=days_ahead), dt.time(hour, 30), tz)
            report.add(session, Lecture(title=title, topic=topic, speaker=speaker, starts_at=starts, place=place,
                                        capacity=capacity, summary=summary, status="published"))


def _ensure_schedule(session: Session, report: SeedReport, doctor: Doctor, today: dt.date) -> None:
    """Open Monday–Saturday sessions for the next two weeks (Sunday closed)."""
    existing = set(
        session.execute(
            select(ScheduleSlot.day, ScheduleSlot.period).where(
                ScheduleSlot.doctor_id == doctor.id, ScheduleSlot.day >= today
            )
        ).all()
    )
    for offset in range(1, SCHEDULE_DAYS + 1):
        day = today + dt.timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for period, capacity in CAPACITY.items():
            if (day, period) not in existing:
                report.add(session, ScheduleSlot(doctor_id=doctor.id, day=day, period=period, capacity=capacity))
