"""The ``espeak-ng`` program: the fallback engine and the phoneme oracle."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

from voice.audio import from_pcm16, write_wav
from voice.tts.base import TtsError, clamp_rate


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
