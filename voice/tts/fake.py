"""A TTS test double."""

from __future__ import annotations

from voice.audio import tone, write_wav
from voice.tts.base import Tts


class FakeTTS(Tts):
    """Test double: a short tone per call, and a log of what was spoken."""

    def __init__(self) -> None:
        self.spoken: list[tuple[str, str | None, int | None]] = []

    def synthesize(self, text: str, language: str | None = None, rate: int | None = None) -> bytes:
        self.spoken.append((text, language, rate))
        return write_wav(tone(500.0, 0.2, 16000), 16000)
