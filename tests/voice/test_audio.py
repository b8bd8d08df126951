"""WAV handling and the conditioning that lets Kaldi hear synthetic speech."""

from __future__ import annotations

import numpy as np
import pytest

from voice.audio import (
    AudioError,
    alarm,
    concat_wavs,
    dither,
    normalise,
    prepare_for_asr,
    read_wav,
    resample,
    tone,
    wav_duration,
    write_wav,
)


def test_wav_round_trip():
    samples = tone(440.0, 0.5, 16000)
    back, rate = read_wav(write_wav(samples, 16000))
    assert rate == 16000 and back.size == samples.size
    assert np.max(np.abs(back - samples)) < 1e-3


def test_not_a_wav():
    with pytest.raises(AudioError):
        read_wav(b"hello")


def test_resample_22050_to_16k_keeps_duration_and_pitch():
    samples = tone(440.0, 1.0, 22050)
    out = resample(samples, 22050, 16000)
    assert out.size == 16000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * 16000 / out.size - 440.0) < 2.0


def test_normalise_and_dither():
    quiet = tone(300.0, 0.2, 16000, volume=0.01)
    assert np.max(np.abs(normalise(quiet))) == pytest.approx(0.7, abs=1e-3)
    zeros = np.zeros(1600, dtype=np.float32)
    assert not normalise(zeros).any()
    noisy = dither(zeros)
    assert noisy.any() and np.std(noisy) == pytest.approx(1e-3, rel=0.2)
    assert np.array_equal(noisy, dither(zeros)), "dither must be deterministic"


def test_prepare_for_asr_gives_16k_pcm_without_digital_silence():
    pcm = prepare_for_asr(np.zeros(22050, dtype=np.float32), 22050)
    assert len(pcm) == 2 * 16000
    assert np.count_nonzero(np.frombuffer(pcm, dtype="<i2")) > 10000


def test_alarm_is_loud_and_long():
    wav = alarm(2.0)
    samples, _ = read_wav(wav)
    assert wav_duration(wav) == pytest.approx(2.0, abs=0.01) and np.max(np.abs(samples)) > 0.8


def test_concat_resamples_to_one_rate():
    joined = concat_wavs(
        [write_wav(tone(300, 1.0, 22050), 22050), write_wav(tone(300, 1.0, 16000), 16000)]
    )
    assert wav_duration(joined) == pytest.approx(2.3, abs=0.01)
