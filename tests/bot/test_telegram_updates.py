"""The parts of an update a handler's registration guarantees: returned when present, a clear error when not.

A tapped message is returned only while it can be replied to.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, InaccessibleMessage, InlineQuery, Message, Update, User
from telegram.constants import ZERO_DATE

from bot.telegram_updates import inline_query_of, message_of, sender_of, tapped_message

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


CHAT = Chat(id=7, type=Chat.PRIVATE)


def tap_under(message: Message | InaccessibleMessage) -> CallbackQuery:
    return CallbackQuery(id="t1", from_user=ASKER, chat_instance="7", message=message, data="ans:more:1")


def test_a_tapped_message_is_returned_while_it_can_be_replied_to():
    shown = Message(message_id=3, date=datetime(2026, 12, 3, tzinfo=UTC), chat=CHAT, text="The answer")
    assert tapped_message(tap_under(shown)) is shown


@pytest.mark.parametrize("gone", [Message(message_id=3, date=ZERO_DATE, chat=CHAT),
                                  InaccessibleMessage(chat=CHAT, message_id=3)],
                         ids=["as python-telegram-bot 22 parses it", "as an InaccessibleMessage"])
def test_a_tapped_message_deleted_meanwhile_is_none(gone):
    assert tapped_message(tap_under(gone)) is None
