"""The parts of an update a handler's registration guarantees: returned when present, a clear error when not."""

from __future__ import annotations

import pytest
from telegram import InlineQuery, Update, User

from bot.telegram_updates import inline_query_of, message_of, sender_of

ASKER = User(id=7, first_name="Ann", is_bot=False)


def inline_query_update() -> Update:
    return Update(update_id=5, inline_query=InlineQuery(id="q1", from_user=ASKER, query="why?", offset=""))


def test_a_part_the_update_has_is_returned():
    update = inline_query_update()
    assert inline_query_of(update).query == "why?"
    assert sender_of(update) == ASKER


def test_a_part_the_update_lacks_is_a_clear_error_naming_what_it_has_instead():
    with pytest.raises(RuntimeError, match=r"update 5 \(with inline_query\) has no message.*registered"):
        message_of(inline_query_update())
