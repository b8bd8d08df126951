"""Speech synthesis behind a small interface; espeak-ng is the engine.

One module a part: the interface and the duration rules (``base``), the
``espeak-ng`` program (``program``), pyttsx3 in its worker thread
(``pyttsx3_engine``), the engine that picks and checks a voice per language
and falls back between them (``espeak``), and the test double (``fake``).
"""

from voice.tts.base import (
    MAX_RATE,
    MIN_RATE,
    PLAUSIBLE,
    PROBE,
    SECONDS_PER_UNIT,
    VOICES,
    Tts,
    TtsError,
    VoiceChoice,
    clamp_rate,
    expected_seconds,
    is_plausible,
    speech_units,
)
from voice.tts.espeak import EspeakTTS
from voice.tts.fake import FakeTTS
from voice.tts.program import EspeakProgram
from voice.tts.pyttsx3_engine import Pyttsx3Engine, shared_worker

__all__ = [
    "MAX_RATE",
    "MIN_RATE",
    "PLAUSIBLE",
    "PROBE",
    "SECONDS_PER_UNIT",
    "VOICES",
    "EspeakProgram",
    "EspeakTTS",
    "FakeTTS",
    "Pyttsx3Engine",
    "Tts",
    "TtsError",
    "VoiceChoice",
    "clamp_rate",
    "expected_seconds",
    "is_plausible",
    "shared_worker",
    "speech_units",
]
