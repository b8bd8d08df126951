"""Channel name → adapter, for the worker.

WeChat goes as a customer-service message, falling back to a template
message outside the 48-hour window; Telegram through the Bot API; speakers
through their announcement queue; REST and console senders have no push
route and are recorded for the console.  ``ANXIN_OUTBOUND=recording``
routes every channel to the recording adapter (tests, dry runs).
"""

from __future__ import annotations

from bot.outbound.base import ChannelAdapter
from bot.outbound.recording import RecordingAdapter
from bot.outbound.speaker import SpeakerAdapter
from core.settings import Settings


def recording_path(settings: Settings):
    return settings.var_dir / "outbox" / "recording.jsonl"


class WeChatWithFallback:
    """WeChat's adapter as the worker sees it: template fallback included."""

    channel = "wechat"

    def __init__(self, adapter) -> None:
        self.adapter = adapter

    def send(self, message):
        return self.adapter.deliver(message)


def adapters(settings: Settings) -> dict[str, ChannelAdapter]:
    recording = RecordingAdapter(recording_path(settings))
    table: dict[str, ChannelAdapter] = {
        "speaker": SpeakerAdapter(settings.database_url),
        "rest": recording,  # REST and console senders have no push route: recorded for the console
        "console": recording,
    }
    if settings.outbound == "recording":
        return {name: recording for name in (*table, "wechat", "telegram")}
    from bot.outbound.telegram import TelegramAdapter
    from bot.outbound.wechat import WeChatAdapter

    table["wechat"] = WeChatWithFallback(WeChatAdapter.shared())
    table["telegram"] = TelegramAdapter.from_settings()
    return table
