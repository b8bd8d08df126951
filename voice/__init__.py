"""Offline voice for the smart speaker: Vosk in, espeak-ng out, one stage a module.

Stages sit behind small interfaces (:class:`voice.asr.Asr`, :class:`voice.tts.Tts`)
so an engine can be swapped; nothing heavy is imported here.
"""
