"""The Telegram adapter against the Bot API stand-in."""

from __future__ import annotations

import pytest

from bot.outbound.base import ChannelAdapter, OutboundMessage, Outcome
from bot.outbound.telegram import TelegramAdapter
from bot.standins.telegram import TelegramStandIn

TOKEN, CHAT = "123456:adapter-test", 100200300


@pytest.fixture
def standin():
    with TelegramStandIn(TOKEN, per_chat_per_minute=3) as stand:
        yield stand


@pytest.fixture
def adapter(standin):
    return TelegramAdapter(TOKEN, base_url=standin.url, timeout=5)


def alert(chat: int = CHAT, **kw) -> OutboundMessage:
    return OutboundMessage("telegram", str(chat), "王秀兰需要帮助，请回复“收到”。", "escalation", "k", **kw)


def test_it_is_a_channel_adapter(adapter):
    assert isinstance(adapter, ChannelAdapter) and adapter.channel == "telegram"


def test_a_message_with_buttons_is_sent(adapter, standin):
    result = adapter.send(alert(buttons=(("收到", "/affirm"), ("不方便", "/deny"))))
    assert result.outcome is Outcome.SENT and result.provider_id == "1"
    sent = standin.sent_to(CHAT)[0]
    assert [k["text"] for k in sent["reply_markup"]["inline_keyboard"][0]] == ["收到", "不方便"]


def test_429_is_retry_with_retry_after(adapter, standin):
    outcomes = [adapter.send(alert()) for _ in range(4)]
    assert [o.outcome for o in outcomes[:3]] == [Outcome.SENT] * 3
    assert outcomes[3].outcome is Outcome.RETRY and 0 < outcomes[3].retry_after <= 61
    standin.fail_next("sendMessage", 429, retry_after=7)
    forced = TelegramAdapter(TOKEN, base_url=standin.url).send(alert(chat=5))
    assert forced.outcome is Outcome.RETRY and forced.retry_after == 7


def test_blocked_and_unknown_chats_fail(adapter, standin):
    standin.blocked.add(CHAT)
    standin.unknown.add(42)
    blocked = adapter.send(alert())
    assert blocked.outcome is Outcome.FAILED and "403" in blocked.detail
    assert adapter.send(alert(chat=42)).outcome is Outcome.FAILED


def test_server_errors_and_no_network_are_retry(standin):
    standin.fail_next("sendMessage", 502)
    assert TelegramAdapter(TOKEN, base_url=standin.url).send(alert()).outcome is Outcome.RETRY
    assert TelegramAdapter(TOKEN, base_url="http://127.0.0.1:9", timeout=2).send(alert()).outcome is Outcome.RETRY


def test_a_wrong_token_fails(standin):
    assert TelegramAdapter("999:wrong", base_url=standin.url).send(alert()).outcome is Outcome.FAILED
