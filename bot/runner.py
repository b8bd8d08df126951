"""``anxin run``: the whole product on one machine, as one process group.

Starts the action server and the Rasa server (REST channel, HTTP API on
localhost), waits until each answers, prints the URLs, then hands the
terminal to the chat.  Ctrl-C stops everything.  Logs go to ``var/log/``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from core.settings import ROOT, Settings


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str | None  # None: ready once it has run for a second without exiting
    log_path: Path
    ready: callable = field(default=lambda response: response.ok)
    env: dict[str, str] = field(default_factory=dict)  # this service's own variables
    health_params: dict[str, str] = field(default_factory=dict, repr=False)  # e.g. Rasa's token
    process: subprocess.Popen | None = None
    started_with: dict[str, str] | None = field(default=None, repr=False)  # the env, for a restart

    def start(self, env: dict[str, str]) -> None:
        self.started_with = env
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env={**env, **self.env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def is_ready(self) -> bool:
        if self.health_url is None:
            time.sleep(1)
            return self.exited() is None
        try:
            return bool(self.ready(requests.get(self.health_url, params=self.health_params, timeout=2)))
        except requests.RequestException:
            return False

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free ports (replicas use port + i)."""
    for _ in range(50):
        base = free_port()
        try:
            socks = []
            for port in range(base, base + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


def isolated_env(base_dir: Path, model_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for a private copy of the product (tests, benchmarks):
    its own SQLite files under ``base_dir`` and free ports; the demo values of
    ``.env.example`` fill in what the environment does not set."""
    from core.settings import parse_env_file

    env = dict(os.environ if base is None else base)
    for key, value in parse_env_file(ROOT / ".env.example").items():
        env.setdefault(key, value)
    env.update(
        ANXIN_VAR_DIR=str(base_dir / "var"),
        ANXIN_DATABASE_URL=f"sqlite:///{base_dir / 'anxin.db'}",
        ANXIN_TRACKER_URL=f"sqlite:///{base_dir / 'tracker.db'}",
        ANXIN_RASA_PORT=str(free_port()),
        ANXIN_ACTION_PORT=str(free_port()),
        ANXIN_CONSOLE_PORT=str(free_port()),
        ANXIN_MODEL_DIR=str(model_dir),
        # Its own WeChat and Telegram stand-ins, on free ports.
        ANXIN_STANDINS="1",
        ANXIN_WECHAT_API_BASE=f"http://127.0.0.1:{free_port()}",
        ANXIN_TELEGRAM_API_BASE=f"http://127.0.0.1:{free_port()}",
    )
    return env


def model_file(settings: Settings) -> Path:
    return settings.model_path / "anxin.tar.gz"


def child_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(settings.rasa_env())
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _port(url: str, default: int) -> int:
    from urllib.parse import urlsplit

    return urlsplit(url).port or default


def standin_service(settings: Settings) -> Service:
    """Local stand-ins for the WeChat and Telegram APIs (demo mode)."""
    wechat, telegram = _port(settings.wechat_api_base, 8601), _port(settings.telegram_api_base, 8602)
    return Service(
        "WeChat/Telegram stand-ins",
        [sys.executable, "-m", "bot.standins", "--wechat-port", str(wechat), "--telegram-port", str(telegram)],
        f"http://127.0.0.1:{telegram}/",
        settings.log_dir / "standins.log",
        ready=lambda response: response.status_code < 500,
    )


def _log_name(stem: str, name: str) -> str:
    """``rasa.log`` for the only one, ``rasa-2.log`` for replica 2."""
    last = name.rsplit(" ", 1)[-1]
    return f"{stem}-{last}.log" if last.isdigit() else f"{stem}.log"


def rasa_service(settings: Settings, port: int, action_port: int, name: str = "Rasa server") -> Service:
    return Service(
        name,
        [
            sys.executable, "-m", "bot.rasa_main", "run", "--enable-api",
            "--interface", settings.rasa_host, "--port", str(port),
            "--model", str(model_file(settings)),
            "--endpoints", str(ROOT / "endpoints.yml"),
            "--credentials", str(ROOT / "credentials.yml"),
        ],
        f"http://{settings.rasa_host}:{port}/status",
        settings.log_dir / _log_name("rasa", name),
        ready=lambda r: r.ok and bool(r.json().get("model_file")),
        env={"ANXIN_ACTION_ENDPOINT": f"http://127.0.0.1:{action_port}/webhook"},
        health_params={"token": settings.rasa_token},
    )


def action_service(settings: Settings, port: int, name: str = "action server") -> Service:
    return Service(
        name,
        [sys.executable, "-m", "actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        settings.log_dir / _log_name("actions", name),
    )


def proxy_service(settings: Settings, rasa_ports: list[int]) -> Service:
    from bot import proxy

    config = proxy.write_config(settings.var_dir / "nginx", settings.proxy_port, rasa_ports, settings.console_port)
    return Service(
        "nginx proxy", proxy.argv(config), f"{settings.proxy_url}/proxy-health", settings.log_dir / "nginx.log"
    )


def services(settings: Settings, replicas: int = 1) -> list[Service]:
    """What ``anxin run`` starts.  With ``replicas`` > 1: that many Rasa servers,
    action servers and workers on consecutive ports, behind nginx; this needs
    the production stores (PostgreSQL and Redis), which they share."""
    if replicas > 1 and not settings.production:
        from core.errors import ConfigError

        raise ConfigError(
            "--replicas needs shared stores: set ANXIN_DATABASE_URL and ANXIN_TRACKER_URL to PostgreSQL "
            "and ANXIN_REDIS_URL (see docs/deploy.md, or use make run-prod)"
        )
    extra = [standin_service(settings)] if settings.standins else []
    logs = settings.log_dir
    several = replicas > 1
    out: list[Service] = list(extra)
    for i in range(replicas):
        suffix = f" {i + 1}" if several else ""
        out.append(action_service(settings, settings.action_port + i, "action server" + suffix))
    for i in range(replicas):
        suffix = f" {i + 1}" if several else ""
        out.append(Service("worker" + suffix, [sys.executable, "-m", "bot.worker"], None,
                           logs / _log_name("worker", "worker" + suffix)))
    out.append(
        Service(
            "console",
            [sys.executable, "-m", "bot.console", "--port", str(settings.console_port)],
            f"http://127.0.0.1:{settings.console_port}/health",
            logs / "console.log",
        )
    )
    rasa_ports = [settings.rasa_port + i for i in range(replicas)]
    for i, port in enumerate(rasa_ports):
        suffix = f" {i + 1}" if several else ""
        out.append(rasa_service(settings, port, settings.action_port + i, "Rasa server" + suffix))
    if several:
        out.append(proxy_service(settings, rasa_ports))
    return out


def start_all(
    settings: Settings, say=print, timeout: float = 240.0, base_env: dict[str, str] | None = None,
    replicas: int = 1,
) -> list[Service]:
    """Start every service and wait until each is ready; stop all on failure."""
    if not model_file(settings).is_file():
        raise SystemExit(f"没有找到训练好的模型 {model_file(settings)}：请先运行 make train")
    env = child_env(settings, base_env)
    started: list[Service] = []
    try:
        for service in services(settings, replicas):
            say(f"… 启动 {service.name}（日志：{service.log_path}）")
            service.start(env)
            started.append(service)
        deadline = time.monotonic() + timeout
        for service in started:
            while not service.is_ready():
                code = service.exited()
                if code is not None:
                    raise RuntimeError(f"{service.name} exited with code {code}; see {service.log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service.name} not ready after {timeout:.0f}s; see {service.log_path}")
                time.sleep(0.5)
            where = service.health_url.rsplit("/", 1)[0] if service.health_url else f"日志 {service.log_path}"
            say(f"✓ {service.name} 已就绪：{where}")
    except BaseException:
        stop_all(started)
        raise
    return started


def stop_all(started: list[Service]) -> None:
    for service in reversed(started):
        service.stop()


class Supervisor:
    """Restarts a child that died, with backoff, and never stops the others.

    A crashed Rasa server must not take the worker (which drives the
    emergency ladders) or the console down with it.  Each death is printed
    with its exit code and log; the next start waits 1, 2, 4 … 60 s (counted
    over the last ten minutes), and five deaths in ten minutes are reported
    as a crash loop on every further death.  ``var/status.json`` says what
    runs (``anxin status`` prints it).
    """

    WINDOW = 600.0
    LOOP = 5

    def __init__(self, started: list[Service], status_path: Path | None = None, say=print) -> None:
        self.services = started
        self.status_path = status_path
        self.say = say
        self.deaths: dict[str, list[float]] = {s.name: [] for s in started}
        self.due: dict[str, float] = {}
        self.last_exit: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for service in self.services:
            code = service.exited()
            if code is None:
                continue
            if service.name not in self.due:
                recent = [t for t in self.deaths[service.name] if now - t < self.WINDOW] + [now]
                self.deaths[service.name] = recent
                self.last_exit[service.name] = code
                delay = min(60.0, 2.0 ** (len(recent) - 1))
                self.due[service.name] = now + delay
                loop = f"，反复崩溃（十分钟内 {len(recent)} 次）" if len(recent) >= self.LOOP else ""
                self.say(f"✗ {service.name} 退出（代码 {code}）{loop}；{delay:.0f} 秒后重启。日志：{service.log_path}")
            elif now >= self.due[service.name]:
                del self.due[service.name]
                service.start(service.started_with or dict(os.environ))
                self.say(f"↻ 已重启 {service.name}")
        self.write_status()

    def write_status(self) -> None:  # read back by :func:`read_status`
        if self.status_path is None:
            return
        state = {
            s.name: {"running": s.exited() is None, "pid": s.process.pid if s.process else None,
                     "deaths_10min": len(self.deaths.get(s.name, [])), "last_exit": self.last_exit.get(s.name),
                     "log": str(s.log_path)}
            for s in self.services
        }
        try:
            self.status_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.status_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(self.status_path)
        except OSError:
            pass

    def run(self, interval: float = 1.0) -> None:
        while not self._stop.is_set():
            self.check()
            self._stop.wait(interval)

    def start(self) -> Supervisor:
        self._thread = threading.Thread(target=self.run, name="supervisor", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def wait_forever(started: list[Service], status_path: Path | None = None) -> int:
    """Supervise the services until interrupted: a dead child is restarted."""
    Supervisor(started, status_path).run()
    return 0


def read_status(var_dir: Path) -> dict[str, dict] | None:
    """What the supervisor last wrote to ``var/status.json`` (name → running,
    deaths in ten minutes, last exit code, ``crash_loop``), or None when
    ``anxin run`` is not running here or the file is unreadable."""
    try:
        state = json.loads((Path(var_dir) / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    return {str(name): {"running": bool(s.get("running")), "deaths_10min": int(s.get("deaths_10min") or 0),
                        "last_exit": s.get("last_exit"),
                        "crash_loop": int(s.get("deaths_10min") or 0) >= Supervisor.LOOP}
            for name, s in state.items() if isinstance(s, dict)}
