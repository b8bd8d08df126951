"""``anxin chat``: a terminal chat with the running Rasa server, as the demo elder."""

from __future__ import annotations

import sys
import uuid

import requests

PROMPT = "您 > "
QUIT_WORDS = {"/quit", "/exit", "退出"}


def send(rasa_url: str, sender: str, text: str, timeout: float = 30.0) -> list[dict]:
    """One turn through the REST channel; returns the bot's messages."""
    from core.settings import current

    token = current().rest_token
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": {"message_id": uuid.uuid4().hex}},
        headers={"Authorization": f"Bearer {token}"} if token else None,
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()


def render(messages: list[dict]) -> str:
    lines = []
    for message in messages:
        if message.get("text"):
            lines.append(f"安心 > {message['text']}")
        for button in message.get("buttons") or []:
            lines.append(f"       [{button.get('title')}]")
    return "\n".join(lines) if lines else "安心 > （没有回答）"


def chat(rasa_url: str, sender: str, stdin=sys.stdin, stdout=sys.stdout) -> int:
    print(f"安心小助手：以 {sender} 的身份聊天。输入 /quit 退出。", file=stdout, flush=True)
    while True:
        print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print(file=stdout)
            return 0
        text = line.strip()
        if not text:
            continue
        if text in QUIT_WORDS:
            return 0
        try:
            print(render(send(rasa_url, sender, text)), file=stdout, flush=True)
        except requests.RequestException as exc:
            print(f"（连不上助手服务：{exc.__class__.__name__}。请看 var/log/rasa.log）", file=stdout, flush=True)
