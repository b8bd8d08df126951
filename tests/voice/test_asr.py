"""The ASR path on a real Vosk model (Korean, shipped by a pip package)."""

from __future__ import annotations

import re
import threading

import pytest

from tests.voice.helpers import KOREAN, KOREAN_2, korean_samples, need_korean_model, pcm
from voice.asr import ModelNotFound, VoskASR, resolve_model_path, shared_model
from voice.audio import to_pcm16
from voice.messages import AsrSettings

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def asr() -> VoskASR:
    engine = VoskASR(AsrSettings(model_path=need_korean_model()))
    engine.load()
    return engine


def test_speech_gives_korean_text(asr):
    finals = asr.transcribe(pcm(0.3, korean_samples(KOREAN), 1.0))
    assert len(finals) == 1
    assert HANGUL.search(finals[0]), finals


def test_silence_gives_nothing(asr):
    assert asr.transcribe(pcm(3.0)) == []


def test_digital_silence_gives_nothing(asr):
    assert asr.transcribe(to_pcm16(korean_samples(KOREAN) * 0.0)) == []


def test_two_utterances_separated_by_silence_give_two_finals(asr):
    audio = pcm(0.3, korean_samples(KOREAN), 1.5, korean_samples(KOREAN_2), 1.5)
    finals = asr.transcribe(audio)
    assert len(finals) == 2, finals
    assert all(HANGUL.search(text) for text in finals)


def test_partials_stream_before_the_final(asr):
    stream = asr.open_stream()
    audio = pcm(0.3, korean_samples(KOREAN), 1.0)
    events = []
    for start in range(0, len(audio), 3200):  # 0.1 s chunks, as a microphone delivers
        events.extend(stream.accept(audio[start : start + 3200]))
    events.extend(stream.finish())
    partials = [e for e in events if not e.is_final]
    finals = [i for i, e in enumerate(events) if e.is_final]
    assert partials, events
    assert finals and events.index(partials[0]) < finals[0]
    assert all(HANGUL.search(p.text) for p in partials)
    assert len({p.text for p in partials}) == len(partials), "a partial repeats unchanged"


def test_odd_byte_chunks_are_carried_over(asr):
    stream = asr.open_stream()
    audio = pcm(0.3, korean_samples(KOREAN), 1.0)
    events = []
    for start in range(0, len(audio), 3201):
        events.extend(stream.accept(audio[start : start + 3201]))
    events.extend(stream.finish())
    assert [e for e in events if e.is_final]


def test_one_model_shared_across_streams_and_threads(asr):
    path = asr.model_path
    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(id(shared_model(path)))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1
    assert asr.open_stream()._rec is not asr.open_stream()._rec


def test_streams_are_independent(asr):
    """Two interleaved streams: each keeps its own utterance."""
    a, b = asr.open_stream(), asr.open_stream()
    speech, quiet = pcm(0.3, korean_samples(KOREAN), 1.0), pcm(2.0)
    out_a, out_b = [], []
    for start in range(0, max(len(speech), len(quiet)), 3200):
        out_a.extend(a.accept(speech[start : start + 3200]))
        out_b.extend(b.accept(quiet[start : start + 3200]))
    out_a.extend(a.finish())
    out_b.extend(b.finish())
    assert [e for e in out_a if e.is_final]
    assert not [e for e in out_b if e.is_final]


def test_recognisers_are_pooled_and_start_clean(asr):
    first = asr.open_stream()
    recogniser = first._rec
    first.accept(pcm(0.3, korean_samples(KOREAN)))  # no trailing silence: mid-utterance
    first.finish()
    second = asr.open_stream()
    assert second._rec is recogniser
    assert [e for e in second.accept(pcm(2.0)) + second.finish() if e.is_final] == []
    with pytest.raises(RuntimeError):
        first.accept(b"\x00\x00")


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFound, match="install-model"):
        resolve_model_path(tmp_path / "nothing-here")
