"""Console lecture pages: list, create, publish, live delivery progress, registrations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sanic.response import json, redirect

from bot.console.app import page
from core.clock import to_local
from core.errors import Conflict, NotFound
from nlu import chinese
from records import broadcast, db, lectures

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


def add_routes(app) -> None:
    url, tz = app.ctx.url, app.ctx.settings.timezone

    @app.get("/lectures")
    async def listing(request):
        with db.session_scope(url) as session:
            rows = lectures.all_lectures(session)
        return page(request, "lectures.html", rows=rows)

    @app.get("/lectures/new")
    async def new(request):
        return page(request, "lecture_new.html", values={"capacity": "40", "time": "09:30"}, errors=[])

    @app.post("/lectures")
    async def create(request):
        fields, errors = parse_form(request.form, tz)
        if errors:
            values = {name: request.form.get(name) or "" for name in FIELDS}
            return page(request, "lecture_new.html", status=400, values=values, errors=errors)
        with db.session_scope(url) as session:
            view = lectures.create(session, **fields)
        return redirect(f"/lectures/{view.id}?msg=created", status=303)

    @app.get("/lectures/<lecture_id:int>")
    async def detail(request, lecture_id: int):
        try:
            with db.session_scope(url) as session:
                view = lectures.get(session, lecture_id)
                progress = broadcast.progress(session, lecture_id)
                per_channel = broadcast.progress_by_channel(session, lecture_id)
                failures = broadcast.failures(session, lecture_id)
                people = lectures.registrations(session, lecture_id)
        except NotFound:
            return page(request, "error.html", status=404, title="没有这个讲座", detail="请回到讲座列表。")
        live = view.status == "published" and progress.queued > 0
        return page(request, "lecture.html", lecture=view, when=chinese.say_moment(to_local(view.starts_at, tz)),
                    progress=progress, per_channel=per_channel, failures=failures, people=people,
                    live=live)

    @app.get("/lectures/<lecture_id:int>/progress.json")
    async def progress_json(request, lecture_id: int):
        with db.session_scope(url) as session:
            p = broadcast.progress(session, lecture_id)
        return json({"total": p.total, "delivered": p.delivered, "queued": p.queued, "failed": p.failed,
                     "heard": p.heard, "read": p.read, "percent": p.percent})

    @app.post("/lectures/<lecture_id:int>/publish")
    async def publish(request, lecture_id: int):
        try:
            with db.session_scope(url) as session:
                was = lectures.get(session, lecture_id).status
                added = lectures.publish(session, lecture_id)
        except NotFound:
            return page(request, "error.html", status=404, title="没有这个讲座", detail="请回到讲座列表。")
        except Conflict:
            return page(request, "error.html", status=409, title="不能发布", detail="这个讲座已经取消。")
        msg = "republished" if was == "published" and added == 0 else "published"
        return redirect(f"/lectures/{lecture_id}?msg={msg}", status=303)
