"""``anxin voice install-model``, ``anxin voice eval DIR`` and ``anxin speaker``.

``add_parsers(subparsers)`` registers them on the ``anxin`` CLI; each sets
``func`` to a handler that takes the parsed arguments and returns an exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    voice = subparsers.add_parser("voice", help="offline speech models and evaluation")
    voice_sub = voice.add_subparsers(dest="voice_command", required=True)

    install = voice_sub.add_parser("install-model", help="download and verify a Vosk model")
    install.add_argument("--name", default="vosk-model-small-cn-0.22")
    install.add_argument("--dest", type=Path, default=None, help="default: var/models")
    install.add_argument("--url", default=None, help="a mirror of the model zip")
    install.add_argument("--sha256", default=None, help="expected SHA-256 of the zip")
    install.add_argument("--force", action="store_true", help="reinstall over an existing model")
    install.set_defaults(func=cmd_install_model)

    ev = voice_sub.add_parser("eval", help="CER and real-time factor over WAV + .txt files")
    ev.add_argument("dir", type=Path)
    ev.add_argument("--model", type=Path, default=None, help="default: ANXIN_VOSK_MODEL")
    ev.set_defaults(func=cmd_eval)

    sp = subparsers.add_parser("speaker", help="run the smart-speaker client")
    sp.add_argument("--wav", type=Path, help="file mode: the question as a WAV")
    sp.add_argument("--out", type=Path, help="file mode: write what is spoken here")
    sp.add_argument("--server", default=None, help="Rasa URL (default from settings)")
    sp.add_argument("--device-id", default="demo-speaker")
    sp.add_argument("--token", default=None, help="device token (default ANXIN_DEVICE_TOKEN)")
    sp.add_argument("--model", type=Path, default=None, help="Vosk model folder")
    sp.add_argument("--wake", action="store_true", help="microphone: listen for the wake phrase")
    sp.add_argument("--input-device", default=None, help="sounddevice input device")
    sp.add_argument("--no-announcements", action="store_true")
    sp.set_defaults(func=cmd_speaker)


def cmd_install_model(args: argparse.Namespace) -> int:
    from voice.models import InstallError, install_model

    try:
        path = install_model(
            args.name, args.dest, url=args.url, sha256=args.sha256, force=args.force
        )
    except InstallError as exc:
        print(f"install-model: {exc}", file=sys.stderr)
        return 1
    print(f"installed {args.name} at {path}")
    print(f"use it with: ANXIN_VOSK_MODEL={path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from voice.asr import ModelNotFound, VoskASR
    from voice.evaluate import evaluate
    from voice.messages import AsrSettings

    try:
        report = evaluate(args.dir, VoskASR(AsrSettings(model_path=args.model)))
    except ModelNotFound as exc:
        print(f"voice eval: {exc}", file=sys.stderr)
        return 1
    if not report.files:
        print(f"voice eval: no .wav files with .txt transcripts in {args.dir}", file=sys.stderr)
        return 1
    print(report.table())
    return 0


def cmd_speaker(args: argparse.Namespace) -> int:
    from core.settings import current
    from voice.asr import ModelNotFound, VoskASR
    from voice.audio import wav_to_asr_pcm
    from voice.messages import AsrSettings, SpeakerSettings
    from voice.speaker import Speaker
    from voice.tts import PROBE, EspeakTTS, TtsError

    settings = current()
    speaker_settings = SpeakerSettings(
        server=args.server or settings.rasa_url,
        device_id=args.device_id,
        token=args.token if args.token is not None else settings.device_token,
        require_wake=bool(args.wake),
    )
    asr = VoskASR(AsrSettings(model_path=args.model))
    tts = EspeakTTS()
    try:
        asr.load()
        for choice in tts.start().values():
            log.info("voice %s: %s via %s", choice.language, choice.voice, choice.engine)
        asr.warm_up(wav_to_asr_pcm(tts.synthesize(PROBE, language="cmn")))
    except (ModelNotFound, TtsError) as exc:
        print(f"speaker: {exc}", file=sys.stderr)
        return 1
    if args.wav:
        return _file_mode(args, speaker_settings, asr, tts, Speaker)
    return _device_mode(args, speaker_settings, asr, tts, Speaker)  # pragma: no cover


def _file_mode(args, speaker_settings, asr, tts, speaker_cls) -> int:
    from voice.microphone import RecordingPlayer

    player = RecordingPlayer()
    speaker = speaker_cls(speaker_settings, asr, tts, player)
    reply = speaker.run_wav(args.wav.read_bytes(), announcements=not args.no_announcements)
    for text in reply.texts if reply else ():
        print(text)
    if args.out:
        args.out.write_bytes(player.wav())
        print(f"wrote {args.out}")
    return 0 if reply else 2


def _device_mode(args, speaker_settings, asr, tts, speaker_cls) -> int:  # pragma: no cover
    from voice.microphone import DevicePlayer, Microphone, record_while_held

    speaker = speaker_cls(speaker_settings, asr, tts, DevicePlayer())
    with Microphone(args.input_device) as mic:
        if args.wake:
            speaker.run_wake_word(mic)
        else:
            speaker.run_push_to_talk(
                mic, lambda: record_while_held(mic, "[Enter] to talk ", "[Enter] to stop ")
            )
    return 0
