"""Pytest fixtures for the fake Bot API.

Make them available to a directory's tests by re-exporting them from its ``conftest.py`` (as
``tests/support/conftest.py`` does): ``from tests.support.fixtures import bot_api  # noqa: F401``.
Tests are imported from the repository root (``python -m pytest``), so ``tests.support`` resolves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.bot_api import FakeBotApi


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    """A started server for one test; fails the test if the fake itself hit an internal error."""
    with FakeBotApi(token="123456789:TEST-token", bot_username="lede_test_bot") as server:
        yield server
    assert not server.internal_errors, server.internal_errors
