"""The strict local Bot API server, for the Telegram end-to-end tests."""

from tests.support.fixtures import bot_api  # noqa: F401 - re-exported fixture
