"""The speaker loop against a stand-in speaker channel, online and offline."""

from __future__ import annotations

import argparse
import uuid

import pytest

from nlu.emergency import assess
from tests.voice.helpers import KOREAN, espeak_wav, need_espeak, need_korean_model
from tests.voice.standin import StandIn
from voice.asr import FakeASR
from voice.audio import read_wav, wav_duration
from voice.channel import Rejected, SpeakerChannel, Unreachable
from voice.cli import add_parsers
from voice.messages import SpeakerSettings
from voice.microphone import RecordingPlayer
from voice.speaker import Speaker, after_wake, is_emergency
from voice.tts import FakeTTS

TOKEN = "test-device-token"


@pytest.fixture
def server():
    with StandIn(token=TOKEN) as standin:
        yield standin


def make_speaker(url, token=TOKEN, **kwargs):
    settings = SpeakerSettings(
        server=url, device_id="spk-1", token=token, http_timeout=2.0, **kwargs
    )
    player, tts = RecordingPlayer(), FakeTTS()
    return Speaker(settings, FakeASR([]), tts, player), player, tts


def test_file_mode_end_to_end_with_real_asr_and_tts(server, tmp_path):
    """Korean question WAV -> Vosk -> speaker channel -> espeak-ng (yue) -> reply WAV."""
    need_espeak()
    model = need_korean_model()
    server.voice = {"language": "yue", "rate": 110}
    server.announcements = [{"id": "a1", "text": "明天上午九点有健康讲座。"}]
    question = tmp_path / "question.wav"
    question.write_bytes(espeak_wav(KOREAN))
    out = tmp_path / "reply.wav"
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "speaker",
            "--wav",
            str(question),
            "--out",
            str(out),
            "--server",
            server.url,
            "--device-id",
            "spk-1",
            "--token",
            TOKEN,
            "--model",
            str(model),
        ]
    )
    assert args.func(args) == 0
    (body,) = server.delivered
    assert body["device_id"] == "spk-1" and body["text"].strip()
    uuid.UUID(body["message_id"])
    samples, _ = read_wav(out.read_bytes())
    assert wav_duration(out.read_bytes()) > 3.0 and abs(samples).max() > 0.05
    assert server.acked == ["a1"]


def test_reply_spoken_in_the_servers_voice_and_rate(server):
    server.voice = {"language": "yue", "rate": 95}
    speaker, player, tts = make_speaker(server.url)
    reply = speaker.handle_text("我想约个医生")
    assert reply.texts == ("收到：我想约个医生",)
    assert tts.spoken == [("收到：我想约个医生", "yue", 95)]
    assert len(player.played) == 1


def test_bad_token_is_rejected_and_beeps(server):
    speaker, player, tts = make_speaker(server.url, token="wrong")
    with pytest.raises(Rejected) as info:
        speaker.channel.send("你好", "m-1")
    assert info.value.status == 401
    assert speaker.handle_text("你好") is None
    assert len(player.played) == 1 and not tts.spoken  # the error beep


def test_offline_emergency_alarms_and_retries_until_delivered():
    """Server down: alarm, retry with backoff, same message_id, delivered when it is back."""
    standin = StandIn(token=TOKEN).start()
    url = standin.url
    standin.stop()
    standin.fail_next = 1  # once back, it first answers 503: one more retry
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            standin.start()  # same port: the network is back

    speaker, player, tts = make_speaker(url, retry_initial=1.0, retry_max=4.0)
    speaker.sleep = sleep
    try:
        reply = speaker.handle_text("救命 我 摔倒 了 起 不 来")
    finally:
        standin.stop()
    assert reply is not None and tts.spoken  # the server's answer was spoken after all
    assert speaker.alarms == 4
    assert sleeps == [1.0, 2.0, 4.0, 4.0]
    assert len(standin.received) == 2  # a 503, then the delivery
    assert len({b["message_id"] for b in standin.received}) == 1
    assert standin.delivered[0]["text"] == "救命 我 摔倒 了 起 不 来"
    alarm_wav = player.played[0]
    samples, rate = read_wav(alarm_wav)
    assert wav_duration(alarm_wav) >= 2.0 and abs(samples).max() > 0.8


def test_offline_emergency_can_give_up_when_configured():
    standin = StandIn(token=TOKEN).start()
    url = standin.url
    standin.stop()
    clock = iter(range(0, 1000, 10))
    speaker, player, _ = make_speaker(url, give_up_after=25.0)
    speaker.sleep = lambda s: None
    speaker.clock = lambda: next(clock)
    with pytest.raises(Unreachable, match="not delivered"):
        speaker.handle_text("胸口疼")
    assert speaker.alarms >= 2


