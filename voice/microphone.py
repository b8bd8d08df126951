"""Sound card in and out (sounddevice, imported only when a device is used).

A player is anything with ``play(wav)``: the device plays aloud, file mode
records what would have been played, so one speaker loop serves both.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Protocol

from voice.audio import concat_wavs, read_wav
from voice.messages import ASR_RATE

BLOCK = 1600
"""0.1 s of 16 kHz audio per microphone block."""


class Player(Protocol):
    def play(self, wav: bytes) -> None: ...


class RecordingPlayer:
    """File mode: keeps every WAV "played", to be written out as one file."""

    def __init__(self) -> None:
        self.played: list[bytes] = []

    def play(self, wav: bytes) -> None:
        self.played.append(wav)

    def wav(self) -> bytes:
        return concat_wavs(self.played)


class DevicePlayer:
    """Plays through the default output device and waits until it is done."""

    def play(self, wav: bytes) -> None:
        import sounddevice

        samples, rate = read_wav(wav)
        sounddevice.play(samples, rate)
        sounddevice.wait()


class Microphone:
    """16 kHz mono 16-bit PCM from the default input device, in 0.1 s blocks."""

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device
        self._blocks: queue.Queue[bytes] = queue.Queue()
        self._stream = None

    def __enter__(self) -> Microphone:
        import sounddevice

        self._stream = sounddevice.RawInputStream(
            samplerate=ASR_RATE,
            blocksize=BLOCK,
            device=self.device,
            channels=1,
            dtype="int16",
            callback=self._callback,
        )
        self._stream.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def _callback(self, indata, frames, time_info, status) -> None:  # noqa: ARG002
        self._blocks.put(bytes(indata))

    def drain(self) -> None:
        """Drop audio captured while the speaker itself was talking."""
        while not self._blocks.empty():
            self._blocks.get_nowait()

    def blocks(self, stop: threading.Event | None = None) -> Iterator[bytes]:
        while stop is None or not stop.is_set():
            try:
                yield self._blocks.get(timeout=0.2)
            except queue.Empty:
                continue


def record_while_held(mic: Microphone, prompt_start: str, prompt_stop: str,
                      on_press: Callable[[], None] = lambda: None) -> bytes:
    """Push-to-talk on a keyboard: Enter starts, Enter stops; ``on_press`` runs
    when it starts (the speaker holds its announcements from then on).

    A hardware button would set and clear the same event from its GPIO handler.
    """
    input(prompt_start)
    on_press()
    mic.drain()
    stop = threading.Event()
    audio: list[bytes] = []

    def collect() -> None:
        for block in mic.blocks(stop):
            audio.append(block)

    worker = threading.Thread(target=collect, daemon=True)
    worker.start()
    input(prompt_stop)
    stop.set()
    worker.join(timeout=1.0)
    return b"".join(audio)
