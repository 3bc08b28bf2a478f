"""Follow-ups on the console: one process per conversation, ``--console --json``, as a pipe would use it."""

from __future__ import annotations

import json

from tests.bot.test_console import run_bot

CONVERSATION = ["what did Zelensky demand?", "and what did Vance tell him?", "/new", "why?"]


def test_each_reply_names_the_question_it_was_read_as_following():
    result = run_bot("--console", "--json", stdin="\n".join(CONVERSATION) + "\n")
    assert result.returncode == 0, result.stderr
    first, follow_up, new, alone = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["follow_up_of"] is None
    assert follow_up["follow_up_of"] == "what did Zelensky demand?"
    assert follow_up["answer"].startswith("On Thursday, though, Vance told the Wall Street Journal")
    assert new["new_conversation"] is True
    assert alone["follow_up_of"] is None and alone["answer"] is None


def test_a_restart_keeps_the_conversation_of_the_same_store(tmp_path):
    db = str(tmp_path / "lede.db")
    run_bot("--console", "--json", "--db", db, stdin="what did Zelensky demand?\n")
    result = run_bot("--console", "--json", "--db", db, stdin="and what did Vance tell him?\n")
    assert json.loads(result.stdout)["follow_up_of"] == "what did Zelensky demand?"


def test_ask_answers_one_question_on_its_own():
    result = run_bot("--ask", "and what did Vance tell him?", "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1])["follow_up_of"] is None


def test_a_question_about_nothing_the_articles_hold_is_not_answered_from_the_conversation():
    conversation = ["what did Zelensky demand?", "How long was Trump's call with Putin?", "What is the capital of Australia?"]
    result = run_bot("--console", "--json", stdin="\n".join(conversation) + "\n")
    capital = json.loads(result.stdout.splitlines()[-1])
    assert capital["answer"] is None and capital["message"] == "I couldn't find that in the articles I have."


def test_asking_for_the_things_the_answer_named_gets_the_sentence_that_lists_them():
    conversation = ["What did Trump offer Putin?", "what concessions?"]
    result = run_bot("--console", "--json", stdin="\n".join(conversation) + "\n")
    first, listing = [json.loads(line) for line in result.stdout.splitlines()]
    assert "offer unilateral concessions" in first["answer"]
    assert listing["answer"].startswith("These included Ukraine potentially giving up")
    assert listing["lead_in"] == first["answer"]


def test_a_question_that_stands_alone_gets_its_own_answer_after_another_about_the_same_story():
    # Both are answered by the sentence on sending troops. Read as a follow-up (it says too little
    # that is new), the second could not repeat that sentence and got the one about the G-7.
    conversation = ["What did Hegseth say?", "Will the US send troops to Ukraine?"]
    result = run_bot("--console", "--json", stdin="\n".join(conversation) + "\n")
    first, troops = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["answer"].startswith("Specifying that sending U.S. troops to Ukraine")
    assert troops["answer"] == first["answer"]
    assert troops["follow_up_of"] is None
