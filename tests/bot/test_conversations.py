"""Conversations kept in the store: per chat and topic, bounded, ended by a quiet spell or a new topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.questions import InvalidQuestion
from bot.service import Lede
from bot.shared_index import new_index
from corpus.errors import ConfigurationError
from corpus.loader import load_paths
from corpus.store import QuestionReply
from retrieval.followup import MAX_TURNS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
CHAT = 42


@pytest.fixture
def lede() -> Lede:
    lede = Lede.compose(new_index(), conversation_quiet=timedelta(minutes=15))
    lede.add_articles(load_paths([SEEDS]))
    return lede


def ask(lede: Lede, question: str, chat: int = CHAT, *, at: datetime = NOW, thread: int = 0):
    return lede.questions.answer(question, chat, now=at, thread=thread).outcome


def test_a_follow_up_names_the_question_it_follows(lede):
    ask(lede, "what did Zelensky demand?")
    assert ask(lede, "where did they meet?").follow_up_of == "what did Zelensky demand?"


def test_one_chats_conversation_never_reaches_another(lede):
    ask(lede, "what did Zelensky demand?")
    assert ask(lede, "where did they meet?", chat=CHAT + 1).follow_up_of is None


def test_a_quiet_spell_ends_the_conversation(lede):
    ask(lede, "what did Zelensky demand?")
    assert ask(lede, "where did they meet?", at=NOW + timedelta(minutes=16)).follow_up_of is None


def test_a_question_with_a_topic_of_its_own_starts_a_new_conversation(lede):
    ask(lede, "what did Zelensky demand?")
    ask(lede, "How long was Trump's phone call with Putin in the week Vance met Zelensky in Munich?")
    assert [turn.question for turn in lede.store.conversation(CHAT, 0)] == [
        "How long was Trump's phone call with Putin in the week Vance met Zelensky in Munich?"]


def test_a_question_asked_again_with_its_spelling_mended_is_asked_afresh(lede):
    ask(lede, "What did Zelenskyy tell Vance?")
    again = ask(lede, "What did Zelensky tell Vance?")
    alone = ask(lede, "What did Zelensky tell Vance?", chat=CHAT + 1)
    assert again.follow_up_of is None
    assert (again.best.passage.text, again.confidence) == (alone.best.passage.text, alone.confidence)


def test_a_question_that_stands_alone_may_be_answered_by_a_sentence_already_given(lede):
    lead = "U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky on the sidelines"
    assert ask(lede, "Who did Vance meet?").best.passage.text.startswith(lead)
    where = ask(lede, "Where did Vance meet Zelensky?")
    assert where.best.passage.text.startswith(lead)
    assert where.follow_up_of is None


@pytest.mark.parametrize("message", ["😀", "?", "<<<&&&>>>", "👍"])
def test_a_message_with_no_words_is_no_follow_up(lede, message):
    ask(lede, "what did Zelensky demand?")
    reply = ask(lede, message)
    assert isinstance(reply, InvalidQuestion) and reply.reason.startswith("There are no words in that")
    assert [turn.question for turn in lede.store.conversation(CHAT, 0)] == ["what did Zelensky demand?"]


@pytest.mark.parametrize("message", ["thanks!", "Thank you so much", "many thanks, Lede", "thx 👍", "cheers"])
def test_thanks_after_an_answer_is_no_follow_up_and_gets_a_courteous_reply(lede, message):
    ask(lede, "what did Zelensky demand?")
    reply = ask(lede, message)
    assert isinstance(reply, InvalidQuestion) and reply.reason == "You're welcome."
    assert [turn.question for turn in lede.store.conversation(CHAT, 0)] == ["what did Zelensky demand?"]


@pytest.mark.parametrize("question", [
    "thanks to whom did the talks fail?", "what did Zelensky thank Vance for?", "hi, what did Vance say?",
    "what news did Vance bring?", "what is the new plan?", "news about Putin?",
])
def test_a_question_that_says_thanks_hello_or_news_is_still_a_question(lede, question):
    assert not isinstance(ask(lede, question), InvalidQuestion)


# "how much?" and "how long?" got the seed's "… a much tougher tone …" and "… long-term independence" until 3 Dec.
@pytest.mark.parametrize("question", ["what else?", "more?", "why?", "when?", "and who?", "how much?", "how long?",
                                      "how soon?"])
def test_asking_for_more_or_why_with_nothing_asked_before_says_there_is_nothing_to_go_on_from(lede, question):
    reply = ask(lede, question)
    assert isinstance(reply, InvalidQuestion) and reply.reason.startswith("There is no earlier question to go on from")
    assert lede.questions.ask(question).reason == reply.reason, "asked on its own (--ask), the same"


def test_the_stored_conversation_is_bounded(lede):
    questions = ["what did Zelensky demand?", "where did they meet?", "would he talk to Putin?",
                 "and what did Vance tell him?", "why?", "and what did they say?"]
    for minute, question in enumerate(questions):
        ask(lede, question, at=NOW + timedelta(minutes=minute))
    assert [turn.question for turn in lede.store.conversation(CHAT, 0)] == questions[-MAX_TURNS:]


def test_an_edit_of_the_latest_question_is_read_in_its_place(lede):
    ask(lede, "what did Zelensky demand?")
    typo = lede.questions.answer("whre did they meet?", CHAT, now=NOW + timedelta(seconds=30))
    reply = QuestionReply(7, typo.outcome.question, NOW + timedelta(seconds=30))
    edit = lede.questions.answer("where did they meet?", CHAT, now=NOW + timedelta(minutes=1), replacing=reply)
    assert edit.outcome.follow_up_of == "what did Zelensky demand?"
    assert [turn.question for turn in lede.store.conversation(CHAT, 0)] == [
        "what did Zelensky demand?", "where did they meet?"]


def test_an_edit_of_an_older_question_is_asked_after_the_later_ones(lede):
    ask(lede, "what did Zelensky demand?")
    ask(lede, "where did they meet?", at=NOW + timedelta(seconds=30))
    reply = QuestionReply(5, "what did Zelensky demand?", NOW)
    lede.questions.answer("and what did Vance tell him?", CHAT, now=NOW + timedelta(minutes=1), replacing=reply)
    assert [turn.question for turn in lede.store.conversation(CHAT, 0)] == [
        "what did Zelensky demand?", "where did they meet?", "and what did Vance tell him?"]


def test_the_quiet_spell_is_set_in_minutes_and_must_be_positive():
    assert load_config(["--console"], {"LEDE_CONVERSATION_MINUTES": "5"}).conversation_quiet == timedelta(minutes=5)
    assert load_config(["--console"], {}).conversation_quiet == timedelta(minutes=15)
    with pytest.raises(ConfigurationError, match="LEDE_CONVERSATION_MINUTES is 'soon'"):
        load_config(["--console"], {"LEDE_CONVERSATION_MINUTES": "soon"})


def test_an_answers_forum_topic_is_known_to_its_chat_only(lede):
    in_topic = lede.questions.answer("who did Vance meet?", CHAT, now=NOW, thread=7).number
    outside = lede.questions.answer("who did Vance meet?", CHAT + 1, now=NOW).number
    assert (lede.questions.topic_of(in_topic, CHAT), lede.questions.topic_of(outside, CHAT + 1)) == (7, 0)
    assert lede.questions.topic_of(in_topic, CHAT + 1) == 0, "another chat's answer says nothing of its topics"
    assert lede.questions.topic_of(in_topic + 100, CHAT) == 0


def test_more_under_a_follow_ups_answer_reads_the_follow_up_as_it_was_read(lede):
    ask(lede, "How long was Trump's call with Putin?")
    answered = lede.questions.answer("why?", CHAT, now=NOW + timedelta(seconds=30))
    assert answered.number is not None and answered.outcome.follow_up_of == "How long was Trump's call with Putin?"
    ask(lede, "who did Vance meet?", at=NOW + timedelta(minutes=1))  # the conversation moves on; the answer stays
    more = lede.questions.more_answers(answered.number, CHAT)
    assert more, "asked alone, \"why?\" has no words to search by"
    assert answered.outcome.best.passage not in [candidate.passage for candidate in more]


def test_more_under_the_answer_to_what_else_lists_more_answers_to_the_question_it_asked_again(lede):
    first = ask(lede, "what did Zelensky demand?")
    answered = lede.questions.answer("what else?", CHAT, now=NOW + timedelta(seconds=30))
    assert answered.number is not None and answered.outcome.best.passage != first.best.passage
    more = lede.questions.more_answers(answered.number, CHAT)
    assert more, "More under the second answer lists the next answers to the first question"
    assert answered.outcome.best.passage not in [candidate.passage for candidate in more]