@pytest.mark.parametrize(("help_", "text", "alarms"), [
    ("none", "救命 我摔倒了起不来", 1),    # answered, but nobody could be called (records down)
    ("called", "救命 我摔倒了起不来", 0),  # the ladder is open
    ("asked", "救命 我摔倒了起不来", 0),   # the server asks the safety question itself
    ("", "救命 我摔倒了起不来", 0),        # an older server that says nothing about help
    ("none", "我想约个医生", 0),
])
def test_a_reply_that_does_not_confirm_help_raises_the_local_alarm(server, help_, text, alarms):
    """The speaker alarmed only when the server was unreachable: a 200 saying
    "please call 120 yourself" (records down) left the room silent."""
    server.help = help_ or None
    speaker, player, _ = make_speaker(server.url)
    reply = speaker.handle_text(text)
    assert reply is not None and reply.help == help_
    assert speaker.alarms == alarms
    assert player.played, "the server's reply is said too"


def test_offline_ordinary_question_beeps_once_without_retrying():
    standin = StandIn(token=TOKEN).start()
    url = standin.url
    standin.stop()
    speaker, player, _ = make_speaker(url)
    speaker.sleep = lambda s: pytest.fail("must not retry a non-emergency")
    assert speaker.handle_text("今天天气怎么样") is None
    assert speaker.alarms == 0 and len(player.played) == 1


def test_repeat_replays_last_answer_when_offline(server):
    speaker, player, _ = make_speaker(server.url)
    speaker.handle_text("我的药什么时候吃")
    last = list(player.played)
    server.stop()
    speaker.handle_text("再 说 一遍")
    assert player.played[-len(last) :] == last


def test_wake_phrase_gates_ordinary_speech_but_not_emergencies(server):
    speaker, _, _ = make_speaker(server.url, require_wake=True)
    assert speaker.handle_text("今天 天气 怎么样") is None
    assert speaker.handle_text("安心 安心 今天 天气 怎么样") is not None
    assert speaker.handle_text("快 叫 一二零") is not None
    assert [b["text"] for b in server.delivered] == ["今天天气怎么样", "快 叫 一二零"]


def test_announcements_spoken_and_acknowledged(server):
    # The Rasa channel numbers announcements and wants the integers back.
    server.announcements = [
        {"id": 7, "text": "该吃降压药了。"},
        {"id": 9, "text": "周五有讲座。"},
    ]
    speaker, player, tts = make_speaker(server.url)
    assert speaker.announce() == 2
    assert [t for t, _, _ in tts.spoken] == ["该吃降压药了。", "周五有讲座。"]
    assert server.acked == [7, 9]
    assert speaker.announce() == 0


def test_channel_parses_the_contract(server):
    server.voice = {"language": "yue", "rate": 100}
    reply = SpeakerChannel(SpeakerSettings(server=server.url, device_id="d", token=TOKEN)).send(
        "你好", "m"
    )
    assert reply.voice.language == "yue" and reply.voice.rate == 100 and reply.message_id == "m"


@pytest.mark.parametrize(
    "text",
    [
        "救命",
        "救 命 啊",
        "我 摔倒 了",
        "快叫120",
        "快 叫 一二零",
        "我 起 不 来",
        "胸口 疼",
        "喘 不 上 气",
        "救命 我摔倒了",
        "我 没 事 就是 胸口 疼 得 厉害",
    ],
)
def test_emergency_words(text):
    """The offline check is the NLU's detector, on Vosk's spaced-out words too."""
    assert is_emergency(text)
    assert assess(text.replace(" ", ""))["level"] != "none"  # an emergency, or the safety question


@pytest.mark.parametrize(
    "text",
    [
        "今天天气怎么样",
        "我想约个医生",
        "讲座在哪里",
        "我没摔倒",
        "我 没 摔倒",
        "去年 摔倒 过 一次",
        "摔倒 了 医保 报 不 报",
    ],
)
def test_not_emergency(text):
    """Negation, the past and questions about a topic do not sound the alarm offline."""
    assert not is_emergency(text)


def test_offline_negated_emergency_beeps_once_without_alarm():
    standin = StandIn(token=TOKEN).start()
    url = standin.url
    standin.stop()
    speaker, player, _ = make_speaker(url)
    speaker.sleep = lambda s: pytest.fail("must not retry a non-emergency")
    assert speaker.handle_text("我 没 摔倒") is None
    assert speaker.alarms == 0 and len(player.played) == 1


def test_negated_emergency_does_not_bypass_the_wake_phrase(server):
    speaker, _, _ = make_speaker(server.url, require_wake=True)
    assert speaker.handle_text("我 没 摔倒") is None
    assert server.delivered == []


