"""CLI for the console and for lectures (scripts use the same service API as the pages).

    anxin console [--host H] [--port P]
    anxin console-user add --role worker --name 张敏 --password ... [--login zhangmin]
    anxin lecture create --title ... --topic ... --speaker ... --at "2026-11-28 09:30" --place ... --capacity 40
    anxin lecture publish <id>
    anxin lecture status <id>
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from zoneinfo import ZoneInfo

from core import logs
from core.errors import Conflict, NotFound
from core.settings import bootstrap, current
from records import broadcast, console_users, db, lectures


def cmd_console(args: argparse.Namespace) -> int:
    # Sanic and Jinja load only when serving, not for every `anxin` command.
    from bot.console.app import create_app

    settings = current()
    app = create_app(settings)
    port = args.port or settings.console_port
    print(f"安心 社区工作台：http://{args.host}:{port}/", flush=True)
    app.run(host=args.host, port=port, workers=1, access_log=False, motd=False)
    return 0


def cmd_console_user(args: argparse.Namespace) -> int:
    settings = current()
    try:
        with db.session_scope(settings.database_url) as session:
            if args.action == "add":
                user = console_users.add_user(session, args.login or args.name, args.password, args.role,
                                              name=args.name)
                print(f"console user {user.login} ({user.role}) added")
            else:
                console_users.set_password(session, args.login or args.name, args.password)
                print("password changed; signed-in sessions ended")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _starts_at(text: str, timezone: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.strip().replace("T", " "))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _status(session, lecture_id: int) -> dict:
    view = lectures.get(session, lecture_id)
    p = broadcast.progress(session, lecture_id)
    return {"id": view.id, "title": view.title, "status": view.status,
            "starts_at": view.starts_at.isoformat(), "registered": view.registered,
            "waitlisted": view.waitlisted, "capacity": view.capacity,
            "deliveries": {"total": p.total, "delivered": p.delivered, "queued": p.queued,
                           "failed": p.failed, "heard": p.heard, "read": p.read, "percent": p.percent}}


def cmd_lecture(args: argparse.Namespace) -> int:
    settings = current()
    try:
        with db.session_scope(settings.database_url) as session:
            if args.action == "create":
                view = lectures.create(session, title=args.title, topic=args.topic, speaker=args.speaker,
                                       starts_at=_starts_at(args.at, settings.timezone), place=args.place,
                                       capacity=args.capacity, summary=args.summary or "")
                if args.publish:
                    lectures.publish(session, view.id)
                print(json.dumps(_status(session, view.id), ensure_ascii=False))
            elif args.action == "publish":
                added = lectures.publish(session, args.id)
                print(json.dumps({**_status(session, args.id), "added": added}, ensure_ascii=False))
            else:
                print(json.dumps(_status(session, args.id), ensure_ascii=False))
    except (ValueError, NotFound, Conflict) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default from settings: 8000)")
    parser.set_defaults(func=cmd_console)


def register(subparsers) -> None:
    """Add ``console``, ``console-user`` and ``lecture`` to the ``anxin`` CLI."""
    _add_serve_arguments(subparsers.add_parser("console", help="serve the community-worker console"))

    users = subparsers.add_parser("console-user", help="console sign-in accounts")
    users.add_argument("action", choices=["add", "password"])
    users.add_argument("--role", choices=["worker", "doctor"], default="worker")
    users.add_argument("--name", required=True, help="the person's name (also the login unless --login)")
    users.add_argument("--login", help="login name (default: the name)")
    users.add_argument("--password", required=True)
    users.set_defaults(func=cmd_console_user)

    lecture = subparsers.add_parser("lecture", help="create, publish and follow health lectures")
    actions = lecture.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new lecture (a draft unless --publish)")
    create.add_argument("--title", required=True)
    create.add_argument("--topic", required=True)
    create.add_argument("--speaker", required=True)
    create.add_argument("--at", required=True, help='local start time, e.g. "2026-11-28 09:30"')
    create.add_argument("--place", required=True)
    create.add_argument("--capacity", type=int, required=True)
    create.add_argument("--summary", default="")
    create.add_argument("--publish", action="store_true", help="publish and broadcast at once")
    for name, text in (("publish", "publish and broadcast (never sends twice)"), ("status", "delivery progress")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("id", type=int)
    lecture.set_defaults(func=cmd_lecture)


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.console``: serve the console."""
    logs.install(bootstrap().secrets())
    parser = argparse.ArgumentParser(prog="python -m bot.console", description="安心 社区工作台")
    _add_serve_arguments(parser)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)
