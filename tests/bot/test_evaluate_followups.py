"""The follow-up evaluation through the real console: one ``run_bot.py`` process per conversation, over a store."""

from __future__ import annotations

import json

from bot.evaluate_followups import Conversation, Marks, follow_up_confidence, main
from retrieval.answer import UNSURE_FOLLOW_UP_BELOW
from retrieval.datasets import NewsQuestion
from tests.bot.test_console import ROOT, run_bot

SEED = "000_be628776acd63ea0"
COCOA = """# Cocoa Pact Agreed In London

Cocoa producers and consumers agreed on buffer stock rules in London on Friday.

The deal was reached because consumers accepted a lower price range.

Producers said the package was acceptable.
"""
# Asked on its own, the second turn gets what Vance said in the seed article; after the first, the producers' word.
CONVERSATION = {"cid": "cocoa-1", "turns": [
    {"question": "What did cocoa producers and consumers agree on?", "article_id": "cocoa",
     "answer": "buffer stock rules", "answer_sentence": "", "follow_up": False},
    {"question": "and what did they say?", "article_id": "cocoa", "answer": "the package was acceptable",
     "answer_sentence": "", "follow_up": True},
]}


def test_through_console_reproduces_the_in_process_reading_and_its_baseline(tmp_path, capsys):
    store, cocoa = tmp_path / "lede.db", tmp_path / "cocoa.md"
    cocoa.write_text(COCOA, encoding="utf-8")
    assert run_bot("--ingest", str(ROOT / "seeds"), str(cocoa), "--db", str(store)).returncode == 0
    conversations = tmp_path / "conversations.jsonl"
    conversations.write_text(json.dumps(CONVERSATION) + "\n", encoding="utf-8")

    assert main(["--db", str(store), "--corpus", str(ROOT / "seeds"), "--corpus", str(cocoa),
                 "--conversations", str(conversations), "--through-console"]) == 0

    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    in_process, console = printed
    assert in_process["fresh"] == console["console"] == {"follow_ups": 1.0, "first_turns": 1.0}
    assert in_process["baseline"] == console["console_baseline"] == {"follow_ups": 0.0, "first_turns": 1.0}
    assert console["differ"] == console["baseline_differ"] == []
    # One follow-up answered, and right: too few to fit where answers turn unsure.
    assert in_process["follow_up_confidence"] | {"reliability": None} == {
        "answers": 1, "roc_auc": None, "reliability": None, "shipped_unsure_below": UNSURE_FOLLOW_UP_BELOW,
        "half_way": None, "half_way_cv": None, "held_out_right_below": None, "held_out_right_above": None}


def test_self_contained_questions_are_also_asked_inside_conversations(tmp_path, capsys):
    conversations = tmp_path / "conversations.jsonl"
    conversations.write_text(json.dumps(CONVERSATION) + "\n", encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(record) + "\n" for record in [
        {"question": "What did Hegseth say?", "article_id": SEED, "answer": "not commit peacekeeping forces",
         "answer_sentence": "", "paraphrased": False},
        {"question": "Will the US send troops to Ukraine?", "article_id": SEED, "answer": "remained “on the table”",
         "answer_sentence": "", "paraphrased": False},
    ]), encoding="utf-8")

    assert main(["--corpus", str(ROOT / "seeds"), "--conversations", str(conversations),
                 "--questions", str(questions)]) == 0

    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert printed[-1] == {"questions": 2, "alone": 1.0, "after_headline": 1.0, "after_previous": 1.0}


def test_the_follow_ups_confidence_is_judged_on_conversations_held_out():
    # Twenty conversations over ten articles; their follow-ups are right above 0.6 and wrong below.
    conversations = [Conversation(f"c{n}", (NewsQuestion("q?", f"article-{n % 10}", "", "", False),))
                     for n in range(20)]
    answered = tuple((f"c{n}", confidence, confidence > 0.6)
                     for n in range(20) for confidence in (0.3 + 0.05 * (n % 4), 0.65 + 0.05 * (n % 5)))
    answered += (("c0", 0.9, False), ("c1", 0.4, True))
    judged = follow_up_confidence(Marks({}, answered), conversations, 5)
    assert judged["answers"] == 42
    assert 0.45 < judged["half_way"] < 0.65 and judged["half_way_cv"]["sd"] < 0.1
    assert judged["held_out_right_below"] < 0.1 < 0.9 < judged["held_out_right_above"]
    assert judged["roc_auc"] > 0.9