def test_after_wake():
    assert after_wake("安心 安心 帮我 约 医生", ["安心安心"]) == "帮我约医生"
    assert after_wake("帮我 约 医生", ["安心安心"]) is None
    assert after_wake("你好 安心", ["你好安心"]) == ""


# -- finding 9/10 of issue 16: proactive announcements, and the offline speaker -------------


def _wait(condition, seconds=10.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_speaker_without_a_button_press_says_a_reminder_in_the_elders_voice(server):
    """Push-to-talk mode used to fetch announcements only after a press."""
    from voice.audio import chime

    server.voice = {"language": "yue", "rate": 100}
    server.announcements = [{"id": 3, "kind": "reminder", "text": "该吃降压药了。"}]
    speaker, player, tts = make_speaker(server.url, announce_every=0.05)
    thread = speaker.start_announcer()
    try:
        assert _wait(lambda: server.acked == [3]), "the announcement was never said on its own"
    finally:
        speaker.stopping.set()
        thread.join(5)
    assert tts.spoken[0] == ("该吃降压药了。", "yue", 100)
    assert player.played[0] == chime(), "a chime comes first, so the elder knows it is the speaker talking"
    assert len(tts.spoken) == 1, "an acknowledged announcement is not said again"


def test_offline_call_for_help_says_what_to_do_not_only_a_siren(tmp_path):
    from voice.messages import OFFLINE_HELP

    standin = StandIn(token=TOKEN).start()
    url = standin.url
    standin.stop()
    clock = iter(range(0, 1000, 10))
    speaker, player, tts = make_speaker(url, give_up_after=5.0)
    speaker.sleep, speaker.clock = (lambda s: None), (lambda: next(clock))
    with pytest.raises(Unreachable):
        speaker.handle_text("救命 我 摔倒 了")
    assert (OFFLINE_HELP, "cmn", 130) in tts.spoken
    assert "120" in OFFLINE_HELP
    assert tts.synthesize(OFFLINE_HELP, language="cmn", rate=130) in player.played[1:3]


def test_offline_call_for_help_does_not_block_the_device_and_survives_a_reboot(tmp_path):
    """Device mode: the retry runs on a thread and is kept on disk; a new
    speaker process (after a reboot) sends the same message_id once the network is back."""
    from voice.messages import OFFLINE_HELP
    from voice.pending import PendingCalls

    standin = StandIn(token=TOKEN).start()
    url = standin.url
    standin.stop()
    speaker, player, tts = make_speaker(url, state_dir=tmp_path, background_retry=True,
                                        retry_initial=0.05, retry_max=0.1)
    reply = speaker.handle_text("救命 我 摔倒 了 起 不 来")
    assert reply.texts == (OFFLINE_HELP,), "the device answers at once, it does not hang in a retry loop"
    assert speaker.alarms >= 1
    (call,) = PendingCalls(tmp_path).all()
    speaker.stopping.set()  # the power goes off
    speaker._retrier.join(5)
    rebooted, _, rebooted_tts = make_speaker(url, state_dir=tmp_path, background_retry=True,
                                             retry_initial=0.05, retry_max=0.1)
    standin.start()  # the network is back
    try:
        rebooted.resume()
        assert _wait(lambda: standin.delivered), "the call for help from before the reboot was never sent"
        assert _wait(lambda: not PendingCalls(tmp_path).all())
    finally:
        rebooted.stopping.set()
        standin.stop()
    assert [b["message_id"] for b in standin.delivered] == [call.message_id]
    assert standin.delivered[0]["text"] == "救命 我 摔倒 了 起 不 来"
    assert _wait(lambda: any(t.startswith("收到") for t, _, _ in rebooted_tts.spoken)), "the server's answer is said"


def test_no_announcement_plays_while_the_button_is_held(server):
    """An announcement due during a press waits for the reply: it never talks over the elder."""
    import threading
    import time

    server.announcements = [{"id": 3, "text": "周五有讲座。"}]
    settings = SpeakerSettings(server=server.url, device_id="spk-1", token=TOKEN, http_timeout=2.0)
    player, tts = RecordingPlayer(), FakeTTS()
    speaker = Speaker(settings, FakeASR(["今天天气怎么样"]), tts, player)
    announcer = threading.Thread(target=speaker.announce)

    class Mic:
        drained = 0

        def drain(self):
            self.drained += 1

    def record(on_press):
        on_press()  # the button goes down
        announcer.start()  # an announcement comes due while the elder talks
        time.sleep(0.5)
        assert tts.spoken == [], "nothing is said while the button is held"
        return b"\0\0" * 1600

    speaker.push_to_talk_turn(Mic(), record)
    announcer.join(timeout=5)
    said = [t for t, _, _ in tts.spoken]
    assert said[-1] == "周五有讲座。" and len(said) >= 2, "the reply first, then the announcement"
