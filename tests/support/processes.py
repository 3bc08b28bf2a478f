"""Running ``run_bot.py`` as its own process, as an operator would."""

from __future__ import annotations

import os


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ``TELEGRAM_`` or ``LEDE_`` variable, then ``settings``.

    A developer's own token, store or allow-lists must not leak into a test
    that starts Lede, nor make it talk to the real Telegram.
    """
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "LEDE_"))}
    environment.update(settings)
    return environment
