"""Small frozen messages and per-stage settings passed between voice stages.

Shaped after rhasspy/wyoming: plain dataclasses, no behaviour beyond a few
derived properties, so stages and their test fakes agree on one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ASR_RATE = 16000
"""Vosk models here are trained on 16 kHz, 16-bit, mono PCM."""

DEFAULT_RATE_WPM = 130
"""Slow by default: elders asked for slower speech than espeak's 175 wpm."""

LANGUAGES = ("cmn", "yue")


@dataclass(frozen=True)
class AudioChunk:
    """Raw little-endian PCM."""

    audio: bytes
    rate: int = ASR_RATE
    width: int = 2
    channels: int = 1

    @property
    def seconds(self) -> float:
        return len(self.audio) / (self.rate * self.width * self.channels)


@dataclass(frozen=True)
class Transcript:
    """A partial (still changing) or final (endpointed) recognition result."""

    text: str
    is_final: bool


@dataclass(frozen=True)
class VoiceSpec:
    """How the server wants the reply spoken (from the speaker channel's answer)."""

    language: str = "cmn"
    rate: int = DEFAULT_RATE_WPM


@dataclass(frozen=True)
class Reply:
    """The speaker channel's answer to one text turn."""

    texts: tuple[str, ...]
    voice: VoiceSpec = VoiceSpec()
    message_id: str = ""
    help: str = ""
    """``called``, ``asked`` or ``none`` (what the server can promise about help); '' from an older server."""


@dataclass(frozen=True)
class Announcement:
    id: str | int
    """Echoed back unchanged in the acknowledgement (the Rasa channel uses integers)."""
    text: str
    voice: VoiceSpec = VoiceSpec()
    """The elder's voice and rate, as the server keeps them."""
    kind: str = ""


OFFLINE_HELP = "我听到您在求救。正在想办法联系家人和社区，请先别乱动。能打电话的话，请直接打120。"
"""Said with the siren when a call for help cannot reach the server.  It is
the one sentence the device says without the server (reply text otherwise
lives in the Rasa domain), so it is synthesised when the speaker starts and
works with no network at all.  It promises nothing the device cannot do."""


@dataclass(frozen=True)
class AsrSettings:
    model_path: Path | None = None
    """The Vosk model folder; None: the default model under ``models_dir``."""
    models_dir: Path | None = None
    """Where ``install-model`` puts models; the entry point passes ``var/models``."""
    rate: int = ASR_RATE
    partial_interval: float = 0.25
    """Seconds of audio between partial results (PartialResult costs a traceback)."""


@dataclass(frozen=True)
class TtsSettings:
    language: str = "cmn"
    rate: int = DEFAULT_RATE_WPM
    timeout: float = 10.0
    """Watchdog: seconds a synthesis may take before the engine is given up on."""
    engine: str = "auto"
    """``auto`` (pyttsx3, subprocess when it misbehaves), ``pyttsx3`` or ``subprocess``."""


@dataclass(frozen=True)
class SpeakerSettings:
    server: str = "http://127.0.0.1:5005"
    device_id: str = "demo-speaker"
    token: str = field(default="", repr=False)
    http_timeout: float = 10.0
    wake_phrases: tuple[str, ...] = ("安心安心", "你好安心", "安心你好")
    require_wake: bool = False
    """File mode and push-to-talk need no wake phrase; always-listening mode does."""
    retry_initial: float = 1.0
    retry_max: float = 30.0
    give_up_after: float | None = None
    """None: an emergency is retried until it gets through."""
    state_dir: Path | None = None
    """Where calls for help not yet delivered are kept, so a reboot does not
    lose them; None keeps them in memory only (file mode, tests)."""
    announce_every: float = 20.0
    """Seconds between polls for announcements in push-to-talk mode."""
    background_retry: bool = False
    """Device modes: retry an undelivered call for help on a thread while the
    loop goes on listening; file mode retries in the foreground."""
