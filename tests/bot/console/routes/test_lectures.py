"""Lectures: create, publish (never twice), progress."""

from __future__ import annotations

from records import broadcast, db
from records.tables import Lecture


def test_create_publish_and_progress(signed_in, store):
    token = signed_in.csrf("/lectures/new")
    bad = signed_in.post("/lectures", {"csrf": token, "title": "", "capacity": "0", "day": "x"})
    assert bad.status_code == 400 and "请填写题目" in bad.text and "名额" in bad.text
    form = {"csrf": token, "title": "冬季防流感", "topic": "流感", "speaker": "陈建华医生",
            "day": "2030-12-06", "time": "09:30", "place": "社区卫生服务中心三楼", "capacity": "30",
            "summary": "讲打疫苗和勤洗手。"}
    created = signed_in.post("/lectures", form)
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    lecture_id = int(path.rsplit("/", 1)[1])
    page = signed_in.get(path)
    assert "发布并通知" in page.text and "12月6日星期五上午9点半" in page.text
    published = signed_in.post(f"{path}/publish", {"csrf": token})
    assert published.headers["location"].endswith("msg=published")
    page = signed_in.get(path)
    assert "通知进度" in page.text and 'http-equiv="refresh"' in page.text
    progress = signed_in.get(f"{path}/progress.json").json()
    # The demo: 王秀兰's speaker, 李娜 on WeChat, 李强 on Telegram.
    assert progress["total"] == 3 and progress["queued"] == 3
    again = signed_in.post(f"{path}/publish", {"csrf": token})
    assert again.headers["location"].endswith("msg=republished")
    with db.session_scope(store.database_url) as s:
        assert broadcast.progress(s, lecture_id).total == 3
        assert s.get(Lecture, lecture_id).starts_at.hour == 1  # 09:30 Shanghai = 01:30 UTC
    assert signed_in.get("/lectures/9999").status_code == 404
