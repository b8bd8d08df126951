"""``python -m actions``: the action server, configured from the environment.

The entry point of the action-server process: it installs the settings the
actions and the records store read, then hands over to rasa-sdk's own
command line (``--actions actions`` is implied).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    from core.settings import bootstrap

    bootstrap()
    args = list(sys.argv[1:] if argv is None else argv)
    if "--actions" not in args:
        args = ["--actions", "actions", *args]
    main_from_args(create_argument_parser().parse_args(args))


if __name__ == "__main__":
    main()
