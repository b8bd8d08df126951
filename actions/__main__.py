"""``python -m actions``: the action server, configured from the environment.

The entry point of the action-server process: it installs the settings the
actions and the records store read, then runs rasa-sdk's own server with two
changes: it listens on 127.0.0.1 unless ``ANXIN_ACTION_HOST`` says otherwise
(a private interface on a multi-machine layout), and every call must carry
the installation's action token in ``X-Anxin-Action-Token`` (Rasa sends it:
``endpoints.yml``); a call without it gets 401 and runs nothing, so a forged
tracker posted to ``/webhook`` reads and writes nobody's records.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys

log = logging.getLogger("anxin.actions")
TOKEN_HEADER = "X-Anxin-Action-Token"
OPEN_PATHS = ("/health",)


def guard(app, token: str) -> None:
    """Refuse every request without the token (``/health`` stays open for probes)."""
    from sanic.response import json

    @app.on_request
    async def require_token(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not token or not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8")):
            log.warning("action server: call refused (no or wrong token) from %s", request.ip)
            return json({"error": "unauthorized"}, status=401)
        return None


def serve(args, token: str, host: str) -> None:
    """rasa_sdk.endpoint.run, with the guard and the host."""
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()
    app = create_app(args.actions, cors_origins=None, auto_reload=False)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    guard(app, token)
    log.info("action server on http://%s:%s (token required)", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers())


def main(argv: list[str] | None = None) -> None:
    from rasa_sdk.endpoint import create_argument_parser

    from core import logs
    from core.settings import bootstrap

    settings = bootstrap()
    logs.install(settings.secrets())
    args = list(sys.argv[1:] if argv is None else argv)
    if "--actions" not in args:
        args = ["--actions", "actions", *args]
    host = os.environ.get("ANXIN_ACTION_HOST", "").strip() or "127.0.0.1"
    serve(create_argument_parser().parse_args(args), settings.action_token, host)


if __name__ == "__main__":
    main()
