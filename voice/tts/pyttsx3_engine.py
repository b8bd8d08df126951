"""pyttsx3 with the espeak driver, in the process's one worker thread.

espeak's state is process-global and pyttsx3 can hang in ``runAndWait``, so
every synthesis goes through one daemon thread; the caller waits on a future
with a watchdog (see :class:`voice.tts.espeak.EspeakTTS`).
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future

from voice.tts.base import TtsError, clamp_rate


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
