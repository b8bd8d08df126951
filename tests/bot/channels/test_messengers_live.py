"""WeChat and Telegram against the running Rasa server (real NLU and dialogue):
real signed, encrypted XML and real update JSON to its webhooks."""

from __future__ import annotations

import random
import time

import pytest
import requests
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from core.settings import parse_env_file
from tests.bot.channels.test_telegram import text_update
from tests.bot.channels.test_wechat import encrypted, signed, text_xml

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DEMO = parse_env_file(__import__("core.settings", fromlist=["ROOT"]).ROOT / ".env.example")
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


def _user_texts(settings, sender):
    tracker = requests.get(f"{settings.rasa_url}/conversations/{sender}/tracker", params={"token": settings.rasa_token}, timeout=10).json()
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def test_a_wechat_message_thrice_is_one_turn_with_a_real_reply(servers):
    msg_id = random.randint(10**17, 10**18)
    url = f"{servers.rasa_url}/webhooks/wechat/webhook"
    replies = []
    for _ in range(3):
        params = signed()
        body, query = encrypted(text_xml("你好", msg_id), params)
        replies.append(requests.post(url, params=query, data=body, timeout=30))
    assert all(r.status_code == 200 for r in replies)
    sealed = xmltodict.parse(replies[0].text)["xml"]
    plain = WeChatCrypto(DEMO["ANXIN_WECHAT_TOKEN"], DEMO["ANXIN_WECHAT_AES_KEY"], DEMO["ANXIN_WECHAT_APP_ID"]).decrypt_message(
        replies[0].text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
    )
    assert "安心" in parse_message(plain).content
    assert _user_texts(servers, f"wechat:{OPENID}").count("你好") == 1


def test_a_forged_wechat_signature_is_refused(servers):
    params = {**signed(), "signature": "0" * 40}
    reply = requests.post(f"{servers.rasa_url}/webhooks/wechat/webhook", params=params,
                          data=text_xml("你好", 1).encode(), timeout=10)
    assert reply.status_code == 403


def test_a_duplicate_telegram_update_is_one_turn(servers):
    chat_id = random.randint(10**8, 10**9)
    update = text_update(random.randint(1, 10**9), "你好", chat_id=chat_id)
    headers = {"X-Telegram-Bot-Api-Secret-Token": DEMO["ANXIN_TELEGRAM_SECRET_TOKEN"]}
    url = f"{servers.rasa_url}/webhooks/telegram/webhook"
    for _ in range(2):
        assert requests.post(url, json=update, headers=headers, timeout=30).status_code == 200
    time.sleep(1)
    assert _user_texts(servers, f"telegram:{chat_id}").count("你好") == 1
    assert requests.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}, timeout=10).status_code == 403
