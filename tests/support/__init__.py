"""Test doubles shared by the end-to-end tests (see ``bot_api`` for the fake Telegram server)."""
