"""``python -m bot.standins``: both stand-ins for ``make run`` in demo mode.

Point ``ANXIN_WECHAT_API_BASE`` and ``ANXIN_TELEGRAM_API_BASE`` at the
printed URLs; what the bot sends is at ``<wechat url>/standin/sent``.
"""

from __future__ import annotations

import argparse
import signal
import threading

from bot.standins.telegram import TelegramStandIn
from bot.standins.wechat import WeChatStandIn
from core.settings import bootstrap, current


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wechat-port", type=int, default=8601)
    parser.add_argument("--telegram-port", type=int, default=8602)
    args = parser.parse_args(argv)
    bootstrap()
    settings = current()
    wechat = WeChatStandIn(settings.wechat_app_id, settings.wechat_app_secret, port=args.wechat_port).start()
    telegram = TelegramStandIn(settings.telegram_bot_token, port=args.telegram_port).start()
    print(f"ANXIN_WECHAT_API_BASE={wechat.url}")
    print(f"ANXIN_TELEGRAM_API_BASE={telegram.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    wechat.stop()
    telegram.stop()


if __name__ == "__main__":
    main()
