"""Speech synthesis behind a small interface; espeak-ng (via pyttsx3) is the engine.

Three things found on this machine (espeak-ng 1.51, pyttsx3 2.99) shape it:

* espeak-ng's ``cmn`` voice reads many characters as pinyin with the tone
  digit spoken *in English* ("nin two"); ``cmn-latn-pinyin`` speaks them as
  Mandarin.  So each language has candidate voices, and the start-up check
  rejects a voice whose phonemes switch to English.
* pyttsx3 accepts any voice name without an error and its ``voice`` property
  always reports the default, so the selected voice is checked by the audio
  itself: a probe sentence must last about as long as the same voice takes
  through the espeak-ng program, and as long as Chinese speech should.
* pyttsx3 can hang in ``runAndWait``; it runs in one daemon worker thread
  with a watchdog, and after a timeout the ``espeak-ng`` program is used.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from voice.audio import AudioError, from_pcm16, read_wav, silence, wav_duration, write_wav
from voice.messages import TtsSettings

log = logging.getLogger(__name__)

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


class EspeakProgram:
    """The ``espeak-ng`` program: the fallback engine and the phoneme oracle."""

    def __init__(self, binary: str = "espeak-ng", timeout: float = 10.0) -> None:
        self.binary = shutil.which(binary) or ""
        self.timeout = timeout

    @property
    def available(self) -> bool:
        return bool(self.binary)

    def phonemes(self, text: str, voice: str) -> str:
        out = subprocess.run(  # noqa: S603 - fixed binary, argument list
            [self.binary, "-v", voice, "-q", "-x", text],
            capture_output=True,
            timeout=self.timeout,
            check=True,
        )
        return out.stdout.decode("utf-8", "replace")

    def synthesize(self, text: str, voice: str, rate: int) -> bytes:
        out = subprocess.run(  # noqa: S603
            [self.binary, "-v", voice, "-s", str(clamp_rate(rate)), "--stdout", text],
            capture_output=True,
            timeout=self.timeout,
            check=True,
        )
        return _fix_stream_header(out.stdout)

    def stream(self, text: str, voice: str, rate: int, chunk: int = 4096) -> Iterator[bytes]:
        """Raw 16-bit PCM (22050 Hz) as espeak-ng writes it, header skipped."""
        proc = subprocess.Popen(  # noqa: S603
            [self.binary, "-v", voice, "-s", str(clamp_rate(rate)), "--stdout", text],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        try:
            header = proc.stdout.read(44)
            if len(header) < 44:
                return
            while data := proc.stdout.read1(chunk):
                yield data
        finally:
            proc.stdout.close()
            proc.wait(timeout=self.timeout)


def _fix_stream_header(data: bytes) -> bytes:
    """espeak-ng streams a WAV with a placeholder length; rewrite it properly."""
    if len(data) < 44 or data[:4] != b"RIFF":
        raise TtsError("espeak-ng wrote no WAV")
    rate = int.from_bytes(data[24:28], "little")
    pcm = data[44:]
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    return write_wav(from_pcm16(pcm), rate)


class _Worker:
    """One daemon thread owning pyttsx3 (espeak's state is process-global)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], bytes], Future]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="pyttsx3", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], bytes]) -> Future:
        future: Future = Future()
        self._jobs.put((fn, future))
        return future

    def _run(self) -> None:
        while True:
            fn, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)


_worker: _Worker | None = None
_worker_lock = threading.Lock()


def shared_worker() -> _Worker:
    """The process's one pyttsx3 thread, whatever the number of EspeakTTS objects."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _Worker()
        return _worker


class Pyttsx3Engine:
    """pyttsx3 with the espeak driver, used only from its worker thread."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._engine = None
        self.timeout = timeout

    def synthesize(self, text: str, voice: str, rate: int) -> bytes:
        """Synthesise to a temporary WAV and read it back.

        ``runAndWait`` can return before espeak has finished: under CPU load,
        5 of 15 first syntheses here came back as an empty file, written a
        moment later.  So wait for espeak's queue and for pyttsx3's
        ``finished-utterance`` (sent after the file is written) as well.
        """
        import pyttsx3
        from pyttsx3.drivers import _espeak

        if self._engine is None:
            self._engine = pyttsx3.init("espeak")
        engine = self._engine
        self._select(voice, clamp_rate(rate))
        fd, path = tempfile.mkstemp(suffix=".wav", prefix="anxin-tts-")
        os.close(fd)
        finished = threading.Event()
        token = engine.connect("finished-utterance", lambda **_: finished.set())
        try:
            # pyttsx3 prints "Audio saved to ..." on every file; keep stdout clean.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(text, path)
                engine.runAndWait()
                _espeak.Synchronize()
                if not finished.wait(self.timeout):
                    raise TtsError("espeak never finished the utterance")
            with open(path, "rb") as fh:
                data = fh.read()
        finally:
            engine.disconnect(token)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        if not data:
            raise TtsError("pyttsx3 wrote an empty file")
        return data

    @staticmethod
    def _select(voice: str, rate: int) -> None:
        """Set voice and rate on espeak itself, then wait for espeak's queue.

        ``engine.setProperty`` goes through pyttsx3's command queue, which the
        espeak driver pumps out of order: here 20 of 30 syntheses came out at
        the previous call's rate.  Setting them on the library directly and
        calling ``espeak_Synchronize`` gave 0 of 30.
        """
        from pyttsx3.drivers import _espeak

        status = _espeak.SetVoiceByName(voice.encode("utf-8"))
        if status != _espeak.EE_OK:
            raise TtsError(f"espeak has no voice {voice!r} (status {status})")
        _espeak.SetParameter(_espeak.RATE, rate, 0)
        _espeak.Synchronize()


