"""espeak-ng through pyttsx3: real WAVs, the right voices, the rate obeyed, a watchdog."""

from __future__ import annotations

import threading
import time

import pytest

from tests.voice.helpers import need_espeak
from voice.audio import read_wav, wav_duration
from voice.messages import TtsSettings
from voice.tts import (
    EspeakTTS,
    TtsError,
    expected_seconds,
    is_plausible,
    speech_units,
)

TEXT = "您好，我是安心助手。请您按时吃药，多喝温水。"


@pytest.fixture(scope="module")
def tts() -> EspeakTTS:
    need_espeak()
    engine = EspeakTTS()
    engine.start()
    return engine


@pytest.mark.parametrize("language", ["cmn", "yue"])
def test_real_wav_of_plausible_duration(tts, language):
    wav = tts.synthesize(TEXT, language=language, rate=130)
    samples, rate = read_wav(wav)
    assert rate == 22050
    assert samples.size and abs(samples).max() > 0.05, "silent output"
    assert is_plausible(TEXT, 130, wav_duration(wav)), wav_duration(wav)


def test_start_picks_mandarin_voice_that_does_not_switch_to_english(tts):
    choices = tts.start()
    assert set(choices) == {"cmn", "yue"}
    assert "(en)" not in tts.program.phonemes("您好", choices["cmn"].voice)
    assert "(en)" not in tts.program.phonemes("您好", choices["yue"].voice)


@pytest.mark.parametrize("language", ["cmn", "yue"])
def test_slower_rate_gives_longer_speech(tts, language):
    slow = wav_duration(tts.synthesize(TEXT, language=language, rate=90))
    normal = wav_duration(tts.synthesize(TEXT, language=language, rate=130))
    fast = wav_duration(tts.synthesize(TEXT, language=language, rate=175))
    assert slow > 1.2 * normal > 1.2 * fast


def test_languages_sound_different(tts):
    assert tts.synthesize(TEXT, "cmn") != tts.synthesize(TEXT, "yue")


def test_unknown_language_is_refused(tts):
    with pytest.raises(TtsError):
        tts.synthesize(TEXT, language="klingon")


def test_empty_text_gives_short_silence(tts):
    assert wav_duration(tts.synthesize("  ")) < 0.2


def test_subprocess_engine_matches(tts):
    need_espeak()
    sub = EspeakTTS(TtsSettings(engine="subprocess"))
    assert {c.engine for c in sub.start().values()} == {"subprocess"}
    a = wav_duration(sub.synthesize(TEXT, "cmn", 130))
    b = wav_duration(tts.synthesize(TEXT, "cmn", 130))
    assert abs(a - b) < 0.05 * b


def test_watchdog_falls_back_to_the_program_when_pyttsx3_hangs():
    need_espeak()
    engine = EspeakTTS(TtsSettings(timeout=0.5))
    engine.start()
    release = threading.Event()

    class Hanging:
        def synthesize(self, *args):
            release.wait(10)
            return b""

    engine._pyttsx3 = Hanging()
    try:
        started = time.monotonic()
        wav = engine.synthesize(TEXT, "cmn", 130)
        assert time.monotonic() - started < 3.0
        assert is_plausible(TEXT, 130, wav_duration(wav))
        # Given up on for good: the next call does not wait for the watchdog again.
        started = time.monotonic()
        engine.synthesize(TEXT, "yue", 130)
        assert time.monotonic() - started < 0.4
    finally:
        release.set()  # free the process's one pyttsx3 thread for the other tests


def test_voice_that_speaks_english_is_rejected():
    need_espeak()
    engine = EspeakTTS(TtsSettings(engine="subprocess"))
    real = engine.program.phonemes
    engine.program.phonemes = lambda text, voice: (
        "(en)tS'aIni:z" if voice == "yue" else real(text, voice)
    )
    with pytest.raises(TtsError, match="English"):
        engine.start()


def test_pyttsx3_that_ignores_the_voice_falls_back_to_the_program():
    """pyttsx3 reports no voice; a mismatch with the program's audio is the tell."""
    need_espeak()
    engine = EspeakTTS()

    class WrongVoice:
        def synthesize(self, text, voice, rate):
            return engine.program.synthesize(text, "en", rate)

    engine._pyttsx3 = WrongVoice()
    choices = engine.start()
    assert {c.engine for c in choices.values()} == {"subprocess"}


def test_duration_rule():
    assert speech_units("您好，今天 OK 吗 3 点") == 8
    assert expected_seconds("您好", 65) == pytest.approx(2 * expected_seconds("您好", 130))
    english_fallback = 13 * 1.0  # espeak reads each Han character as "Chinese letter"
    assert not is_plausible("您好，今天天气很好，请按时吃药。", 130, english_fallback)
