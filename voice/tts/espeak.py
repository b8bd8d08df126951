"""Mandarin and Cantonese through espeak-ng: a voice and an engine chosen and checked at start.

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

import logging
import subprocess
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from voice.audio import AudioError, read_wav, silence, wav_duration, write_wav
from voice.messages import TtsSettings
from voice.tts.base import PROBE, VOICES, Tts, TtsError, VoiceChoice, clamp_rate, is_plausible
from voice.tts.program import EspeakProgram
from voice.tts.pyttsx3_engine import Pyttsx3Engine, shared_worker

log = logging.getLogger(__name__)


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