@dataclass(frozen=True)
class VoiceChoice:
    language: str
    voice: str
    engine: str  # "pyttsx3" or "subprocess"
    probe_seconds: float


class EspeakTTS(Tts):
    """Mandarin and Cantonese through espeak-ng, slow by default, checked at start."""

    def __init__(self, settings: TtsSettings | None = None, binary: str = "espeak-ng") -> None:
        self.settings = settings or TtsSettings()
        self.program = EspeakProgram(binary, timeout=self.settings.timeout)
        self._pyttsx3 = Pyttsx3Engine(self.settings.timeout)
        self._pyttsx3_broken = self.settings.engine == "subprocess"
        self._choices: dict[str, VoiceChoice] = {}
        self._lock = threading.Lock()

    # -- start-up check -------------------------------------------------------
    def start(self) -> dict[str, VoiceChoice]:
        """Pick and verify a voice and engine per language; raises if none works."""
        for language in VOICES:
            self._choices[language] = self._choose(language)
        return dict(self._choices)

    def _choose(self, language: str) -> VoiceChoice:
        rate = 130
        problems: list[str] = []
        for voice in VOICES[language]:
            reference = None
            if self.program.available:
                try:
                    if "(en)" in self.program.phonemes(PROBE, voice):
                        problems.append(f"{voice}: phonemes switch to English")
                        continue
                    reference = wav_duration(self.program.synthesize(PROBE, voice, rate))
                except (subprocess.SubprocessError, OSError, TtsError) as exc:
                    problems.append(f"{voice}: espeak-ng program failed ({exc})")
                    continue
            if not self._pyttsx3_broken:
                try:
                    verdict = self._check_pyttsx3(voice, rate, reference)
                except (TtsError, AudioError) as exc:
                    verdict = f"failed ({exc})"
                if isinstance(verdict, float):
                    return VoiceChoice(language, voice, "pyttsx3", verdict)
                problems.append(f"{voice}: pyttsx3 {verdict}")
            if reference is not None and is_plausible(PROBE, rate, reference):
                if problems:
                    log.warning("%s speaks through the espeak-ng program: %s", language, problems)
                return VoiceChoice(language, voice, "subprocess", reference)
            problems.append(f"{voice}: implausible duration {reference}")
        raise TtsError(f"no working espeak-ng voice for {language}: {'; '.join(problems)}")

    def _check_pyttsx3(self, voice: str, rate: int, reference: float | None) -> float | str:
        """The probe's duration when pyttsx3 speaks this voice right, else what is wrong.

        Right means: as long as the espeak-ng program takes with the same voice
        (pyttsx3 does not report the voice it really uses), plausible for
        Chinese, and slower at a lower rate (pyttsx3 has lost rates before).
        """
        seconds = wav_duration(self._run_pyttsx3(PROBE, voice, rate))
        if reference is not None and abs(seconds - reference) > 0.15 * reference:
            return f"gave {seconds:.2f}s where the program gave {reference:.2f}s"
        if not is_plausible(PROBE, rate, seconds):
            return f"gave an implausible {seconds:.2f}s"
        slow = wav_duration(self._run_pyttsx3(PROBE, voice, 90))
        if slow <= 1.2 * seconds:
            return f"ignored the rate ({slow:.2f}s at 90 wpm, {seconds:.2f}s at {rate})"
        return seconds

    def choice(self, language: str) -> VoiceChoice:
        with self._lock:
            if language not in self._choices:
                if language not in VOICES:
                    raise TtsError(f"unsupported language {language!r}")
                self._choices[language] = self._choose(language)
            return self._choices[language]

    # -- synthesis ------------------------------------------------------------
    def synthesize(self, text: str, language: str | None = None, rate: int | None = None) -> bytes:
        language = language or self.settings.language
        rate = clamp_rate(rate or self.settings.rate)
        if not text.strip():
            return write_wav(silence(0.1, 22050), 22050)
        choice = self.choice(language)
        if choice.engine == "pyttsx3" and not self._pyttsx3_broken:
            try:
                return self._run_pyttsx3(text, choice.voice, rate)
            except TtsError as exc:
                log.warning("pyttsx3 failed, using the espeak-ng program: %s", exc)
        if not self.program.available:
            raise TtsError("pyttsx3 failed and the espeak-ng program is not installed")
        return self.program.synthesize(text, choice.voice, rate)

    def _run_pyttsx3(self, text: str, voice: str, rate: int) -> bytes:
        if self._pyttsx3_broken:
            raise TtsError("pyttsx3 was given up on after a hang")
        future = shared_worker().submit(lambda: self._pyttsx3.synthesize(text, voice, rate))
        try:
            data = future.result(timeout=self.settings.timeout)
        except FutureTimeout as exc:
            # The thread cannot be killed; it is a daemon, abandoned for good.
            self._pyttsx3_broken = True
            raise TtsError(f"pyttsx3 hung for more than {self.settings.timeout}s") from exc
        except (RuntimeError, OSError, ValueError, ImportError) as exc:
            raise TtsError(f"pyttsx3 error: {exc}") from exc
        read_wav(data)  # raises AudioError on a broken file
        return data


class FakeTTS(Tts):
    """Test double: a short tone per call, and a log of what was spoken."""

    def __init__(self) -> None:
        self.spoken: list[tuple[str, str | None, int | None]] = []

    def synthesize(self, text: str, language: str | None = None, rate: int | None = None) -> bytes:
        from voice.audio import tone

        self.spoken.append((text, language, rate))
        return write_wav(tone(500.0, 0.2, 16000), 16000)
