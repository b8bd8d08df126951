"""Browser tests: Playwright drives Debian's Chromium (headless) against a real
console server; screenshots go to bench/results/console/ for people to look at."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot import runner
from core.settings import ROOT, Settings
from records import console_users, db, migrate, seed
from tests.conftest import need

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "bench" / "results" / "console"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "kangle-2026"

pytestmark = pytest.mark.slow


def _cjk_font() -> bool:
    found = shutil.which("fc-list")
    if not found:
        return False
    out = subprocess.run([found, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return "Noto" in out or "CJK" in out


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    need(Path(CHROMIUM).is_file(), f"Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    need(_cjk_font(), "Chinese fonts (apt-get install fonts-noto-cjk); without them every character is a box")
    need(importlib.util.find_spec("playwright") is not None, "the playwright Python package")
    tmp = tmp_path_factory.mktemp("console")
    env = runner.isolated_env(tmp, tmp / "models")
    env["ANXIN_CONSOLE_PORT"] = str(runner.free_port())
    env["ANXIN_RASA_PORT"] = str(runner.free_port())  # nothing listens: pause attempts fail fast
    settings = Settings.from_env(env)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, "device-token")
        console_users.add_user(session, "zhangmin", PASSWORD, "worker", name="张敏")
    process = subprocess.Popen([sys.executable, "-m", "bot.console"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{settings.console_port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/health", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the console did not start")
    yield base, settings
    process.terminate()
    process.wait(timeout=20)
    db.dispose_all()


@pytest.fixture(scope="module")
def browser(console):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    shot(page, "01-sign-in")
    page.fill("#login", "zhangmin")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("text=用户名或密码不对")
    page.fill("#login", "zhangmin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=您好，张敏")


def test_readable_text(console, page):
    base, _ = console
    sign_in(page, base)
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    button = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.btn')).fontSize)")
    assert button >= 24
    shot(page, "02-home")


def test_create_publish_and_watch_progress(console, page):
    from bot.broadcast import RateLimits, send_due
    from bot.outbound.recording import RecordingAdapter

    base, settings = console
    sign_in(page, base)
    page.click("text=健康讲座")
    page.click("text=新建讲座")
    day = (dt.date.today() + dt.timedelta(days=6)).isoformat()
    page.fill("#title", "高血压患者冬季保暖")
    page.fill("#topic", "高血压")
    page.fill("#speaker", "陈建华医生")
    page.fill("#day", day)
    page.fill("#time", "09:30")
    page.fill("#place", "社区卫生服务中心三楼会议室")
    page.fill("#capacity", "40")
    page.fill("#summary", "陈医生讲冬天怎样量血压、保暖和按时吃药。")
    shot(page, "03-new-lecture")
    page.click("text=保存")
    page.wait_for_selector("text=发布并通知所有老人和家属")
    page.click("text=发布并通知所有老人和家属")
    page.wait_for_selector("text=通知进度")
    page.wait_for_selector("text=已完成 0%")
    shot(page, "04-published")
    # The worker's part, run here: a stand-in adapter for every channel.
    recorder = RecordingAdapter(settings.var_dir / "sent.jsonl")
    adapters = {name: recorder for name in ("speaker", "wechat", "telegram")}
    # The next 10:00 in Shanghai (outside the speakers' quiet hours), after publishing.
    now = dt.datetime.now(dt.timezone.utc)
    morning = dt.datetime.combine(now.date(), dt.time(2, 0), dt.timezone.utc)
    morning += dt.timedelta(days=1) if morning <= now else dt.timedelta(0)
    total = send_due(settings, adapters, now=morning, limits=RateLimits({"speaker": 1e6, "wechat": 1e6,
                                                                         "telegram": 1e6}))
    assert total == 3
    page.wait_for_selector("text=已完成 100%", timeout=30_000)  # the page refreshes itself
    assert page.inner_text("#delivered") == "3"
    assert page.inner_text("#failed") == "0"
    shot(page, "05-progress-100")
    texts = [row["text"] for row in recorder.sent()]
    assert all(t.startswith("健康讲座通知：") for t in texts) and len(texts) == 3


def test_acknowledge_an_emergency(console, page):
    from sqlalchemy import select

    from records import emergency
    from records.tables import Person

    base, settings = console
    with db.session_scope(settings.database_url) as session:
        elder = session.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
        emergency.open_emergency(session, elder, category="fall")
    sign_in(page, base)
    page.click("text=紧急事件")
    page.wait_for_selector("text=我来处理（确认）")
    shot(page, "06-emergency-open")
    page.click("text=我来处理（确认）")
    page.wait_for_selector("text=已确认，升级呼叫已停止。")
    page.wait_for_selector("text=已确认（张敏）")
    shot(page, "07-emergency-acknowledged")
    page.click("text=经过 / 结束")
    page.wait_for_selector("text=结束这次求助")
    page.select_option("select[name=outcome]", "handled_at_home")
    page.fill("input[name=note]", "女儿到了，扶起来了，没受伤")
    shot(page, "07b-emergency-timeline")
    page.click("button:has-text('结束')")
    page.wait_for_selector("text=已结束，结果已记录。")
    page.wait_for_selector("text=在家处理好了：女儿到了，扶起来了，没受伤")
    shot(page, "07c-emergency-closed")


def test_handoff_and_elders_pages(console, page):
    from records import handoff

    base, settings = console
    with db.session_scope(settings.database_url) as session:
        handoff.request(session, "demo-elder", "· 问政策：“长期护理保险怎么报销”\n· 说身体不舒服")
    sign_in(page, base)
    page.click("text=回电请求")
    page.wait_for_selector("text=长期护理保险怎么报销")
    shot(page, "08-handoffs")
    page.get_by_role("button", name="接手", exact=True).click()
    page.wait_for_selector("text=没有暂停成功")  # no Rasa in this test: said plainly
    page.click("text=老人和设备")
    page.wait_for_selector("text=王秀兰")
    page.click("text=生成绑定码")
    page.wait_for_selector(".code")
    shot(page, "09-elders")
