"""`anxin voice eval`: CER and real-time factor over a folder of recordings."""

from __future__ import annotations

import argparse

import pytest

from tests.voice.helpers import KOREAN, espeak_wav, need_korean_model
from voice.asr import FakeASR
from voice.audio import tone, write_wav
from voice.cli import add_parsers
from voice.evaluate import edit_distance, evaluate


def test_edit_distance():
    assert edit_distance("我想约医生", "我想约医生") == 0
    assert edit_distance("我想约医生", "我要约医生") == 1
    assert edit_distance("胸口疼", "") == 3
    assert edit_distance("", "多余") == 2


def test_cer_over_a_folder_ignores_spaces_and_punctuation(tmp_path):
    wav = write_wav(tone(300.0, 1.0), 16000)
    for name, ref in [("a", "我想约医生。"), ("b", "胸口疼")]:
        (tmp_path / f"{name}.wav").write_bytes(wav)
        (tmp_path / f"{name}.txt").write_text(ref, encoding="utf-8")
    (tmp_path / "no-transcript.wav").write_bytes(wav)
    report = evaluate(tmp_path, FakeASR(["我 要 约 医生", "胸口 疼"]))
    assert [f.name for f in report.files] == ["a", "b"]
    assert report.files[0].errors == 1 and report.files[1].errors == 0
    assert report.cer == pytest.approx(1 / 8)
    assert report.rtf >= 0.0
    assert "**12.5%**" in report.table()


def test_eval_command_on_the_korean_model(tmp_path, capsys):
    model = need_korean_model()
    (tmp_path / "k1.wav").write_bytes(espeak_wav(KOREAN))
    (tmp_path / "k1.txt").write_text(KOREAN, encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["voice", "eval", str(tmp_path), "--model", str(model)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "| k1 |" in out and "**all (1)**" in out


def test_eval_command_on_an_empty_folder(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["voice", "eval", str(tmp_path), "--model", str(tmp_path)])
    assert args.func(args) == 1


def test_cli_registers_the_commands():
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["voice", "install-model", "--sha256", "ab" * 32, "--dest", "/tmp/m"])
    assert args.name == "vosk-model-small-cn-0.22" and callable(args.func)
    args = parser.parse_args(["speaker", "--wav", "q.wav", "--out", "r.wav", "--device-id", "x"])
    assert args.device_id == "x" and callable(args.func)
