"""The ``anxin`` command: run the product, chat, manage the database."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from core.settings import bootstrap, current


def cmd_run(args: argparse.Namespace) -> int:
    from bot import chat, runner

    settings = current()
    replicas = max(1, args.replicas)
    runner.services(settings, replicas)  # refuses several replicas without shared stores
    if not settings.rest_token:
        print("注意：ANXIN_REST_TOKEN 未设置，REST 入口不需要凭据，只应在本机使用（见 docs/deploy.md）。", file=sys.stderr)
    prepare_database(quiet=False)
    # A SIGTERM (systemd, kill, a test harness) stops the children too.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    started = runner.start_all(settings, replicas=replicas)
    front = settings.proxy_url if replicas > 1 else settings.rasa_url
    mode = "生产模式（PostgreSQL + Redis）" if settings.production else "内置模式（SQLite）"
    print(f"安心已启动，{mode}，{replicas} 组服务。渠道入口：{front}/webhooks/…")
    print(f"社区工作台：http://127.0.0.1:{settings.console_port}/   日志：{settings.log_dir}   按 Ctrl-C 停止。")
    status = settings.var_dir / "status.json"
    supervisor = None
    try:
        if args.no_chat or not sys.stdin.isatty():
            return runner.wait_forever(started, status)
        supervisor = runner.Supervisor(started, status, say=lambda m: print(m, file=sys.stderr)).start()
        return chat.chat(front, args.sender or settings.demo_sender)
    except KeyboardInterrupt:
        return 0
    finally:
        print("正在停止……", flush=True)
        if supervisor is not None:
            supervisor.stop()
        runner.stop_all(started)


def cmd_status(args: argparse.Namespace) -> int:
    """What `anxin run` supervises: running or not, deaths in the last ten minutes."""
    from bot.runner import read_status

    state = read_status(current().var_dir)
    if state is None:
        print("安心没有在运行（没有可读的 var/status.json）。")
        return 1
    for name, s in state.items():
        mark = "✓" if s["running"] else "✗"
        extra = f"，十分钟内退出 {s['deaths_10min']} 次（最近代码 {s['last_exit']}）" if s["deaths_10min"] else ""
        loop = "，反复崩溃" if s["crash_loop"] else ""
        print(f"{mark} {name}{extra}{loop}")
    return 0 if all(s["running"] for s in state.values()) else 1


def _raise_interrupt(_signum, _frame):
    raise KeyboardInterrupt


def cmd_chat(args: argparse.Namespace) -> int:
    from bot import chat

    settings = current()
    return chat.chat(args.url or settings.rasa_url, args.sender or settings.demo_sender)


def prepare_database(quiet: bool = True) -> None:
    """Migrate, then seed the demo community (idempotent: adds only what is missing)
    and, when ANXIN_CONSOLE_DEMO_PASSWORD is set, the demo worker's console sign-in."""
    from records import console_users, db, migrate, seed

    settings = current()
    for url in (settings.database_url, settings.tracker_url):
        db.ensure_database(url)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        added = seed.seed_demo(session, settings.device_token, settings.timezone)
        if settings.console_demo_password and not console_users.exists(session, "demo-worker"):
            console_users.add_user(session, "demo-worker", settings.console_demo_password, "worker", name="张敏")
    if not quiet:
        print(f"✓ 数据库已就绪（新增 {added} 条演示数据）")


def cmd_db(args: argparse.Namespace) -> int:
    from records import migrate

    url = current().database_url
    if args.action == "upgrade":
        migrate.upgrade(url)
    elif args.action == "downgrade":
        migrate.downgrade(url, args.revision or "base")
    print(migrate.current(url) or "(empty)")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from records import db, seed

    settings = current()
    with db.session_scope(settings.database_url) as session:
        added = seed.seed_demo(session, settings.device_token, settings.timezone)
    print(f"demo community ready ({added} rows added)")
    return 0


def cmd_family_code(args: argparse.Namespace) -> int:
    """Issue a 6-digit binding code (valid 24 h) for an elder."""
    from records import binding, db, people

    settings = current()
    with db.session_scope(settings.database_url) as session:
        elder_id = args.elder_id
        if elder_id is None:
            identity = people.identify(session, args.elder_sender)
            if identity is None or not identity.is_elder:
                print(f"no elder behind sender {args.elder_sender!r}", file=sys.stderr)
                return 2
            elder_id = identity.person_id
        scopes = args.scopes.split(",") if args.scopes else binding.DEFAULT_SCOPES
        row = binding.issue(session, elder_id, "cli", relation=args.relation, scopes=scopes)
        print(f"{row.code}  (expires {row.expires_at:%Y-%m-%d %H:%M} UTC, scopes: {row.scopes})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anxin", description="安心: care assistant for older people")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the action server and Rasa, then chat")
    run.add_argument("--no-chat", action="store_true", help="serve only; no terminal chat")
    run.add_argument("--sender", help="chat as this REST sender (default: demo-elder)")
    run.add_argument(
        "--replicas", type=int, default=1,
        help="N Rasa servers, action servers and workers behind nginx (needs PostgreSQL and Redis)",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="which of `anxin run`'s services are running")
    status.set_defaults(func=cmd_status)
    chat = sub.add_parser("chat", help="chat with a running Rasa server")
    chat.add_argument("--sender", help="REST sender id (default: demo-elder)")
    chat.add_argument("--url", help="Rasa server URL (default from settings)")
    chat.set_defaults(func=cmd_chat)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(func=cmd_db)

    seed = sub.add_parser("seed-demo", help="create the demo community (idempotent)")
    seed.set_defaults(func=cmd_seed_demo)

    from bot.console import register as register_console
    from bot.worker import register as register_worker

    register_worker(sub)
    register_console(sub)

    family = sub.add_parser("family", help="family binding")
    family_sub = family.add_subparsers(dest="family_command", required=True)
    code = family_sub.add_parser("code", help="issue a 6-digit binding code for an elder")
    who = code.add_mutually_exclusive_group()
    who.add_argument("--elder-id", type=int)
    who.add_argument("--elder-sender", default="demo-elder", help="the elder's sender id (default demo-elder)")
    code.add_argument("--relation", help="女儿, 儿子, 老伴 ...")
    code.add_argument("--scopes", help="comma-separated: appointments,health_summary,alerts")
    code.set_defaults(func=cmd_family_code)

    try:
        from voice.cli import add_parsers
    except ImportError:  # the voice package is optional at this layer
        add_parsers = None
    if add_parsers is not None:
        add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    bootstrap()
    args = build_parser().parse_args(argv)
    from core import logs

    try:
        secrets = current().secrets()
    except Exception:  # noqa: BLE001 - a broken configuration is reported by the command itself
        secrets = ()
    logs.install_logging(secrets, logging.DEBUG if args.verbose else logging.WARNING)
    from core.errors import ConfigError, StoreUnavailable

    try:
        return int(args.func(args) or 0)
    except (ConfigError, StoreUnavailable, RuntimeError) as exc:
        print(f"anxin {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
