"""Speech recognition behind a small interface; Vosk is the engine.

One Vosk model (hundreds of MB) is loaded once per process, lazily and under a
lock, and shared by every stream; each stream gets its own KaldiRecognizer,
because a recogniser holds one utterance's decoding state.  Vosk endpoints an
utterance on trailing silence (the model's ``endpoint.rule*`` settings), which
is what turns a stream into final transcripts.

Finished recognisers go back to a small pool for the next stream: a fresh
recogniser decodes its first utterance at a real-time factor of 0.35-0.45
here (it fills its lazily composed graph cache as it goes); a reused one at
0.05-0.17.  ``warm_up`` spends that first utterance at start-up.
"""

from __future__ import annotations

import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from voice.messages import AsrSettings, Transcript

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "vosk-model-small-cn-0.22"


class ModelNotFound(RuntimeError):
    """No Vosk model directory: install one (``anxin voice install-model``, on the device
    ``anxin-speaker install-model``)."""


class AsrStream(ABC):
    """One utterance stream: feed PCM, collect partial and final transcripts."""

    @abstractmethod
    def accept(self, pcm: bytes) -> list[Transcript]:
        """Feed 16-bit mono PCM; returns any new partials and finals."""

    @abstractmethod
    def finish(self) -> list[Transcript]:
        """End of audio: flush what is left as a final transcript."""


class Asr(ABC):
    @abstractmethod
    def open_stream(self) -> AsrStream: ...

    def transcribe(self, pcm: bytes, chunk: int = 8000) -> list[str]:
        """Final texts of a whole recording (one per endpointed utterance)."""
        stream = self.open_stream()
        results: list[Transcript] = []
        for start in range(0, len(pcm), chunk):
            results.extend(stream.accept(pcm[start : start + chunk]))
        results.extend(stream.finish())
        return [r.text for r in results if r.is_final]


def resolve_model_path(explicit: Path | None = None, models_dir: Path | None = None) -> Path:
    """The model directory: ``explicit``, else the default model under ``models_dir``.

    Both are the entry point's (``ANXIN_VOSK_MODEL``, ``var/models``): this
    module reads no settings, so it runs wherever the entry point does.
    """
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(Path(explicit))
    elif models_dir is not None:
        candidates.append(Path(models_dir) / DEFAULT_MODEL_NAME)
    for path in candidates:
        if is_model_dir(path):
            return path
    where = f"at {', '.join(map(str, candidates))}" if candidates else "configured"
    raise ModelNotFound(
        f"no Vosk model {where}: install one (`anxin voice install-model`, on the device "
        "`anxin-speaker install-model`) or set ANXIN_VOSK_MODEL"
    )


def is_model_dir(path: Path) -> bool:
    return (path / "am" / "final.mdl").is_file() and (path / "conf" / "model.conf").is_file()


_models: dict[Path, Any] = {}
_models_lock = threading.Lock()


def shared_model(path: Path) -> Any:
    """Load a Vosk model once per process (thread-safe), then reuse it."""
    key = Path(path).resolve()
    with _models_lock:
        model = _models.get(key)
        if model is None:
            import vosk

            vosk.SetLogLevel(-1)
            log.info("loading Vosk model from %s", key)
            model = vosk.Model(str(key))
            _models[key] = model
        return model


class VoskStream(AsrStream):
    def __init__(
        self, recogniser: Any, settings: AsrSettings, release: Callable[[Any], None]
    ) -> None:
        self._rec = recogniser
        self._release = release
        self._bytes_per_partial = max(2, int(settings.partial_interval * settings.rate) * 2)
        self._since_partial = 0
        self._last_partial = ""
        self._odd = b""

    def accept(self, pcm: bytes) -> list[Transcript]:
        if self._rec is None:
            raise RuntimeError("stream already finished")
        pcm = self._odd + pcm
        cut = len(pcm) - (len(pcm) % 2)
        pcm, self._odd = pcm[:cut], pcm[cut:]
        if not pcm:
            return []
        if self._rec.AcceptWaveform(pcm):
            self._since_partial, self._last_partial = 0, ""
            return _final(self._rec.Result())
        self._since_partial += len(pcm)
        if self._since_partial < self._bytes_per_partial:
            return []
        self._since_partial = 0
        text = _clean(json.loads(self._rec.PartialResult()).get("partial", ""))
        if not text or text == self._last_partial:
            return []
        self._last_partial = text
        return [Transcript(text, is_final=False)]

    def finish(self) -> list[Transcript]:
        if self._rec is None:
            return []
        rec, self._rec = self._rec, None
        results = _final(rec.FinalResult())  # also resets the recogniser for reuse
        self._release(rec)
        return results


def _clean(text: str) -> str:
    return " ".join(text.split())


def _final(result_json: str) -> list[Transcript]:
    text = _clean(json.loads(result_json).get("text", ""))
    return [Transcript(text, is_final=True)] if text else []


class VoskASR(Asr):
    """Vosk recogniser factory over one shared model."""

    POOL_SIZE = 4

    def __init__(self, settings: AsrSettings | None = None) -> None:
        self.settings = settings or AsrSettings()
        self._path: Path | None = None
        self._pool: list[Any] = []
        self._pool_lock = threading.Lock()

    @property
    def model_path(self) -> Path:
        if self._path is None:
            self._path = resolve_model_path(self.settings.model_path, self.settings.models_dir)
        return self._path

    def load(self) -> None:
        """Load the model now (start-up), rather than on the first utterance."""
        shared_model(self.model_path)

    def warm_up(self, pcm: bytes) -> list[str]:
        """Decode a sample utterance so the first real question is fast too."""
        return self.transcribe(pcm)

    def open_stream(self) -> AsrStream:
        with self._pool_lock:
            recogniser = self._pool.pop() if self._pool else None
        if recogniser is None:
            import vosk

            recogniser = vosk.KaldiRecognizer(shared_model(self.model_path), self.settings.rate)
        return VoskStream(recogniser, self.settings, self._release)

    def _release(self, recogniser: Any) -> None:
        with self._pool_lock:
            if len(self._pool) < self.POOL_SIZE:
                self._pool.append(recogniser)


class FakeASR(Asr):
    """Test double: replays scripted transcripts, one final per stream."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)

    def open_stream(self) -> AsrStream:
        text = self._texts.pop(0) if self._texts else ""
        return _FakeStream(text)


class _FakeStream(AsrStream):
    def __init__(self, text: str) -> None:
        self._text = text

    def accept(self, pcm: bytes) -> list[Transcript]:
        return []

    def finish(self) -> list[Transcript]:
        return [Transcript(self._text, is_final=True)] if self._text else []
