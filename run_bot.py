"""Run Lede from a checkout: ``python run_bot.py --help`` (an installed Lede has the ``lede`` command)."""

import sys

from bot.entry import main

if __name__ == "__main__":
    sys.exit(main())
