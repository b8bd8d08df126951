"""The speaker in the elder's home: hear, send, speak; and never drop an emergency.

Audio (a WAV file, or the microphone by push-to-talk or wake phrase) goes
through ASR to the Rasa speaker channel; the answer is spoken in the voice
and at the rate the server keeps for this elder.

The one thing the speaker decides on its own: if the transcript is an
emergency (the same :func:`nlu.emergency.detect` the server's NLU runs) and
the server cannot be reached, it sounds an alarm (a generated siren), says
:data:`voice.messages.OFFLINE_HELP` (synthesised at start, so it needs no
network), keeps the call on disk (:mod:`voice.pending`, so a reboot does not
lose it) and retries the same message (same ``message_id``, so the server
can de-duplicate) with backoff until it gets through — on a thread in the
device modes, so the speaker goes on listening.  An emergency also bypasses
the wake phrase.

Announcements (reminders, check-ins, "help is coming") are fetched without a
button press: a thread polls in push-to-talk mode, the listening loop polls
in wake mode.  Each is preceded by a chime and said in the elder's voice and
rate; the server stops offering it once acknowledged or expired.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from nlu.emergency import assess
from voice.asr import Asr
from voice.audio import alarm, chime, error_beep, wav_to_asr_pcm
from voice.channel import Rejected, SpeakerChannel, SpeakerError, Unreachable
from voice.messages import OFFLINE_HELP, Reply, SpeakerSettings, Transcript, VoiceSpec
from voice.microphone import Player
from voice.pending import PendingCall, PendingCalls
from voice.tts import Tts

log = logging.getLogger(__name__)

REPEAT_WORDS = ("再说一遍", "再说一次", "没听清", "重复一遍")

_SPACES = re.compile(r"\s+")
_NOT_SPEECH = re.compile(r"[\s\u3000，。！？、；：,.!?;:\"'“”‘’（）()]+")


def normalise_text(text: str) -> str:
    """Drop spaces and punctuation (Vosk puts spaces between Chinese words)."""
    return _NOT_SPEECH.sub("", text)


def is_emergency(text: str) -> bool:
    """The NLU's own detector, run on the device so it works with the network down.

    True for an emergency and for a maybe (the server would ask the safety
    question): heard without the wake phrase it is sent all the same, and
    with the server unreachable the local alarm sounds — a siren too many
    is the lesser harm when nobody can be asked.

    Negation, the past and hypotheticals are understood (我没摔倒 is not an
    emergency).  Spaces are dropped first: the detector splits clauses at
    them and Vosk puts one between every word.  Punctuation stays, because
    it does end a clause (typed text has it, Vosk's has none).
    """
    return assess(_SPACES.sub("", text))["level"] != "none"


def after_wake(text: str, phrases: Iterable[str]) -> str | None:
    """The words after a wake phrase, or None when no wake phrase was said."""
    flat = normalise_text(text)
    for phrase in phrases:
        at = flat.find(normalise_text(phrase))
        if at >= 0:
            return flat[at + len(normalise_text(phrase)) :]
    return None


class Speaker:
    """One device: turns text or audio into a spoken answer."""

    def __init__(
        self,
        settings: SpeakerSettings,
        asr: Asr,
        tts: Tts,
        player: Player,
        *,
        channel: SpeakerChannel | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.asr = asr
        self.tts = tts
        self.player = player
        self.channel = channel or SpeakerChannel(settings)
        self.sleep = sleep
        self.clock = clock
        self.alarms = 0
        self.last_audio: list[bytes] = []
        self.pending = PendingCalls(settings.state_dir)
        self._turn_lock = threading.RLock()
        self._retrier: threading.Thread | None = None
        self._help: tuple[VoiceSpec, bytes] | None = None
        self.voice = VoiceSpec()  # the elder's, as the server last said it
        self.stopping = threading.Event()

    def prepare(self, voice: VoiceSpec | None = None) -> None:
        """Synthesise the offline instruction now, while everything works."""
        voice = voice or VoiceSpec()
        try:
            self._help = (voice, self.tts.synthesize(OFFLINE_HELP, language=voice.language, rate=voice.rate))
        except Exception as exc:  # noqa: BLE001 - the siren alone still works
            log.error("offline instruction not synthesised (%s): the siren will sound alone", type(exc).__name__)

    # -- hearing ----------------------------------------------------------------
    def transcribe(self, pcm: bytes, on_partial: Callable[[str], None] | None = None) -> str:
        """Final text of 16 kHz PCM: the endpointed utterances joined."""
        stream = self.asr.open_stream()
        results: list[Transcript] = []
        for start in range(0, len(pcm), 3200):
            results.extend(stream.accept(pcm[start : start + 3200]))
        results.extend(stream.finish())
        if on_partial:
            for r in results:
                if not r.is_final:
                    on_partial(r.text)
        return " ".join(r.text for r in results if r.is_final)

    # -- one turn ---------------------------------------------------------------
    def handle_text(self, text: str, *, woken: bool = False) -> Reply | None:
        """Send a transcript and speak the answer; None when nothing was sent."""
        if not text.strip():
            return None
        emergency = is_emergency(text)
        if self.settings.require_wake and not woken and not emergency:
            rest = after_wake(text, self.settings.wake_phrases)
            if rest is None:
                return None
            text = rest
            if not text:
                return None
        with self._turn_lock:
            message_id = str(uuid.uuid4())
            try:
                reply = self.channel.send(text, message_id)
            except SpeakerError as exc:
                if not emergency:
                    self._offline(text, exc)
                    return None
                log.error("an emergency was heard and the server is unreachable: %s", exc)
                call = self.pending.add(text, message_id)  # on disk before anything else
                if self.settings.background_retry:
                    self._warn()
                    self._retry_in_background()
                    return Reply(texts=(OFFLINE_HELP,), message_id=message_id)
                reply = self._raise_emergency(call)
            if emergency and reply.help == "none" and assess(text)["level"] == "emergency":
                # The server answered but could not start the ladder (records
                # down, action server down): the room hears the alarm all the same.
                log.error("an emergency was heard and the server could not call anyone")
                self._warn()
            self.speak(reply)
            return reply

    def speak(self, reply: Reply) -> None:
        audio = [
            self.tts.synthesize(t, language=reply.voice.language, rate=reply.voice.rate)
            for t in reply.texts
        ]
        if audio:
            self.last_audio = audio
        for wav in audio:
            self.player.play(wav)
        self.voice = reply.voice

    def _offline(self, text: str, exc: SpeakerError) -> None:
        """No server, no emergency: replay on "再说一遍", otherwise beep."""
        log.warning("turn not sent (%s)", exc)
        if isinstance(exc, Unreachable) and self.last_audio and is_repeat(text):
            for wav in self.last_audio:
                self.player.play(wav)
            return
        self.player.play(error_beep())

    def _warn(self) -> None:
        """The siren, then the spoken instruction (pre-synthesised: no network needed)."""
        with self._turn_lock:
            self.alarms += 1
            self.player.play(alarm())
            if self._help is None or self._help[0] != self.voice:
                self.prepare(self.voice)  # local synthesis: works with the network down
            if self._help is not None:
                self.player.play(self._help[1])

    def _raise_emergency(self, call: PendingCall) -> Reply:
        """In the foreground: warn, then retry the same message with backoff until the server takes it."""
        delay = self.settings.retry_initial
        started = self.clock()
        attempt = 1
        while True:
            self._warn()
            self.sleep(delay)
            attempt += 1
            try:
                reply = self.channel.send(call.text, call.message_id)
            except (Unreachable, Rejected) as exc:
                log.error("emergency attempt %d failed: %s", attempt, exc)
            else:
                log.warning("emergency delivered after %d attempts", attempt)
                self.pending.remove(call.message_id)
                return reply
            give_up = self.settings.give_up_after
            if give_up is not None and self.clock() - started >= give_up:
                raise Unreachable(f"emergency not delivered after {attempt} attempts")
            delay = min(delay * 2, self.settings.retry_max)

    def resume(self) -> None:
        """At start-up: calls for help left undelivered before a reboot are sent
        again, and the detector's scorer is loaded (or trained, about 15 s, when
        its cache is missing) on a thread, not on the first thing the elder says."""
        from nlu.emergency.model import scorer

        threading.Thread(target=scorer, name="detector-warm-up", daemon=True).start()
        if self.pending.all():
            log.error("calls for help from before a restart are still undelivered; retrying")
            self._retry_in_background()

    def _retry_in_background(self) -> None:
        if self._retrier is not None and self._retrier.is_alive():
            return
        self._retrier = threading.Thread(target=self._retry_pending, name="emergency-retry", daemon=True)
        self._retrier.start()

    def _retry_pending(self) -> None:
        """Retry every pending call until each is taken; the siren and the
        instruction again between rounds; the server's answer is spoken."""
        delay = self.settings.retry_initial
        while not self.stopping.is_set():
            calls = self.pending.all()
            if not calls:
                return
            self.sleep(delay)
            for call in calls:
                try:
                    reply = self.channel.send(call.text, call.message_id)
                except (Unreachable, Rejected) as exc:
                    log.error("emergency retry failed: %s", exc)
                    continue
                log.warning("a call for help was delivered after the network came back")
                self.pending.remove(call.message_id)
                with self._turn_lock:
                    self.speak(reply)
            if self.pending.all():
                self._warn()
                delay = min(delay * 2, self.settings.retry_max)

    # -- announcements ----------------------------------------------------------
    def announce(self) -> int:
        """Fetch queued announcements; a chime, then each in the elder's voice and
        rate; acknowledge them.  Returns how many were said."""
        try:
            items = self.channel.announcements()
        except SpeakerError as exc:
            log.warning("announcements not fetched: %s", exc)
            return 0
        if not items:
            return 0
        with self._turn_lock:
            self.player.play(chime())
            for item in items:
                self.player.play(self.tts.synthesize(item.text, language=item.voice.language, rate=item.voice.rate))
        try:
            self.channel.ack([item.id for item in items])
        except SpeakerError as exc:
            log.warning("announcements not acknowledged: %s", exc)
        return len(items)

    def start_announcer(self) -> threading.Thread:
        """Poll for announcements on a thread, so none waits for a button press."""

        def loop() -> None:
            while not self.stopping.is_set():
                try:
                    self.announce()
                except Exception as exc:  # noqa: BLE001 - the next poll tries again
                    log.error("announcement poll failed: %s", type(exc).__name__)
                self.stopping.wait(self.settings.announce_every)

        thread = threading.Thread(target=loop, name="announcer", daemon=True)
        thread.start()
        return thread

    # -- front ends -------------------------------------------------------------
    def run_wav(self, wav: bytes, *, announcements: bool = True) -> Reply | None:
        """File mode: one question WAV in; whatever is played goes to the player."""
        text = self.transcribe(wav_to_asr_pcm(wav))
        log.info("heard %d characters", len(normalise_text(text)))
        return self.run_text(text, announcements=announcements)

    def run_text(self, text: str, *, announcements: bool = True) -> Reply | None:
        """Text mode: one typed question, as if heard (checks a device without a model)."""
        reply = self.handle_text(text, woken=True)
        if announcements:
            self.announce()
        return reply

    def push_to_talk_turn(self, mic, record: Callable[[Callable[[], None]], bytes]) -> Reply | None:
        """One button press: from the press to the reply, no announcement plays
        (one that is playing ends first), so none talks over the elder or is
        heard by the microphone.  ``record(on_press)`` calls ``on_press`` when
        the button goes down, then records until it is released.

        Microphone audio goes to Vosk as it is: it is never digitally silent,
        and normalising a quiet room would only amplify its noise.
        """
        pressed = threading.Event()

        def on_press() -> None:
            self._turn_lock.acquire()
            pressed.set()

        try:
            text = self.transcribe(record(on_press))
            return self.handle_text(text, woken=True)
        finally:
            if pressed.is_set():
                self._turn_lock.release()
            mic.drain()

    def run_push_to_talk(self, mic, record: Callable[[Callable[[], None]], bytes]) -> None:  # pragma: no cover
        """Device loop: each button press is one question; announcements come
        on their own (:meth:`start_announcer`), never during a press."""
        self.resume()
        self.start_announcer()
        while True:
            self.push_to_talk_turn(mic, record)

    def run_wake_word(self, mic, poll_every: float = 60.0) -> None:  # pragma: no cover
        """Device loop: always listening; a wake phrase (or an emergency) starts a turn."""
        self.resume()
        stream = self.asr.open_stream()
        awake_until = 0.0
        next_poll = self.clock()
        for block in mic.blocks():
            for result in stream.accept(block):
                if not result.is_final:
                    continue
                woken = self.clock() < awake_until
                rest = after_wake(result.text, self.settings.wake_phrases)
                if rest == "" and not is_emergency(result.text):
                    awake_until = self.clock() + 8.0  # wake phrase alone: next utterance
                    continue
                self.handle_text(rest or result.text, woken=woken or rest is not None)
                awake_until = 0.0
                mic.drain()
            if self.clock() >= next_poll:
                self.announce()
                next_poll = self.clock() + poll_every


def is_repeat(text: str) -> bool:
    flat = normalise_text(text)
    return any(word in flat for word in REPEAT_WORDS)

