"""``python -m bot.console``: serve the community-worker console."""

import sys

from bot.console import main

if __name__ == "__main__":
    sys.exit(main())
