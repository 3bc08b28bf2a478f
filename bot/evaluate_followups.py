"""Follow-up questions measured: conversations asked turn by turn, as the console asks them.

    python -m bot.evaluate_followups --corpus ../shared/data/reuters21578.jsonl.gz --corpus seeds \\
        --conversations ../shared/data/newsqa/followups-dev.jsonl --cv 5

Every turn goes through :meth:`bot.questions.Questions.answer`, the console's
and Telegram's code path, conversation state included (an in-memory store,
one chat). A turn is right when its answer comes from the turn's article and
contains its answer span, as :mod:`retrieval.evaluate` judges news questions.

Two readings of the same conversations:

* **fresh**: each conversation starts with no state, as in one console
  process per conversation; the first turn is then answered exactly as
  without context.
* **after another**: each conversation is asked straight after the one before
  it in the file (in the same chat, within the quiet spell), so its first turn
  must be recognised as a new topic; this is what tests the follow-up test.

The baseline answers every turn on its own (:meth:`Questions.ask`), in the
same run. ``--cv K`` chooses the follow-up settings (borrowed-word weight,
article bonus, own-words bonus, the follow-up test's threshold) on K-1 folds
of conversations grouped by article, by the number of right turns asked
after another, and reports the held-out fold: mean ± standard deviation over
the folds. (A training conversation's predecessor may sit in the held-out
fold: its questions are then asked, but its answers are never judged.)
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.conversations import Conversations
from bot.questions import Questions
from bot.service import Lede
from bot.shared_index import new_index
from corpus.loader import load_paths
from corpus.store import EVERYONE, Store
from retrieval.answer import Answer
from retrieval.datasets import NewsQuestion
from retrieval.followup import FollowUpSettings

# The settings cross-validation chooses among.
CONTEXT_WEIGHTS = (0.2, 0.4, 0.6)
ARTICLE_BONUSES = (1.0, 2.0, 4.0)
OWN_WORDS = (1.0, 2.0, 3.0)
THRESHOLDS = (3.0, 5.0, 8.0)
# Questions of one conversation come a minute apart, well inside the quiet spell.
BETWEEN_TURNS = timedelta(minutes=1)
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Conversation:
    cid: str
    turns: tuple[NewsQuestion, ...]

    @property
    def article_id(self) -> str:
        return self.turns[0].article_id


@dataclass(frozen=True, slots=True)
class Marks:
    """Which turns of each conversation were answered right (first turn first)."""

    right: dict[str, tuple[bool, ...]]

    def first(self, cids: Iterable[str]) -> float:
        firsts = [self.right[cid][0] for cid in cids]
        return sum(firsts) / len(firsts)

    def follow_ups(self, cids: Iterable[str]) -> float:
        later = [mark for cid in cids for mark in self.right[cid][1:]]
        return sum(later) / len(later)

    def total(self, cids: Iterable[str]) -> int:
        return sum(sum(self.right[cid]) for cid in cids)


def read_conversations(path: Path) -> tuple[Conversation, ...]:
    conversations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            turns = tuple(
                NewsQuestion(turn["question"], turn["article_id"], turn["answer"], turn["answer_sentence"], False)
                for turn in record["turns"]
            )
            conversations.append(Conversation(record["cid"], turns))
    return tuple(conversations)


def _right(turn: NewsQuestion, answer: object) -> bool:
    best = answer.best if isinstance(answer, Answer) else None
    return best is not None and turn.is_answered_by(best.passage.article.article_id, best.passage.text)


def converse(lede: Lede, settings: FollowUpSettings, conversations: Sequence[Conversation], *, after_another: bool) -> Marks:
    """Ask every conversation through the questions use case; ``after_another``: each after the one before it."""
    right = {}
    for number, conversation in enumerate(conversations):
        store = Store.open(":memory:")
        questions = Questions(lede.index, store, Conversations(store, lede.index, settings))
        moment = START
        # After another: the conversation before it in the file (the last one before the first) was just asked.
        asked = [*conversations[number - 1].turns, *conversation.turns] if after_another else conversation.turns
        marks = []
        for turn in asked:
            answered = questions.answer(turn.question, EVERYONE, now=moment)
            moment += BETWEEN_TURNS
            marks.append(_right(turn, answered.outcome))
        right[conversation.cid] = tuple(marks[-len(conversation.turns):])
        store.close()
    return Marks(right)


def without_context(lede: Lede, conversations: Sequence[Conversation]) -> Marks:
    """The baseline: every turn answered on its own."""
    return Marks({c.cid: tuple(_right(turn, lede.questions.ask(turn.question)) for turn in c.turns) for c in conversations})


def folds(conversations: Sequence[Conversation], k: int, seed: int = 14) -> list[list[str]]:
    """``k`` folds of conversation ids; the conversations over one article share a fold."""
    articles = sorted({c.article_id for c in conversations})
    random.Random(seed).shuffle(articles)
    fold_of = {article: number % k for number, article in enumerate(articles)}
    return [[c.cid for c in conversations if fold_of[c.article_id] == fold] for fold in range(k)]


def grid() -> list[FollowUpSettings]:
    return [FollowUpSettings(context_weight=w, article_bonus=b, own_words=o, threshold=t)
            for w, b, o, t in itertools.product(CONTEXT_WEIGHTS, ARTICLE_BONUSES, OWN_WORDS, THRESHOLDS)]


def cross_validate(lede: Lede, conversations: Sequence[Conversation], k: int) -> dict:
    """Per fold: the settings best on the other folds, scored on this one; with the baseline on the same folds."""
    marks = {}
    for number, settings in enumerate(grid(), start=1):
        marks[settings] = converse(lede, settings, conversations, after_another=True)
        print(f"  setting {number}/{len(grid())}: {settings}", file=sys.stderr)
    baseline = without_context(lede, conversations)
    rows = []
    for held_out in folds(conversations, k):
        training = [c.cid for c in conversations if c.cid not in held_out]
        chosen = max(grid(), key=lambda s: marks[s].total(training))
        rows.append({
            "settings": asdict(chosen),
            "follow_ups": marks[chosen].follow_ups(held_out),
            "first_turns": marks[chosen].first(held_out),
            "baseline_follow_ups": baseline.follow_ups(held_out),
            "baseline_first_turns": baseline.first(held_out),
        })
    every = [c.cid for c in conversations]
    best = max(grid(), key=lambda s: marks[s].total(every))
    return {"folds": rows, "chosen_on_all": asdict(best),
            **{key: _spread([row[key] for row in rows])
               for key in ("follow_ups", "first_turns", "baseline_follow_ups", "baseline_first_turns")}}


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {"mean": round(statistics.mean(values), 3), "sd": round(statistics.stdev(values), 3)}


def measure(lede: Lede, settings: FollowUpSettings, conversations: Sequence[Conversation]) -> dict:
    """One setting on every conversation, fresh and after another, beside the baseline."""
    every = [c.cid for c in conversations]
    fresh = converse(lede, settings, conversations, after_another=False)
    chained = converse(lede, settings, conversations, after_another=True)
    baseline = without_context(lede, conversations)
    return {
        "settings": asdict(settings),
        "fresh": {"follow_ups": round(fresh.follow_ups(every), 3), "first_turns": round(fresh.first(every), 3)},
        "after_another": {"follow_ups": round(chained.follow_ups(every), 3), "first_turns": round(chained.first(every), 3)},
        "baseline": {"follow_ups": round(baseline.follow_ups(every), 3), "first_turns": round(baseline.first(every), 3)},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate_followups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True, help="articles to load (repeatable)")
    parser.add_argument("--conversations", type=Path, required=True, help="conversations, one JSON object a line")
    parser.add_argument("--cv", type=int, metavar="K", help="choose the settings by K-fold cross-validation")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    conversations = read_conversations(args.conversations)
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths(args.corpus))
    print(f"{len(conversations)} conversations, {len(lede.index):,} sentences ({time.perf_counter() - started:.0f} s)")
    result = {"shipped": measure(lede, FollowUpSettings(), conversations)}
    print(json.dumps(result["shipped"]))
    if args.cv:
        result["cv"] = cross_validate(lede, conversations, args.cv)
        for row in result["cv"]["folds"]:
            print(json.dumps(row))
        print(json.dumps({key: value for key, value in result["cv"].items() if key != "folds"}))
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
