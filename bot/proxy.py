"""The reverse proxy in front of several Rasa replicas (nginx, Debian's package).

``anxin run --replicas N`` writes ``var/nginx/nginx.conf`` from the settings and
runs nginx in the foreground as one of its services.  Only the channels'
webhooks reach Rasa through it (``/webhooks/``); Rasa's HTTP API stays on
localhost for the console.  Requests are spread to the least busy replica: one
sender's order is kept by the conversation lock in Redis (bot/locks.py), not by
stickiness, so a replica that dies loses no sender.  Everything else goes to
the console.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from core.errors import ConfigError

TEMPLATE = """\
# Written by `anxin run --replicas {replicas}`; edits are overwritten.
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 4096; }}

http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    # A webhook body is small: keep it in memory (never a temp file), refuse
    # anything over 1 MB with 413 before it reaches Rasa.
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;

    upstream rasa {{
        least_conn;
{rasa_servers}
        keepalive 64;
    }}
    upstream console {{
        server 127.0.0.1:{console_port};
    }}

    server {{
        listen {host}:{port} reuseport;
        location = /proxy-health {{ return 200 "ok\\n"; }}
        location /webhooks/ {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A turn that fails on one replica before any byte was answered is
            # not retried on another: the message may already be in the
            # tracker, and the channel's own de-duplication decides.
            proxy_next_upstream error;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
        }}
        location / {{
            proxy_pass http://console;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if not found:
        raise ConfigError("nginx is needed for --replicas: install it with `sudo apt-get install nginx`")
    return found


def write_config(prefix: Path, port: int, rasa_ports: list[int], console_port: int, host: str = "127.0.0.1") -> Path:
    """Write the nginx configuration for these ports; returns its path."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    # Run as root, nginx's workers drop to nobody; they only need the temp dirs.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    if os.geteuid() == 0:
        for sub in (prefix / "tmp").iterdir():
            sub.chmod(0o1777)
    text = TEMPLATE.format(
        replicas=len(rasa_ports),
        prefix=prefix,
        user=user,
        rasa_servers="\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in rasa_ports),
        console_port=console_port,
        host=host,
        port=port,
    )
    path = prefix / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def argv(config: Path) -> list[str]:
    return [nginx_binary(), "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"]
