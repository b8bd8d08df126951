"""The one place that reads the environment.

Every secret, URL and port comes from an ``ANXIN_*`` variable; the defaults
make ``make run`` work on a fresh machine with nothing set (SQLite under
``var/``, servers on localhost).  ``.env.example`` documents every variable and
holds the working demo values; ``load_env_file`` fills in what the process
environment does not already set.

Each process's entry point (the ``anxin`` CLI, the worker, the action server,
the Rasa server, the console) calls :func:`configure` once; library code asks
:func:`current` and never reads the environment itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _path(env: dict[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    path = Path(raw) if raw else default
    return path if path.is_absolute() else ROOT / path


@dataclass(frozen=True)
class Settings:
    """Frozen run-time settings; build one with :meth:`from_env`."""

    var_dir: Path
    database_url: str
    tracker_url: str
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    console_port: int = 8000
    # Addresses whose X-Forwarded-Proto / X-Forwarded-For the console believes (its TLS proxy).
    console_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # The reverse proxy in front of several Rasa replicas (`anxin run --replicas N`).
    proxy_port: int = 8080
    model_path: Path = ROOT / "models"
    timezone: str = "Asia/Shanghai"
    demo_sender: str = "demo-elder"
    wechat_token: str = field(default="", repr=False)
    wechat_aes_key: str = field(default="", repr=False)
    wechat_app_id: str = ""
    wechat_app_secret: str = field(default="", repr=False)
    telegram_bot_token: str = field(default="", repr=False)
    telegram_secret_token: str = field(default="", repr=False)
    device_token: str = field(default="", repr=False)
    rest_token: str = field(default="", repr=False)
    # Rasa's HTTP API (--auth-token) and the action server: every internal
    # caller passes them; generated once under var/secrets/ when not set.
    rasa_token: str = field(default="", repr=False)
    action_token: str = field(default="", repr=False)
    console_demo_password: str = field(default="", repr=False)
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_template_id: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    # Demo mode: run local stand-ins for the WeChat and Telegram APIs.
    standins: bool = False
    redis_url: str = ""
    # Emergency ladder step length and the daily check-in's answer window.
    escalation_step_seconds: int = 120
    checkin_window_minutes: int = 120
    # A safety question on the speaker left unanswered this long escalates.
    safety_check_seconds: int = 60
    # An abnormal-vital or red-flag alert the doctor has not acknowledged in this
    # many minutes goes on to the community worker.
    alert_escalate_minutes: int = 30
    # The words of conversations (Rasa's tracker store) are redacted after this many days.
    conversation_days: int = 30
    # "recording": every outgoing message to the recording adapter (tests, dry runs).
    outbound: str = ""
    vosk_model_path: Path | None = None

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def production(self) -> bool:
        """Records and conversations on a database server, locks in Redis:
        what several replicas need to share."""
        shared = all(not url.startswith("sqlite") for url in (self.database_url, self.tracker_url))
        return shared and bool(self.redis_url)

    def rasa_env(self) -> dict[str, str]:
        """The variables ``endpoints.yml`` and ``credentials.yml`` expand."""
        return {
            "ANXIN_ACTION_ENDPOINT": self.action_url,
            "ANXIN_TRACKER_URL": self.tracker_url,
            "ANXIN_WECHAT_TOKEN": self.wechat_token,
            "ANXIN_WECHAT_AES_KEY": self.wechat_aes_key,
            "ANXIN_WECHAT_APP_ID": self.wechat_app_id,
            "ANXIN_TELEGRAM_BOT_TOKEN": self.telegram_bot_token,
            "ANXIN_TELEGRAM_SECRET_TOKEN": self.telegram_secret_token,
            "ANXIN_REST_TOKEN": self.rest_token,
            "ANXIN_RASA_TOKEN": self.rasa_token,
            "ANXIN_ACTION_TOKEN": self.action_token,
        }

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for the log redactor (``core.logs``)."""
        return (self.wechat_token, self.wechat_aes_key, self.wechat_app_secret, self.telegram_bot_token,
                self.telegram_secret_token, self.device_token, self.rest_token, self.rasa_token,
                self.action_token, self.console_demo_password)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var_dir = _path(env, "ANXIN_VAR_DIR", ROOT / "var")
        default_db = f"sqlite:///{var_dir / 'anxin.db'}"
        vosk = env.get("ANXIN_VOSK_MODEL", "").strip()
        database_url = env.get("ANXIN_DATABASE_URL", "").strip() or default_db
        tracker_url = env.get("ANXIN_TRACKER_URL", "").strip() or f"sqlite:///{var_dir / 'tracker.db'}"
        redis_url = env.get("ANXIN_REDIS_URL", "").strip()
        shared = redis_url and not any(u.startswith("sqlite") for u in (database_url, tracker_url))
        # In production REST is never open: without ANXIN_REST_TOKEN a token is
        # made in var/secrets/rest-token (REST callers read it there).
        rest_token = env.get("ANXIN_REST_TOKEN", "").strip() or (_secret(var_dir, "rest-token") if shared else "")
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            tracker_url=tracker_url,
            rasa_host=env.get("ANXIN_RASA_HOST", "").strip() or "127.0.0.1",
            rasa_port=_int(env, "ANXIN_RASA_PORT", 5005),
            action_port=_int(env, "ANXIN_ACTION_PORT", 5055),
            console_port=_int(env, "ANXIN_CONSOLE_PORT", 8000),
            console_proxies=tuple(a.strip() for a in env.get("ANXIN_CONSOLE_TRUSTED_PROXIES",
                                                             "127.0.0.1,::1").split(",") if a.strip()),
            proxy_port=_int(env, "ANXIN_PROXY_PORT", 8080),
            model_path=_path(env, "ANXIN_MODEL_DIR", ROOT / "models"),
            timezone=env.get("ANXIN_TIMEZONE", "").strip() or "Asia/Shanghai",
            demo_sender=env.get("ANXIN_DEMO_SENDER", "").strip() or "demo-elder",
            wechat_token=env.get("ANXIN_WECHAT_TOKEN", ""),
            wechat_aes_key=env.get("ANXIN_WECHAT_AES_KEY", ""),
            wechat_app_id=env.get("ANXIN_WECHAT_APP_ID", ""),
            wechat_app_secret=env.get("ANXIN_WECHAT_APP_SECRET", ""),
            telegram_bot_token=env.get("ANXIN_TELEGRAM_BOT_TOKEN", ""),
            telegram_secret_token=env.get("ANXIN_TELEGRAM_SECRET_TOKEN", ""),
            device_token=env.get("ANXIN_DEVICE_TOKEN", ""),
            rest_token=rest_token,
            rasa_token=env.get("ANXIN_RASA_TOKEN", "").strip() or _secret(var_dir, "rasa-token"),
            action_token=env.get("ANXIN_ACTION_TOKEN", "").strip() or _secret(var_dir, "action-token"),
            console_demo_password=env.get("ANXIN_CONSOLE_DEMO_PASSWORD", ""),
            wechat_api_base=env.get("ANXIN_WECHAT_API_BASE", "").strip() or "https://api.weixin.qq.com",
            wechat_template_id=env.get("ANXIN_WECHAT_TEMPLATE_ID", "").strip(),
            telegram_api_base=env.get("ANXIN_TELEGRAM_API_BASE", "").strip() or "https://api.telegram.org",
            standins=env.get("ANXIN_STANDINS", "").strip().lower() in {"1", "true", "yes"},
            redis_url=redis_url,
            escalation_step_seconds=max(1, _int(env, "ANXIN_ESCALATION_STEP_SECONDS", 120)),
            checkin_window_minutes=max(1, _int(env, "ANXIN_CHECKIN_WINDOW_MINUTES", 120)),
            safety_check_seconds=max(5, _int(env, "ANXIN_SAFETY_CHECK_SECONDS", 60)),
            alert_escalate_minutes=max(1, _int(env, "ANXIN_ALERT_ESCALATE_MINUTES", 30)),
            conversation_days=max(1, _int(env, "ANXIN_CONVERSATION_DAYS", 30)),
            outbound=env.get("ANXIN_OUTBOUND", "").strip(),
            vosk_model_path=_path(env, "ANXIN_VOSK_MODEL", Path(vosk)) if vosk else None,
        )


