"""The TTS interface, its error, and the rules a voice's audio is checked by.

espeak-ng gives no sign when a voice goes wrong (it reads Chinese as English
letter names, or pyttsx3 quietly uses another voice), so a voice is judged
by how long it takes to say a known sentence: about one syllable per Han
character at the elder's rate.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

VOICES: dict[str, tuple[str, ...]] = {"cmn": ("cmn-latn-pinyin", "cmn"), "yue": ("yue",)}
PROBE = "您好，今天天气很好，请按时吃药。"
SECONDS_PER_UNIT = 0.42
"""About how long espeak-ng takes per Chinese character at 130 wpm."""
PLAUSIBLE = (0.5, 1.3)
MIN_RATE, MAX_RATE = 80, 450


class TtsError(RuntimeError):
    """No working voice for the language, or the engine failed."""


class Tts(ABC):
    @abstractmethod
    def synthesize(self, text: str, language: str | None = None, rate: int | None = None) -> bytes:
        """Speak ``text``; returns a WAV."""


def speech_units(text: str) -> int:
    """Syllable-ish units: one per Han character, one per Latin word or number."""
    han = len(re.findall(r"[\u3400-\u9fff]", text))
    other = len(re.findall(r"[A-Za-z]+|\d+", text))
    return han + other


def expected_seconds(text: str, rate: int) -> float:
    return speech_units(text) * SECONDS_PER_UNIT * 130.0 / rate


def is_plausible(text: str, rate: int, seconds: float) -> bool:
    expected = expected_seconds(text, rate)
    return expected > 0 and PLAUSIBLE[0] * expected <= seconds <= PLAUSIBLE[1] * expected


def clamp_rate(rate: int) -> int:
    return max(MIN_RATE, min(MAX_RATE, int(rate)))



@dataclass(frozen=True)
class VoiceChoice:
    language: str
    voice: str
    engine: str  # "pyttsx3" or "subprocess"
    probe_seconds: float
