"""Rasa input/output channels for devices and messengers (``/webhooks/<name>/webhook``)."""