def _secret(var_dir: Path, name: str) -> str:
    """A random secret kept in ``var/secrets/<name>`` (mode 600), made on first use,
    so that every process of one installation shares it without configuration."""
    import secrets

    path = var_dir / "secrets" / name
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except OSError:
        pass
    value = secrets.token_urlsafe(32)
    while value.startswith("-"):  # never read as an option by a command line
        value = secrets.token_urlsafe(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return value  # read-only var/: this process alone knows it
    return value


def parse_env_file(path: Path) -> dict[str, str]:
    """Read ``KEY=value`` lines (``#`` comments, optional quotes) from a dotenv file."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_env_file(root: Path = ROOT) -> dict[str, str]:
    """Put ``.env`` (the deployment's) then ``.env.example`` (demo values) into
    ``os.environ`` without overriding anything already set.  Returns what was set."""
    added: dict[str, str] = {}
    for name in (".env", ".env.example"):
        for key, value in parse_env_file(root / name).items():
            if key not in os.environ:
                os.environ[key] = value
                added[key] = value
    return added


_current: Settings | None = None


def configure(settings: Settings | None = None) -> Settings:
    """Install this process's settings (read from the environment when not given).

    Called by entry points; tests call it after changing the environment."""
    global _current
    _current = settings if settings is not None else Settings.from_env()
    return _current


def current() -> Settings:
    """The settings the entry point installed."""
    if _current is None:
        from core.errors import ConfigError

        raise ConfigError("settings not configured: the process's entry point must call core.settings.configure()")
    return _current


def bootstrap(root: Path = ROOT) -> Settings:
    """What every entry point does first: the ``.env`` files into the
    environment (without overriding it), then :func:`configure`."""
    load_env_file(root)
    return configure()


def reset() -> None:
    """Forget the installed settings (tests)."""
    global _current
    _current = None
