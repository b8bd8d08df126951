"""``anxin voice eval DIR``: how well the installed model hears *these* elders.

Published error rates are measured on young, clear, standard Mandarin; a
deployment should measure its own recordings (Zhaoqing accents, Cantonese-
tinged Mandarin, a television in the room).  DIR holds ``name.wav`` files with
``name.txt`` transcripts.  Character error rate ignores spaces and
punctuation (Vosk puts spaces between Chinese words); real-time factor is
decoding time over audio time (≤ 0.3 keeps a turn snappy on the device).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from voice.asr import Asr
from voice.audio import read_wav, wav_to_asr_pcm
from voice.speaker import normalise_text


def edit_distance(ref: str, hyp: str) -> int:
    """Levenshtein distance over characters."""
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class FileResult:
    name: str
    reference: str
    hypothesis: str
    errors: int
    seconds: float
    decode_seconds: float

    @property
    def cer(self) -> float:
        return self.errors / max(1, len(self.reference))


@dataclass(frozen=True)
class EvalReport:
    files: tuple[FileResult, ...]

    @property
    def cer(self) -> float:
        chars = sum(len(f.reference) for f in self.files)
        return sum(f.errors for f in self.files) / max(1, chars)

    @property
    def rtf(self) -> float:
        audio = sum(f.seconds for f in self.files)
        return sum(f.decode_seconds for f in self.files) / audio if audio else 0.0

    def table(self) -> str:
        lines = ["| file | CER | RTF | reference | heard |", "|---|---|---|---|---|"]
        for f in self.files:
            rtf = f.decode_seconds / f.seconds if f.seconds else 0.0
            lines.append(f"| {f.name} | {f.cer:.1%} | {rtf:.2f} | {f.reference} | {f.hypothesis} |")
        lines.append(
            f"| **all ({len(self.files)})** | **{self.cer:.1%}** | **{self.rtf:.2f}** | | |"
        )
        return "\n".join(lines)


def evaluate(folder: Path, asr: Asr) -> EvalReport:
    """Transcribe every ``*.wav`` that has a ``.txt`` beside it."""
    results = []
    for wav_path in sorted(Path(folder).glob("*.wav")):
        txt = wav_path.with_suffix(".txt")
        if not txt.is_file():
            continue
        data = wav_path.read_bytes()
        samples, rate = read_wav(data)
        pcm = wav_to_asr_pcm(data)
        started = time.perf_counter()
        hypothesis = normalise_text("".join(asr.transcribe(pcm)))
        decode = time.perf_counter() - started
        reference = normalise_text(txt.read_text(encoding="utf-8"))
        results.append(
            FileResult(
                name=wav_path.stem,
                reference=reference,
                hypothesis=hypothesis,
                errors=edit_distance(reference, hypothesis),
                seconds=samples.size / rate,
                decode_seconds=decode,
            )
        )
    return EvalReport(tuple(results))
