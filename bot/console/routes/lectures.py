"""Health lectures: list, create (a draft), publish and notify, live delivery progress."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sanic import Blueprint
from sanic.response import json, redirect

from bot.console.render import error_page, page
from core.clock import to_local
from core.errors import Conflict, NotFound
from nlu import chinese
from records import broadcast, lectures

bp = Blueprint("lectures")
FIELDS = ("title", "topic", "speaker", "day", "time", "place", "capacity", "summary")


def parse_form(form, timezone: str) -> tuple[dict, list[str]]:
    """The lecture's fields from the form, and what is wrong with them (in Chinese)."""
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    errors = []
    for name, label in (("title", "题目"), ("topic", "主题"), ("speaker", "主讲人"), ("place", "地点")):
        if not values[name]:
            errors.append(f"请填写{label}。")
    starts_at = None
    try:
        day = dt.date.fromisoformat(values["day"])
        clock = dt.time.fromisoformat(values["time"])
        starts_at = dt.datetime.combine(day, clock, ZoneInfo(timezone))
    except ValueError:
        errors.append("请填写正确的日期和时间。")
    try:
        capacity = int(values["capacity"])
        if capacity < 1:
            raise ValueError
    except ValueError:
        capacity = 0
        errors.append("名额要填一个大于零的数字。")
    fields = dict(title=values["title"], topic=values["topic"], speaker=values["speaker"],
                  starts_at=starts_at, place=values["place"], capacity=capacity,
                  summary=values["summary"])
    return fields, errors


@bp.exception(NotFound)
async def missing(request, exception):
    return error_page(request, 404, "没有这个讲座", "请回到讲座列表。")


@bp.get("/lectures")
async def listing(request):
    return page(request, "lectures.html", rows=lectures.all_lectures(request.ctx.session))


@bp.get("/lectures/new")
async def new(request):
    return page(request, "lecture_new.html", values={"capacity": "40", "time": "09:30"}, errors=[])


@bp.post("/lectures")
async def create(request):
    fields, errors = parse_form(request.form, request.app.ctx.settings.timezone)
    if errors:
        values = {name: request.form.get(name) or "" for name in FIELDS}
        return page(request, "lecture_new.html", status=400, values=values, errors=errors)
    view = lectures.create(request.ctx.session, **fields)
    return redirect(f"/lectures/{view.id}?msg=created", status=303)


@bp.get("/lectures/<lecture_id:int>")
async def detail(request, lecture_id: int):
    session, tz = request.ctx.session, request.app.ctx.settings.timezone
    view = lectures.get(session, lecture_id)
    progress = broadcast.progress(session, lecture_id)
    return page(request, "lecture.html", lecture=view, when=chinese.say_moment(to_local(view.starts_at, tz)),
                progress=progress, per_channel=broadcast.progress_by_channel(session, lecture_id),
                failures=broadcast.failures(session, lecture_id),
                people=lectures.registrations(session, lecture_id),
                live=view.status == "published" and progress.queued > 0)


@bp.get("/lectures/<lecture_id:int>/progress.json")
async def progress_json(request, lecture_id: int):
    lectures.get(request.ctx.session, lecture_id)  # NotFound: 404
    p = broadcast.progress(request.ctx.session, lecture_id)
    return json({"total": p.total, "delivered": p.delivered, "queued": p.queued, "failed": p.failed,
                 "heard": p.heard, "read": p.read, "percent": p.percent})


@bp.post("/lectures/<lecture_id:int>/publish")
async def publish(request, lecture_id: int):
    was = lectures.get(request.ctx.session, lecture_id).status
    try:
        added = lectures.publish(request.ctx.session, lecture_id)
    except Conflict:
        return error_page(request, 409, "不能发布", "这个讲座已经取消。")
    msg = "republished" if was == "published" and added == 0 else "published"
    return redirect(f"/lectures/{lecture_id}?msg={msg}", status=303)
