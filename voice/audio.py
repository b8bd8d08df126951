"""WAV in and out, and the conditioning Vosk needs.

espeak-ng output fed raw to Kaldi gave empty results here: its digital silence
(exact zeros) starves the feature pipeline.  Resampling to 16 kHz, normalising
the peak and adding a little dither noise fixes that, and costs nothing on real
microphone audio, which always carries some noise.
"""

from __future__ import annotations

import io
import wave

import numpy as np

from voice.messages import ASR_RATE

PEAK = 0.7
DITHER = 1e-3
"""Dither standard deviation, as a fraction of full scale (about -60 dBFS)."""


class AudioError(ValueError):
    """The bytes are not audio this module can read."""


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Decode a PCM WAV into float32 mono samples in [-1, 1] and its sample rate."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"not a PCM WAV file: {exc}") from exc
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    else:
        raise AudioError(f"unsupported sample width: {width} bytes")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def write_wav(samples: np.ndarray, rate: int) -> bytes:
    """Encode float samples in [-1, 1] as a 16-bit mono WAV."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(to_pcm16(samples))
    return buf.getvalue()


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def from_pcm16(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def wav_duration(data: bytes) -> float:
    """Seconds of audio in a WAV (0.0 for an empty one)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"not a PCM WAV file: {exc}") from exc


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Band-limited polyphase resampling (scipy), linear interpolation without it."""
    if src == dst or samples.size == 0:
        return samples.astype(np.float32)
    try:
        from math import gcd

        from scipy.signal import resample_poly
    except ImportError:
        n_out = int(round(samples.size * dst / src))
        positions = np.arange(n_out) * (src / dst)
        return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)
    g = gcd(src, dst)
    return resample_poly(samples, dst // g, src // g).astype(np.float32)


def normalise(samples: np.ndarray, peak: float = PEAK) -> np.ndarray:
    """Scale to a fixed peak; silence stays silence."""
    top = float(np.max(np.abs(samples))) if samples.size else 0.0
    if top < 1e-6:
        return samples.astype(np.float32)
    return (samples * (peak / top)).astype(np.float32)


def dither(samples: np.ndarray, level: float = DITHER, seed: int = 0) -> np.ndarray:
    """Add quiet Gaussian noise (seeded, so tests are deterministic)."""
    noise = np.random.default_rng(seed).normal(0.0, level, samples.shape)
    return (samples + noise).astype(np.float32)


def prepare_for_asr(samples: np.ndarray, rate: int, seed: int = 0) -> bytes:
    """Resample to 16 kHz, normalise, dither; return 16-bit PCM for Vosk."""
    return to_pcm16(dither(normalise(resample(samples, rate, ASR_RATE)), seed=seed))


def wav_to_asr_pcm(data: bytes, seed: int = 0) -> bytes:
    samples, rate = read_wav(data)
    return prepare_for_asr(samples, rate, seed=seed)


def silence(seconds: float, rate: int = ASR_RATE) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype=np.float32)


def tone(
    freq: float, seconds: float, rate: int = 16000, volume: float = 0.6, fade: float = 0.01
) -> np.ndarray:
    """A sine tone with short fades (no clicks)."""
    t = np.arange(int(seconds * rate)) / rate
    out = volume * np.sin(2 * np.pi * freq * t)
    n_fade = min(int(fade * rate), out.size // 2)
    if n_fade:
        ramp = np.linspace(0.0, 1.0, n_fade)
        out[:n_fade] *= ramp
        out[-n_fade:] *= ramp[::-1]
    return out.astype(np.float32)


def alarm(seconds: float = 3.0, rate: int = 16000) -> bytes:
    """A loud two-tone siren as WAV: generated, so no asset is downloaded."""
    parts = []
    for i in range(max(1, int(seconds / 0.25))):
        parts.append(tone(960.0 if i % 2 == 0 else 770.0, 0.25, rate, volume=0.9))
    return write_wav(np.concatenate(parts), rate)


def chime(rate: int = 16000) -> bytes:
    """A soft rising two-note chime before something the speaker says on its own."""
    gap = silence(0.06, rate)
    return write_wav(np.concatenate([tone(660.0, 0.18, rate, volume=0.4), gap, tone(880.0, 0.3, rate, volume=0.4)]),
                     rate)


def error_beep(rate: int = 16000) -> bytes:
    """Two low beeps: "I could not reach the server" without any wording in code."""
    gap = silence(0.12, rate)
    return write_wav(np.concatenate([tone(440.0, 0.15, rate), gap, tone(330.0, 0.25, rate)]), rate)


def concat_wavs(wavs: list[bytes], rate: int = 16000, gap: float = 0.3) -> bytes:
    """Join WAVs (resampled to one rate) with short pauses between them."""
    parts: list[np.ndarray] = []
    for i, data in enumerate(wavs):
        samples, src = read_wav(data)
        if i:
            parts.append(silence(gap, rate))
        parts.append(resample(samples, src, rate))
    return write_wav(np.concatenate(parts) if parts else silence(0.0, rate), rate)
