"""Voice notes from WeChat and Telegram, turned into text with ``voice/``'s ASR.

WeChat sends AMR, Telegram OGG/Opus; both are decoded with ffmpeg when it is
installed (WAV needs nothing).  Without an ASR model or a decoder the answer
is ``None`` and the channel asks the user, politely, to type instead.  All of
it blocks: call it in an executor.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading

log = logging.getLogger(__name__)

_lock = threading.Lock()
_asr = None  # the voice package's Asr, loaded once per process


def set_asr(asr) -> None:
    """Use this recogniser (tests pass ``voice.asr.FakeASR``); None = load Vosk lazily."""
    global _asr
    with _lock:
        _asr = asr


def _recogniser():
    global _asr
    with _lock:
        if _asr is None:
            try:
                from core.settings import current
                from voice.asr import VoskASR, resolve_model_path
                from voice.cli import asr_settings

                settings = asr_settings(current())
                resolve_model_path(settings.model_path, settings.models_dir)
                _asr = VoskASR(settings)
            except Exception as exc:  # noqa: BLE001 - no voice package or model: degrade to text
                log.info("voice notes cannot be transcribed here: %s", type(exc).__name__)
                return None
        return _asr


def _pcm(audio: bytes) -> bytes | None:
    """16 kHz mono 16-bit PCM, or None when this machine cannot decode the format."""
    from voice.audio import prepare_for_asr, read_wav

    if audio[:4] == b"RIFF":
        samples, rate = read_wav(audio)
        return prepare_for_asr(samples, rate)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    done = subprocess.run(
        [ffmpeg, "-loglevel", "error", "-i", "pipe:0", "-ar", "16000", "-ac", "1", "-f", "s16le", "pipe:1"],
        input=audio, capture_output=True, timeout=60, check=False,
    )
    return done.stdout if done.returncode == 0 and done.stdout else None


def transcribe(audio: bytes) -> str | None:
    """The words of a voice note, or None (no model, no decoder, nothing heard)."""
    asr = _recogniser()
    if asr is None or not audio:
        return None
    try:
        pcm = _pcm(audio)
        if pcm is None:
            return None
        text = "".join(asr.transcribe(pcm)).strip()
    except (ValueError, OSError, subprocess.SubprocessError) as exc:
        log.warning("a voice note could not be decoded: %s", type(exc).__name__)
        return None
    return text or None
