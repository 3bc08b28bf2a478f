"""Makes the ``bot_api`` fixture available to the fake's own tests."""

from tests.support.fixtures import bot_api  # noqa: F401 - re-exported fixture
