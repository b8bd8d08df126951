"""Anxin's one exception hierarchy.

    AnxinError
    ├── ConfigError            a setting is missing or malformed
    ├── StoreError             records/ could not do what was asked
    │   ├── NotFound           the thing asked for does not exist
    │   ├── Conflict           a constraint said no (full slot, duplicate, ...)
    │   └── StoreUnavailable   the database cannot be reached right now
    └── ChannelError           a channel could not deliver or parse a message

Errors are caught at the boundaries (channel, action, worker), logged with
context but without health data, and turned into an honest reply.
"""


class AnxinError(Exception):
    """Base class of every error Anxin raises on purpose."""


class ConfigError(AnxinError):
    pass


class StoreError(AnxinError):
    pass


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


class StoreUnavailable(StoreError):
    pass


class ChannelError(AnxinError):
    pass
