"""Allow-lists and per-person rate limits: the rules, how they are configured, and what people see in Telegram."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.access import NOT_ALLOWED, NOT_ALLOWED_SHORT, AccessPolicy, Action, RateLimit, RateLimiter, slow_down_briefly
from bot.config import load_config
from corpus.errors import ConfigurationError
from bot.service import Lede
from bot.shared_index import new_index
from bot.telegram_app import build_application
from corpus.loader import load_paths
from tests.support.bot_api import FakeBotApi, polling


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_without_allow_lists_everyone_is_admitted():
    assert AccessPolicy().admits(1, 1) and AccessPolicy().admits(None, -5)


def test_a_listed_user_is_admitted_anywhere_and_anyone_in_a_listed_chat():
    policy = AccessPolicy(users=frozenset({7}), chats=frozenset({-100}))
    assert policy.admits(7, 7) and policy.admits(7, -999), "a listed person, privately or in any group"
    assert policy.admits(8, -100), "anyone in a listed group"
    assert not policy.admits(8, 8) and not policy.admits(8, -999) and not policy.admits(None, None)


def test_allow_lists_come_from_the_environment_and_a_typo_is_a_configuration_error():
    config = load_config(["--console"], {"LEDE_ALLOWED_USERS": "7, 8", "LEDE_ALLOWED_CHATS": "-100123"})
    assert config.access == AccessPolicy(frozenset({7, 8}), frozenset({-100123}))
    with pytest.raises(ConfigurationError, match="LEDE_ALLOWED_USERS must be a comma-separated list of Telegram ids"):
        load_config(["--console"], {"LEDE_ALLOWED_USERS": "7,@ada"})


@pytest.mark.parametrize("name", ["LEDE_ALLOWED_USERS", "LEDE_ALLOWED_CHATS"])
@pytest.mark.parametrize("value", ["", " ", " , ,"])
def test_an_allow_list_set_but_listing_no_one_is_refused_rather_than_opening_the_bot_to_everyone(name, value):
    # An env file's "LEDE_ALLOWED_USERS=" or a compose file's unset ${ALLOWED} sets it empty: the operator meant a list.
    with pytest.raises(ConfigurationError) as refused:
        load_config(["--console"], {name: value})
    assert str(refused.value) == (f"{name} is {value!r}, which lists no one; list the Telegram ids allowed, "
                                  "or unset it to let everyone use the bot")
    assert load_config(["--console"], {}).access == AccessPolicy(), "unset, it is no list: everyone may use the bot"


def test_rate_limits_are_configurable_and_can_be_lifted():
    config = load_config(["--console"], {"LEDE_QUESTION_LIMIT": "5/10", "LEDE_ADD_LIMIT": "off"})
    assert config.rate_limits == {Action.QUESTION: RateLimit(5, 10.0), Action.ADD_SOURCE: RateLimit(0, 1.0)}
    assert load_config(["--console"], {}).rate_limits == {Action.QUESTION: RateLimit(30, 60.0),
                                                          Action.ADD_SOURCE: RateLimit(10, 600.0)}
    with pytest.raises(ConfigurationError, match="LEDE_QUESTION_LIMIT must look like 30/60"):
        load_config(["--console"], {"LEDE_QUESTION_LIMIT": "fast"})


def test_a_limit_of_none_per_period_is_refused_as_ambiguous_rather_than_read_as_no_limit():
    # "0/60" may mean "no questions at all" or "no limit": Lede asks for "off" or a count.
    with pytest.raises(ConfigurationError, match="LEDE_QUESTION_LIMIT is '0/60': say off to lift the limit, "
                                                 "or allow 1 or more in a minute"):
        load_config(["--console"], {"LEDE_QUESTION_LIMIT": "0/60"})


def test_a_person_over_the_limit_waits_for_the_oldest_action_to_leave_the_window():
    clock = Clock()
    limiter = RateLimiter({Action.QUESTION: RateLimit(3, 60)}, clock)
    for second in (0, 10, 20):
        clock.now = 1000 + second
        assert limiter.wait(1, Action.QUESTION) == 0
    clock.now = 1030
    assert limiter.wait(1, Action.QUESTION) == pytest.approx(30)
    assert limiter.wait(2, Action.QUESTION) == 0, "each person has their own budget"
    clock.now = 1060
    assert limiter.wait(1, Action.QUESTION) == 0, "the first question has left the window"
    assert limiter.wait(1, Action.QUESTION) == pytest.approx(10)


def test_refused_attempts_do_not_count_and_actions_have_separate_budgets():
    clock = Clock()
    limiter = RateLimiter({Action.QUESTION: RateLimit(1, 60), Action.ADD_SOURCE: RateLimit(1, 600)}, clock)
    assert limiter.wait(1, Action.QUESTION) == 0
    for _ in range(5):
        assert limiter.wait(1, Action.QUESTION) > 0
    assert limiter.wait(1, Action.ADD_SOURCE) == 0
    clock.now += 60
    assert limiter.wait(1, Action.QUESTION) == 0, "hammering while limited did not extend the wait"


def test_a_person_over_the_limit_is_told_once_per_wait_not_at_every_attempt():
    # Told at every attempt, one person (a script, a flood in a group) had Lede send a reply per message.
    clock = Clock()
    limiter = RateLimiter({Action.QUESTION: RateLimit(1, 60), Action.ADD_SOURCE: RateLimit(1, 600)}, clock)
    assert limiter.wait(1, Action.QUESTION) == 0
    told = []
    for _ in range(4):
        assert limiter.wait(1, Action.QUESTION) > 0
        told.append(limiter.to_be_told(1, Action.QUESTION))
    assert told == [True, False, False, False]
    assert limiter.wait(1, Action.ADD_SOURCE) == 0 and limiter.wait(1, Action.ADD_SOURCE) > 0
    assert limiter.to_be_told(1, Action.ADD_SOURCE), "each action's first refusal is told"
    clock.now += 60
    assert limiter.wait(1, Action.QUESTION) == 0
    assert limiter.wait(1, Action.QUESTION) > 0 and limiter.to_be_told(1, Action.QUESTION), "a new wait is told again"


def test_a_lifted_limit_never_waits():
    limiter = RateLimiter({Action.QUESTION: RateLimit(0, 1)})
    assert all(limiter.wait(1, Action.QUESTION) == 0 for _ in range(1000))


def test_the_slow_down_reply_is_one_friendly_sentence():
    limiter = RateLimiter({Action.QUESTION: RateLimit(30, 60), Action.ADD_SOURCE: RateLimit(10, 600)})
    assert limiter.slow_down(Action.QUESTION, 4.2) == (
        "Slow down, please: you can ask 30 questions in a minute; try again in 5 s.")
    assert limiter.slow_down(Action.ADD_SOURCE, 100) == (
        "Slow down, please: you can add 10 sources in 10 minutes; try again in 100 s.")
    assert slow_down_briefly(57.2) == "Slow down, please: try again in 58 s", "where a line is all there is room for"


def test_idle_people_are_forgotten_so_memory_follows_recent_activity():
    clock = Clock()
    limiter = RateLimiter({Action.QUESTION: RateLimit(2, 60)}, clock)
    for person in range(5000):
        limiter.wait(person, Action.QUESTION)
    clock.now += 61
    for person in range(5000, 9000):
        limiter.wait(person, Action.QUESTION)
    assert len(limiter) < 5000, "the first 5,000 people, idle for a minute, were dropped"
    assert limiter.wait(0, Action.QUESTION) == 0


# ---- in Telegram -----------------------------------------------------------------------------

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
STRANGER, FRIEND, LISTED_GROUP, OTHER_GROUP = 2001, 2002, -3001, -3002
VANCE = "U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky"


@pytest.fixture(scope="module")
def lede() -> Lede:
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    return lede


def application(server: FakeBotApi, lede: Lede, environ: dict[str, str]):
    config = load_config([], {"TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_BASE_URL": server.base_url, **environ})
    return build_application(config, lede)


async def test_with_allow_lists_strangers_are_told_once_and_unlisted_groups_get_silence(bot_api, lede):
    environ = {"LEDE_ALLOWED_USERS": str(FRIEND), "LEDE_ALLOWED_CHATS": str(LISTED_GROUP)}
    bot_api.add_group(LISTED_GROUP, "Listed")
    bot_api.add_group(OTHER_GROUP, "Other")
    async with polling(application(bot_api, lede, environ)):
        bot_api.send_user_message(STRANGER, STRANGER, "Who did Vance meet?")
        bot_api.send_user_message(FRIEND, FRIEND, "Who did Vance meet?")
        bot_api.send_user_message(LISTED_GROUP, STRANGER, "/ask Who did Vance meet?")
        bot_api.send_user_message(OTHER_GROUP, STRANGER, "/ask Who did Vance meet?")
        bot_api.send_user_document(STRANGER, STRANGER, "notes.txt", b"Secret plans were made.")
        [refusal, _] = await bot_api.wait_for_messages(STRANGER, 2)
        [friend] = await bot_api.wait_for_messages(FRIEND)
        [group] = await bot_api.wait_for_messages(LISTED_GROUP)
        await bot_api.assert_no_messages(OTHER_GROUP)
    assert refusal.text == NOT_ALLOWED.format(user=STRANGER)
    assert friend.text.startswith(VANCE) and group.text.startswith(VANCE)
    assert bot_api.requests_for("getFile") == [], "a stranger's document is never downloaded"


async def test_a_strangers_inline_query_is_answered_with_no_results_and_the_way_to_the_refusal(bot_api, lede):
    async with polling(application(bot_api, lede, {"LEDE_ALLOWED_USERS": str(FRIEND)})):
        stranger = await bot_api.wait_for_inline_answer(bot_api.send_inline_query(STRANGER, "Who did Vance meet?"))
        friend = await bot_api.wait_for_inline_answer(bot_api.send_inline_query(FRIEND, "Who did Vance meet?"))
    assert stranger["results"] == [] and stranger["is_personal"] and stranger["cache_time"] == 0
    assert stranger["button"] == {"text": NOT_ALLOWED_SHORT, "start_parameter": "inline"}
    assert friend["results"][0]["title"].startswith(VANCE)


async def test_a_strangers_tap_on_a_button_is_answered_with_the_refusal_and_does_nothing(bot_api, lede):
    # FRIEND may ask anywhere, so Lede answers in a group that is not listed; a stranger there taps a button.
    bot_api.add_group(OTHER_GROUP, "Other")
    async with polling(application(bot_api, lede, {"LEDE_ALLOWED_USERS": str(FRIEND)})):
        bot_api.send_user_message(OTHER_GROUP, FRIEND, "/ask Who did Vance meet?")
        [answer] = await bot_api.wait_for_messages(OTHER_GROUP)
        [more] = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row if b["text"] == "More"]
        bot_api.send_callback_query(OTHER_GROUP, STRANGER, answer.message_id, more)
        await bot_api.wait_for_request("answerCallbackQuery")
        await bot_api.assert_no_messages(OTHER_GROUP)
    [tap] = bot_api.requests_for("answerCallbackQuery")
    assert tap["text"] == NOT_ALLOWED_SHORT


async def test_questions_over_the_limit_get_a_friendly_slow_down(bot_api, lede):
    async with polling(application(bot_api, lede, {"LEDE_QUESTION_LIMIT": "2/60"})):
        for number in range(1, 4):
            bot_api.send_user_message(FRIEND, FRIEND, "Who did Vance meet?")
            await bot_api.wait_for_messages(FRIEND, number)
        bot_api.send_user_message(STRANGER, STRANGER, "Who did Vance meet?")
        [other] = await bot_api.wait_for_messages(STRANGER)
    replies = [message.text for message in bot_api.sent_messages(FRIEND)]
    assert replies[0].startswith(VANCE) and replies[1].startswith(VANCE)
    assert replies[2].startswith("Slow down, please: you can ask 2 questions in a minute; try again in ")
    assert other.text.startswith(VANCE), "the limit is per person"


async def test_a_flood_of_questions_in_a_group_gets_one_slow_down_not_one_per_message(bot_api, lede):
    # Each reply counts against Telegram's 20 messages a minute in a group, holding up everyone's answers there.
    bot_api.add_group(LISTED_GROUP, "Listed")
    async with polling(application(bot_api, lede, {"LEDE_QUESTION_LIMIT": "1/60"})):
        for _ in range(6):
            bot_api.send_user_message(LISTED_GROUP, FRIEND, "/ask Who did Vance meet?")
        await bot_api.wait_for_messages(LISTED_GROUP, 2)
        await bot_api.assert_no_messages(LISTED_GROUP, within=2.0)
    replies = [message.text for message in bot_api.sent_messages(LISTED_GROUP)]
    assert len(replies) == 2 and sum(reply.startswith(VANCE) for reply in replies) == 1
    assert sum(reply.startswith("Slow down, please: you can ask 1 question in a minute") for reply in replies) == 1


async def test_the_limit_of_someone_writing_as_a_group_is_that_groups_not_everyone_elses(bot_api, lede):
    # Telegram gives every anonymous administrator of every group one sender, @GroupAnonymousBot.
    bot_api.add_group(LISTED_GROUP, "Listed", type="supergroup")
    bot_api.add_group(OTHER_GROUP, "Other", type="supergroup")
    async with polling(application(bot_api, lede, {"LEDE_QUESTION_LIMIT": "1/60"})):
        bot_api.send_as_chat(LISTED_GROUP, "/ask Who did Vance meet?")
        [first] = await bot_api.wait_for_messages(LISTED_GROUP)
        bot_api.send_as_chat(OTHER_GROUP, "/ask Who did Vance meet?")
        [other] = await bot_api.wait_for_messages(OTHER_GROUP)
        bot_api.send_as_chat(LISTED_GROUP, "/ask Who did Vance meet?")
        [_, again] = await bot_api.wait_for_messages(LISTED_GROUP, 2)
    assert first.text.startswith(VANCE) and other.text.startswith(VANCE)
    assert again.text.startswith("Slow down, please: you can ask 1 question in a minute")


async def test_adding_sources_over_the_limit_is_refused_before_anything_is_fetched(bot_api, lede):
    async with polling(application(bot_api, lede, {"LEDE_ADD_LIMIT": "1/600"})):
        bot_api.send_user_message(FRIEND, FRIEND, "/add not-a-url")
        await bot_api.wait_for_messages(FRIEND)
        bot_api.send_user_message(FRIEND, FRIEND, "/feed add https://example.com/feed.xml")
        [_, limited] = await bot_api.wait_for_messages(FRIEND, 2)
    assert limited.text.startswith("Slow down, please: you can add 1 source in 10 minutes; try again in ")


async def test_more_and_context_taps_count_as_questions_and_over_the_limit_each_tap_is_told_the_wait(bot_api, lede):
    # Each tap ran a whole answer (More) or sent a reply (Context), however often it came.
    async with polling(application(bot_api, lede, {"LEDE_QUESTION_LIMIT": "2/60"})):
        bot_api.send_user_message(FRIEND, FRIEND, "Who did Vance meet?")
        [answer] = await bot_api.wait_for_messages(FRIEND)
        buttons = {b["text"]: b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row}
        for taps, button in enumerate(("More", "Context", "👍", "More"), start=1):
            bot_api.send_callback_query(FRIEND, FRIEND, answer.message_id, buttons[button])
            await bot_api.wait_for_request("answerCallbackQuery", taps)
        await bot_api.assert_no_messages(FRIEND, within=0.5)
    more, context, thumbs_up, more_again = (tap.get("text") for tap in bot_api.requests_for("answerCallbackQuery"))
    [_, more_answers] = bot_api.sent_messages(FRIEND)
    assert more is None and "Foreign Policy" in more_answers.text
    assert context.startswith("Slow down, please: you can ask 2 questions in a minute; try again in ")
    assert thumbs_up == "Thanks, noted.", "rating an answer is no question"
    assert more_again.startswith("Slow down, please: you can ask 2 questions in a minute; try again in ")


async def test_inline_queries_with_words_count_as_questions_and_over_the_limit_show_the_wait_above_no_results(
        bot_api, lede):
    # Telegram sends a query at every pause in typing, and none counted: one person could have Lede search the
    # articles hundreds of times a minute.
    async with polling(application(bot_api, lede, {"LEDE_QUESTION_LIMIT": "2/60"})):
        typed = [await bot_api.wait_for_inline_answer(bot_api.send_inline_query(FRIEND, text))
                 for text in ("", "🤔", "Who did Vance", "Who did Vance meet?", "Who did Vance meet?", "  ")]
        bot_api.send_user_message(FRIEND, FRIEND, "Who did Vance meet?")
        [asked] = await bot_api.wait_for_messages(FRIEND)
        other = await bot_api.wait_for_inline_answer(bot_api.send_inline_query(STRANGER, "Who did Vance meet?"))
    opened, emoji, typing, typed_in_full, over, blank = typed
    assert typing["results"] and typed_in_full["results"][0]["title"].startswith(VANCE)
    assert over["results"] == [] and over["is_personal"] and over["cache_time"] == 0, "not shown to others typing it"
    assert re.fullmatch(r"Slow down, please: try again in \d+ s", over["button"]["text"])
    assert over["button"]["start_parameter"] == "inline"
    nothing_to_search = {"text": "Type a question about the news", "start_parameter": "inline"}
    assert opened["button"] == emoji["button"] == blank["button"] == nothing_to_search, "no word in it: not counted"
    assert asked.text.startswith("Slow down, please: you can ask 2 questions in a minute"), "one budget for both"
    assert other["results"][0]["title"].startswith(VANCE), "the limit is per person"
    assert bot_api.sent_messages() == [asked], "an inline query over the limit is told in no chat"
