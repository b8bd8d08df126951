"""Moved to :mod:`bot.rasa_api`; this name stays only while ``bot/channels/held.py``
still imports it (its emergency resume must not break).  Delete with that file."""

from bot.rasa_api import RasaControl

__all__ = ["RasaControl"]
