"""The WeChat adapter against the stand-in: customer service, then template fallback."""

from __future__ import annotations

import pytest

from bot.outbound.base import ChannelAdapter, OutboundMessage, Outcome
from bot.outbound.wechat import WeChatAdapter
from bot.outbound.wechat_api import FileTokenStore, WeChatAPI
from bot.standins.wechat import WeChatStandIn

APP_ID, SECRET, OPENID = "wx00demo00anxin00", "s", "o_daughter"


@pytest.fixture
def standin():
    with WeChatStandIn(APP_ID, SECRET, cs_limit=3) as stand:
        yield stand


@pytest.fixture
def adapter(standin, tmp_path):
    api = WeChatAPI(APP_ID, SECRET, FileTokenStore(tmp_path / "token.json"), base_url=standin.url, timeout=5)
    return WeChatAdapter(api, template_id="tmpl-alert")


def alert(key: str = "k1", **kw) -> OutboundMessage:
    return OutboundMessage("wechat", OPENID, "王秀兰报告胸口疼，请尽快联系她。", "alert", key, **kw)


def test_it_is_a_channel_adapter(adapter):
    assert isinstance(adapter, ChannelAdapter) and adapter.channel == "wechat"


def test_a_customer_service_message_is_sent_with_its_choices(adapter, standin):
    result = adapter.send(alert(buttons=(("收到", "/affirm"), ("稍后", "/deny"))))
    assert result.outcome is Outcome.SENT
    assert standin.sent_to(OPENID, "custom")[0]["payload"]["text"]["content"].endswith("（收到 / 稍后）")


@pytest.mark.parametrize("errcode", [45015, 45047])
def test_a_shut_window_is_fallback_then_a_template(adapter, standin, errcode):
    standin.fail_next("/cgi-bin/message/custom/send", errcode)
    first = adapter.send(alert())
    assert first.outcome is Outcome.FALLBACK and str(errcode) in first.detail
    second = adapter.send_fallback(alert())
    assert second.outcome is Outcome.SENT and second.provider_id
    template = standin.sent_to(OPENID, "template")[0]["payload"]
    assert template["template_id"] == "tmpl-alert"
    assert template["data"]["content"]["value"] == "王秀兰报告胸口疼，请尽快联系她。"


def test_deliver_falls_back_when_the_reply_count_is_used_up(adapter, standin):
    results = [adapter.deliver(alert(f"k{i}")).outcome for i in range(5)]
    assert results == [Outcome.SENT] * 5
    assert len(standin.sent_to(OPENID, "custom")) == 3, "the stand-in's limit"
    assert len(standin.sent_to(OPENID, "template")) == 2


def test_a_template_can_be_chosen_per_message(adapter, standin):
    message = alert(template={"template_id": "tmpl-lecture", "data": {"first": {"value": "讲座"}}})
    assert adapter.send_fallback(message).outcome is Outcome.SENT
    assert standin.sent_to(OPENID, "template")[0]["payload"]["template_id"] == "tmpl-lecture"


def test_without_a_template_the_fallback_fails_honestly(standin, tmp_path):
    api = WeChatAPI(APP_ID, SECRET, FileTokenStore(tmp_path / "t.json"), base_url=standin.url)
    result = WeChatAdapter(api, template_id="").send_fallback(alert())
    assert result.outcome is Outcome.FAILED and "template" in result.detail


def test_token_errors_are_refreshed_once(adapter, standin):
    adapter.send(alert())
    standin.revoke_tokens()
    assert adapter.send(alert("k2")).outcome is Outcome.SENT
    assert standin.token_fetches == 2


@pytest.mark.parametrize(("errcode", "outcome"), [(45009, Outcome.RETRY), (-1, Outcome.RETRY),
                                                   (43004, Outcome.FAILED), (40003, Outcome.FAILED)])
def test_quota_busy_and_permanent_errors(adapter, standin, errcode, outcome):
    standin.fail_next("/cgi-bin/message/custom/send", errcode)
    assert adapter.send(alert()).outcome is outcome


def test_an_unreachable_api_is_retry(tmp_path):
    api = WeChatAPI(APP_ID, SECRET, FileTokenStore(tmp_path / "t.json"), base_url="http://127.0.0.1:9", timeout=2)
    assert WeChatAdapter(api, "tmpl").send(alert()).outcome is Outcome.RETRY
