"""The community-worker console: a small Sanic app with server-rendered,
large-type Chinese pages (sign-in, emergencies, alerts, lectures and their
delivery progress, bookings, elders and binding codes, handoff requests).

``create_app(settings)`` builds the app; ``python -m bot.console`` serves it;
``register(subparsers)`` adds ``anxin console``, ``anxin console-user`` and
``anxin lecture`` to the CLI.
"""

from __future__ import annotations


def create_app(settings, rasa=None):
    from bot.console.app import create_app as build

    return build(settings, rasa=rasa)


def main(argv=None) -> int:
    from bot.console.cli import main as run

    return run(argv)


def register(subparsers) -> None:
    from bot.console.cli import register as add

    add(subparsers)
