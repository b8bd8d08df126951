"""WeChat's proof that a request is its own, and the safe-mode envelope.

Shaped after wechatpy's ``examples/echo-encrypted``: the plain signature and
a fresh timestamp on every request (403 on forgery or a timestamp more than
five minutes off), then, in safe mode (``encrypt_type=aes`` with
``msg_signature``), the body is decrypted; replies are encrypted the same way.
"""

from __future__ import annotations

import time
from typing import Any

MAX_AGE_SECONDS = 300
MAX_BODY_BYTES = 64 * 1024


class WeChatEnvelope:
    def __init__(self, token: str, encoding_aes_key: str = "", app_id: str = "") -> None:
        self.token = token
        self.crypto = None
        if encoding_aes_key:
            from wechatpy.crypto import WeChatCrypto

            self.crypto = WeChatCrypto(token, encoding_aes_key, app_id)

    def verified(self, args: Any, now: float | None = None) -> bool:
        """The plain signature WeChat puts on every request, and a fresh timestamp."""
        from wechatpy.exceptions import InvalidSignatureException
        from wechatpy.utils import check_signature

        signature, timestamp, nonce = (args.get(k, "") for k in ("signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce) or len(nonce) > 64 or not (timestamp.isascii() and timestamp.isdigit()):
            return False
        if abs((time.time() if now is None else now) - int(timestamp[:12])) > MAX_AGE_SECONDS:
            return False
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            return False
        return True

    def open(self, args: Any, body: bytes) -> tuple[str | None, int]:
        """The message XML, or (None, status) when it is forged (403), too large (413) or garbage (400)."""
        if len(body) > MAX_BODY_BYTES:
            return None, 413
        if args.get("encrypt_type", "raw") != "aes":
            try:
                return body.decode("utf-8"), 200
            except UnicodeDecodeError:
                return None, 400
        if self.crypto is None:
            return None, 400
        from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

        msg_signature = args.get("msg_signature", "")
        if not msg_signature:
            return None, 403
        try:
            return self.crypto.decrypt_message(body, msg_signature, args.get("timestamp"), args.get("nonce")), 200
        except (InvalidSignatureException, InvalidAppIdException):
            return None, 403
        except Exception:  # noqa: BLE001 - any other failure is a body we cannot read
            return None, 400

    def seal(self, args: Any, xml: str) -> str:
        """Encrypt a reply when the request came in safe mode."""
        if args.get("encrypt_type") == "aes" and self.crypto is not None:
            return self.crypto.encrypt_message(xml, args.get("nonce"), args.get("timestamp"))
        return xml
