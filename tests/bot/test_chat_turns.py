"""One question at a time per chat: in order within a chat, side by side across chats, nothing kept after."""

from __future__ import annotations

import asyncio

from bot.chat_turns import ChatTurns


async def _answer(turns: ChatTurns, chat: int, name: str, log: list[str], pause: float) -> None:
    async with turns.turn(chat):
        log.append(f"{name} starts")
        await asyncio.sleep(pause)
        log.append(f"{name} ends")


async def test_a_chats_questions_are_answered_one_after_another_in_the_order_they_came():
    turns, log = ChatTurns(), []
    await asyncio.gather(_answer(turns, 1, "question", log, 0.05), _answer(turns, 1, "edit", log, 0))
    assert log == ["question starts", "question ends", "edit starts", "edit ends"]
    assert len(turns) == 0


async def test_other_chats_are_not_held_up():
    turns, log = ChatTurns(), []
    await asyncio.gather(_answer(turns, 1, "slow", log, 0.05), _answer(turns, 2, "quick", log, 0))
    assert log == ["slow starts", "quick starts", "quick ends", "slow ends"]
    assert len(turns) == 0
