"""The functional core (``retrieval`` and ``corpus``) and the bot around it (``bot``) type-check clean under mypy.

Everything that answers a question and keeps the articles is plain typed
Python, without Telegram's objects, and stays so; the bot's handlers take the
parts of an update their registration guarantees typed as present
(:mod:`bot.telegram_updates`). Their annotations are kept true by checking
them, here, with the settings of ``[tool.mypy]`` in pyproject.toml (so plain
``mypy`` in the checkout reports the same). mypy is a test dependency, so a
missing mypy fails this test rather than skipping it.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
CORE = ("retrieval", "corpus", "bot")


def test_the_core_type_checks_clean() -> None:
    report, errors, status = api.run([
        "--config-file", str(ROOT / "pyproject.toml"),
        "--cache-dir", str(ROOT / ".mypy_cache"),
        *(str(ROOT / package) for package in CORE),
    ])
    assert status == 0, f"mypy found errors in {', '.join(CORE)}:\n{report}{errors}"
