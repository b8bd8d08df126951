"""The voice entry point: ``anxin speaker``, ``anxin voice install-model|eval``, ``anxin-speaker``.

The one place in ``voice/`` that reads ``core.settings``: it turns them into
the stages' frozen settings and passes those down, so the library modules run
on a speaker device that has neither ``bot/`` nor Rasa.

``add_parsers(subparsers)`` registers the commands on the server's ``anxin``
CLI; :func:`main` is the device's ``anxin-speaker`` (the speaker by default,
``install-model`` and ``eval`` as subcommands).  Each command sets ``func`` to
a handler that takes the parsed arguments and returns an exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def asr_settings(settings, model: Path | None = None):
    """The ASR stage's settings from core settings: ``model``, else ``ANXIN_VOSK_MODEL``,
    else the default model under ``var/models``."""
    from voice.messages import AsrSettings

    return AsrSettings(
        model_path=model if model is not None else settings.vosk_model_path,
        models_dir=settings.var_dir / "models",
    )


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    voice = subparsers.add_parser("voice", help="offline speech models and evaluation")
    add_voice_commands(voice.add_subparsers(dest="voice_command", required=True))
    sp = subparsers.add_parser("speaker", help="run the smart-speaker client")
    add_speaker_arguments(sp)
    sp.set_defaults(func=cmd_speaker)


def add_voice_commands(subparsers: argparse._SubParsersAction) -> None:
    install = subparsers.add_parser("install-model", help="download and verify a Vosk model")
    install.add_argument("--name", default="vosk-model-small-cn-0.22")
    install.add_argument("--dest", type=Path, default=None, help="default: var/models")
    install.add_argument("--url", default=None, help="a mirror of the model zip")
    install.add_argument("--sha256", default=None, help="expected SHA-256 of the zip")
    install.add_argument("--force", action="store_true", help="reinstall over an existing model")
    install.set_defaults(func=cmd_install_model)

    ev = subparsers.add_parser("eval", help="CER and real-time factor over WAV + .txt files")
    ev.add_argument("dir", type=Path)
    ev.add_argument("--model", type=Path, default=None, help="default: ANXIN_VOSK_MODEL")
    ev.set_defaults(func=cmd_eval)


def add_speaker_arguments(sp: argparse.ArgumentParser) -> None:
    mode = sp.add_mutually_exclusive_group()
    mode.add_argument("--wav", type=Path, help="file mode: the question as a WAV")
    mode.add_argument("--text", help="text mode: the question typed, as if heard (no model needed)")
    sp.add_argument("--out", type=Path, help="file and text mode: write what is spoken here")
    sp.add_argument("--server", default=None, help="Rasa URL (default from settings)")
    sp.add_argument("--device-id", default="demo-speaker")
    sp.add_argument("--token", default=None, help="device token (default ANXIN_DEVICE_TOKEN)")
    sp.add_argument("--model", type=Path, default=None, help="Vosk model folder")
    sp.add_argument("--wake", action="store_true", help="microphone: listen for the wake phrase")
    sp.add_argument("--input-device", default=None, help="sounddevice input device")
    sp.add_argument("--no-announcements", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """``anxin-speaker``: the speaker's options at the top, the model commands below."""
    parser = argparse.ArgumentParser(
        prog="anxin-speaker",
        description="安心 smart-speaker client: hears, asks the Anxin server, speaks the answer.",
        epilog="Without a subcommand it runs the speaker: push-to-talk on the microphone "
        "(--wake: always listening), or one question with --wav or --text.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    add_speaker_arguments(parser)
    add_voice_commands(parser.add_subparsers(dest="command", metavar="{install-model,eval}"))
    parser.set_defaults(func=cmd_speaker, command="speaker")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The device's entry point: settings from the environment (and ``.env``), then one command."""
    from core.errors import ConfigError
    from core.settings import bootstrap

    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        bootstrap()
        return int(args.func(args) or 0)
    except (ConfigError, ValueError, RuntimeError) as exc:
        print(f"anxin-speaker {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def cmd_install_model(args: argparse.Namespace) -> int:
    from core.settings import current
    from voice.models import InstallError, install_model

    dest = args.dest if args.dest is not None else current().var_dir / "models"
    try:
        path = install_model(args.name, dest, url=args.url, sha256=args.sha256, force=args.force)
    except InstallError as exc:
        print(f"install-model: {exc}", file=sys.stderr)
        return 1
    print(f"installed {args.name} at {path}")
    print(f"use it with: ANXIN_VOSK_MODEL={path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from core.settings import current
    from voice.asr import ModelNotFound, VoskASR
    from voice.evaluate import evaluate

    try:
        report = evaluate(args.dir, VoskASR(asr_settings(current(), args.model)))
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
    from voice.messages import SpeakerSettings
    from voice.speaker import Speaker
    from voice.tts import PROBE, EspeakTTS, TtsError

    settings = current()
    speaker_settings = SpeakerSettings(
        server=args.server or settings.rasa_url,
        device_id=args.device_id,
        token=args.token if args.token is not None else settings.device_token,
        require_wake=bool(args.wake),
        state_dir=settings.var_dir / "speaker",
        background_retry=not (args.wav or args.text is not None),
    )
    asr = VoskASR(asr_settings(settings, args.model))
    tts = EspeakTTS()
    hearing = args.text is None
    try:
        if hearing:
            asr.load()
        for choice in tts.start().values():
            log.info("voice %s: %s via %s", choice.language, choice.voice, choice.engine)
        if hearing:
            asr.warm_up(wav_to_asr_pcm(tts.synthesize(PROBE, language="cmn")))
    except (ModelNotFound, TtsError) as exc:
        print(f"speaker: {exc}", file=sys.stderr)
        return 1
    if args.wav or args.text is not None:
        return _file_mode(args, speaker_settings, asr, tts, Speaker)
    return _device_mode(args, speaker_settings, asr, tts, Speaker)  # pragma: no cover


def _file_mode(args, speaker_settings, asr, tts, speaker_cls) -> int:
    """One question from a WAV or typed text; prints the answer, writes what was played."""
    from voice.microphone import RecordingPlayer

    player = RecordingPlayer()
    speaker = speaker_cls(speaker_settings, asr, tts, player)
    announcements = not args.no_announcements
    if args.text is not None:
        reply = speaker.run_text(args.text, announcements=announcements)
    else:
        reply = speaker.run_wav(args.wav.read_bytes(), announcements=announcements)
    for text in reply.texts if reply else ():
        print(text)
    if reply is None:
        print("speaker: no answer (nothing heard, or the server could not be reached)", file=sys.stderr)
    if args.out:
        args.out.write_bytes(player.wav())
        print(f"wrote {args.out}")
    return 0 if reply else 2


def _device_mode(args, speaker_settings, asr, tts, speaker_cls) -> int:  # pragma: no cover
    from voice.microphone import DevicePlayer, Microphone, record_while_held

    speaker = speaker_cls(speaker_settings, asr, tts, DevicePlayer())
    speaker.prepare()  # the offline instruction, synthesised while everything works
    with Microphone(args.input_device) as mic:
        if args.wake:
            speaker.run_wake_word(mic)
        else:
            speaker.run_push_to_talk(
                mic, lambda on_press: record_while_held(mic, "[Enter] to talk ", "[Enter] to stop ", on_press)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
