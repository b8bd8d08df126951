from sqlalchemy import func, select

from bot import cli
from core.settings import configure
from records import db
from records.tables import Person


def test_db_upgrade_and_seed_demo(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ANXIN_DATABASE_URL", url)
    monkeypatch.setattr(cli, "bootstrap", configure)  # the environment only, no .env files
    configure()
    try:
        assert cli.main(["db", "upgrade"]) == 0
        assert cli.main(["seed-demo"]) == 0
        assert cli.main(["seed-demo"]) == 0
        out = capsys.readouterr().out
        assert "(0 rows added)" in out
        with db.session_scope(url) as session:
            assert session.scalar(select(func.count()).select_from(Person).where(Person.role == "elder")) == 1
    finally:
        db.dispose_all()
        configure()


def test_help_lists_the_commands(capsys):
    parser = cli.build_parser()
    text = parser.format_help()
    for command in ("run", "chat", "db", "seed-demo"):
        assert command in text


def test_family_code_issues_a_six_digit_code(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ANXIN_DATABASE_URL", url)
    monkeypatch.setattr(cli, "bootstrap", configure)  # the environment only, no .env files
    configure()
    try:
        cli.main(["db", "upgrade"])
        cli.main(["seed-demo"])
        capsys.readouterr()
        assert cli.main(["family", "code", "--relation", "女儿", "--scopes", "appointments,alerts"]) == 0
        code = capsys.readouterr().out.split()[0]
        assert len(code) == 6 and code.isdigit()
        assert cli.main(["family", "code", "--elder-sender", "wechat:demo-daughter"]) == 2
    finally:
        db.dispose_all()
        configure()


def test_status_says_what_runs_and_fails_when_one_is_down(tmp_path, monkeypatch, capsys):
    import json

    monkeypatch.setenv("ANXIN_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "bootstrap", configure)
    configure()
    try:
        assert cli.main(["status"]) == 1  # not running here
        assert "没有在运行" in capsys.readouterr().out
        state = {"worker": {"running": True, "pid": 5, "deaths_10min": 0, "last_exit": None, "log": "w.log"}}
        (tmp_path / "status.json").write_text(json.dumps(state), encoding="utf-8")
        assert cli.main(["status"]) == 0
        assert capsys.readouterr().out.strip() == "✓ worker"
        state["Rasa server"] = {"running": False, "pid": None, "deaths_10min": 5, "last_exit": -9, "log": "r.log"}
        (tmp_path / "status.json").write_text(json.dumps(state), encoding="utf-8")
        assert cli.main(["status"]) == 1
        out = capsys.readouterr().out
        assert "✗ Rasa server，十分钟内退出 5 次（最近代码 -9），反复崩溃" in out
    finally:
        configure()
