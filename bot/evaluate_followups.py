"""Follow-up questions measured: conversations asked turn by turn, as the console asks them.

    python -m bot.evaluate_followups --corpus ../shared/data/reuters21578.jsonl.gz --corpus seeds \\
        --conversations ../shared/data/newsqa/followups-dev.jsonl --cv 5
    python -m bot.evaluate_followups --db lede.db --corpus seeds \\
        --conversations ../shared/data/newsqa/followups-dev.jsonl --through-console
    python -m bot.evaluate_followups --corpus ../shared/data/reuters21578.jsonl.gz --corpus seeds \\
        --conversations ../shared/data/newsqa/followups-dev.jsonl \\
        --questions ../shared/data/newsqa/reuters-qa-train.jsonl

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

``--questions`` measures the other side: questions that stand on their own,
asked inside a conversation, should get the answers they get alone. Each
news question is asked right after its story's headline (typed as a
question, as a reader starts on a story) and, separately, right after the
question before it in the file (another story).

The fresh reading also says how far the confidence of follow-ups' answers
can be trusted (:func:`follow_up_confidence`): its reliability, and where a
logistic curve of "right" on it crosses one half, cross-validated over the
conversations; :data:`retrieval.answer.UNSURE_FOLLOW_UP_BELOW` is that point.

The baseline answers every turn on its own (:meth:`Questions.ask`), in the
same run. ``--cv K`` chooses the follow-up settings (borrowed-word weight,
article bonus, own-words bonus, the follow-up test's threshold) on K-1 folds
of conversations grouped by article, by the number of right turns asked
after another, and reports the held-out fold: mean ± standard deviation over
the folds. (A training conversation's predecessor may sit in the held-out
fold: its questions are then asked, but its answers are never judged.)

``--db STORE`` reads the articles of a store (``run_bot.py --ingest``) before
the ``--corpus`` ones, as ``run_bot.py --db STORE --corpus …`` does.
``--through-console`` then asks the fresh reading and the baseline again
through real processes, as a program at the other end of a pipe would: one
``run_bot.py --console --json`` per conversation, its turns one a line on
standard input, and one ``run_bot.py --ask --json`` per turn of the baseline
(``--ask`` is :meth:`Questions.ask`). Each process reads its own copy of the
store and of its index snapshot: the store keeps the conversation, so a
shared one would carry each conversation into the next. Every reply, in
process or printed, is judged from its ``--json`` form by one function.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.conversations import Conversations
from bot.formatting import outcome_to_json
from bot.questions import Outcome, Questions
from bot.service import Lede
from bot.shared_index import new_index, snapshot_beside
from corpus.loader import load_paths
from corpus.store import EVERYONE, Store
from retrieval.answer import UNSURE_FOLLOW_UP_BELOW, Answer
from retrieval.datasets import NewsQuestion, read_news_questions
from retrieval.evaluate import roc_auc
from retrieval.followup import FollowUpSettings
from retrieval.train import half_way, reliability

# The settings cross-validation chooses among.
CONTEXT_WEIGHTS = (0.2, 0.4, 0.6)
ARTICLE_BONUSES = (1.0, 2.0, 4.0)
OWN_WORDS = (1.0, 2.0, 3.0)
THRESHOLDS = (3.0, 5.0, 8.0)
# Questions of one conversation come a minute apart, well inside the quiet spell.
BETWEEN_TURNS = timedelta(minutes=1)
START = datetime(2026, 1, 1, tzinfo=UTC)
RUN_BOT = Path(__file__).resolve().parents[1] / "run_bot.py"


@dataclass(frozen=True, slots=True)
class Conversation:
    cid: str
    turns: tuple[NewsQuestion, ...]

    @property
    def article_id(self) -> str:
        return self.turns[0].article_id


@dataclass(frozen=True, slots=True)
class Marks:
    """Which turns of each conversation were answered right (first turn first).

    ``follow_ups_answered`` holds, for each answer given to a question read
    as a follow-up, its confidence and whether it was right.
    """

    right: dict[str, tuple[bool, ...]]
    follow_ups_answered: tuple[tuple[str, float, bool], ...] = ()

    def first(self, cids: Iterable[str]) -> float:
        firsts = [self.right[cid][0] for cid in cids]
        return sum(firsts) / len(firsts)

    def follow_ups(self, cids: Iterable[str]) -> float:
        later = [mark for cid in cids for mark in self.right[cid][1:]]
        return sum(later) / len(later)

    def total(self, cids: Iterable[str]) -> int:
        return sum(sum(self.right[cid]) for cid in cids)

    def summary(self, cids: Sequence[str]) -> dict[str, float]:
        return {"follow_ups": round(self.follow_ups(cids), 3), "first_turns": round(self.first(cids), 3)}

    def differing(self, other: Marks) -> list[str]:
        """The conversations with a turn judged otherwise in ``other``."""
        return [cid for cid, marks in self.right.items() if other.right[cid] != marks]


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


def _right(turn: NewsQuestion, reply: Mapping[str, Any]) -> bool:
    """The one judge of a turn, from its ``--json`` reply (:func:`outcome_to_json` in process): article and span."""
    return reply["answer"] is not None and turn.is_answered_by(reply["source"]["article_id"], reply["answer"])


def _judged(turn: NewsQuestion, outcome: Outcome) -> bool:
    return _right(turn, outcome_to_json(outcome))


def converse(lede: Lede, settings: FollowUpSettings, conversations: Sequence[Conversation], *, after_another: bool) -> Marks:
    """Ask every conversation through the questions use case; ``after_another``: each after the one before it."""
    right, follow_ups_answered = {}, []
    for number, conversation in enumerate(conversations):
        store = Store.open(":memory:")
        questions = Questions(lede.answering_index, store, Conversations(store, lede.answering_index, settings))
        moment = START
        # After another: the conversation before it in the file (the last one before the first) was just asked.
        asked = [*conversations[number - 1].turns, *conversation.turns] if after_another else conversation.turns
        marks = []
        for place, turn in enumerate(asked):
            outcome = questions.answer(turn.question, EVERYONE, now=moment).outcome
            moment += BETWEEN_TURNS
            marks.append(_judged(turn, outcome))
            judged_here = place >= len(asked) - len(conversation.turns)
            if judged_here and isinstance(outcome, Answer) and outcome.best is not None and outcome.follow_up_of:
                follow_ups_answered.append((conversation.cid, outcome.confidence, marks[-1]))
        right[conversation.cid] = tuple(marks[-len(conversation.turns):])
        store.close()
    return Marks(right, tuple(follow_ups_answered))


def without_context(lede: Lede, conversations: Sequence[Conversation]) -> Marks:
    """The baseline: every turn answered on its own."""
    return Marks({c.cid: tuple(_judged(turn, lede.questions.ask(turn.question)) for turn in c.turns) for c in conversations})


def standing_alone(lede: Lede, settings: FollowUpSettings, questions: Sequence[NewsQuestion]) -> dict[str, float]:
    """Accuracy of self-contained ``questions`` alone, after their story's headline, and after the question before."""
    headed, single = [], []
    for number, question in enumerate(questions):
        sentences = lede.answering_index.article_sentences(question.article_id)
        if sentences:
            headline = NewsQuestion(sentences[0].article.title.rstrip(".") + "?", question.article_id, "", "", False)
            headed.append(Conversation(f"headline-{number}", (headline, question)))
            single.append(Conversation(f"question-{number}", (question,)))
    after_headline = converse(lede, settings, headed, after_another=False)
    after_previous = converse(lede, settings, single, after_another=True)
    alone = without_context(lede, single)

    def last_turns(marks: Marks) -> float:
        return round(statistics.mean(turns[-1] for turns in marks.right.values()), 3)

    return {"questions": len(single), "alone": last_turns(alone), "after_headline": last_turns(after_headline),
            "after_previous": last_turns(after_previous)}


def compare_with_console(
    lede: Lede, store: Path, conversations: Sequence[Conversation], corpus: Sequence[Path]
) -> dict[str, Any]:
    """The console's figures (shipped settings), and the conversations it judges otherwise than ``lede`` in process."""
    every = [c.cid for c in conversations]
    console, alone = through_console(store, conversations, corpus)
    fresh = converse(lede, FollowUpSettings(), conversations, after_another=False)
    baseline = without_context(lede, conversations)
    return {"console": console.summary(every), "console_baseline": alone.summary(every),
            "differ": fresh.differing(console), "baseline_differ": baseline.differing(alone)}


def through_console(store: Path, conversations: Sequence[Conversation], corpus: Sequence[Path]) -> tuple[Marks, Marks]:
    """The fresh reading and the baseline, each answer from a real ``run_bot.py`` process over a copy of ``store``."""
    fresh, baseline = {}, {}
    for conversation in conversations:
        typed = "".join(turn.question + "\n" for turn in conversation.turns)
        replies = _run_bot(store, corpus, ["--console", "--json"], typed)
        if len(replies) != len(conversation.turns):
            raise RuntimeError(f"{conversation.cid}: {len(conversation.turns)} turns, {len(replies)} replies")
        fresh[conversation.cid] = tuple(map(_right, conversation.turns, replies))
        baseline[conversation.cid] = tuple(
            _right(turn, _run_bot(store, corpus, ["--ask", turn.question, "--json"])[-1]) for turn in conversation.turns
        )
        print(f"  {conversation.cid}: console {fresh[conversation.cid]}, alone {baseline[conversation.cid]}",
              file=sys.stderr)
    return Marks(fresh), Marks(baseline)


def _run_bot(store: Path, corpus: Sequence[Path], arguments: list[str], stdin: str = "") -> list[dict[str, Any]]:
    """One ``run_bot.py`` run over its own copy of ``store`` and its snapshot, in a clean environment; its JSON lines."""
    with tempfile.TemporaryDirectory(prefix="lede-followups-") as folder:
        copy = Path(folder) / store.name
        with closing(sqlite3.connect(store)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)  # consistent even while this run's own Lede has the store open
        if snapshot_beside(store).exists():
            shutil.copyfile(snapshot_beside(store), snapshot_beside(copy))
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "LEDE_"))}
        environment["XDG_DATA_HOME"] = folder
        corpora = [argument for path in corpus for argument in ("--corpus", str(path.resolve()))]
        result = subprocess.run([sys.executable, str(RUN_BOT), "--db", str(copy), *corpora, *arguments], input=stdin,
                                capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"run_bot.py {' '.join(arguments)} failed ({result.returncode}): {result.stderr.strip()}")
    return [json.loads(line) for line in result.stdout.splitlines()]


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
    rows: list[dict[str, Any]] = []
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


def follow_up_confidence(marks: Marks, conversations: Sequence[Conversation], k: int) -> dict[str, Any]:
    """How far the confidence of follow-ups' answers can be trusted, and below what they should say they are unsure.

    A logistic curve of "right" on the confidence crosses one half where an
    answer becomes as likely wrong as right (``half_way``). Cross-validated,
    it is fitted on ``k`` - 1 folds of conversations (grouped by article) and
    judged on the held-out one: how often the held-out answers below and
    above it were right. Figures that too few answers cannot give are None.
    """
    answered = marks.follow_ups_answered
    scored = [(confidence, right) for _, confidence, right in answered]
    result: dict[str, Any] = {
        "answers": len(scored),
        "roc_auc": round(roc_auc(scored), 3) if _both_kinds(scored) else None,
        "reliability": [[span, count, round(mean, 3), round(share, 3)] for span, count, mean, share in reliability(scored)],
        "shipped_unsure_below": UNSURE_FOLLOW_UP_BELOW,
        "half_way": round(half_way(scored), 3) if _both_kinds(scored) else None,
    }
    crossings: list[float] = []
    below: list[bool] = []  # whether each held-out answer below the crossing was right
    above: list[bool] = []
    for held_out in folds(conversations, k):
        training = [(confidence, right) for cid, confidence, right in answered if cid not in held_out]
        if not _both_kinds(training):
            continue
        crossing = half_way(training)
        crossings.append(crossing)
        for cid, confidence, right in answered:
            if cid in held_out:
                (below if confidence < crossing else above).append(right)
    result["half_way_cv"] = _spread(crossings) if len(crossings) > 1 else None
    result["held_out_right_below"] = round(statistics.mean(below), 3) if below else None
    result["held_out_right_above"] = round(statistics.mean(above), 3) if above else None
    return result


def _both_kinds(scored: Sequence[tuple[float, bool]]) -> bool:
    """Whether ``scored`` holds a right answer and a wrong one: a curve or an AUC needs both."""
    return len({right for _, right in scored}) == 2


def measure(lede: Lede, settings: FollowUpSettings, conversations: Sequence[Conversation], k: int = 5) -> dict:
    """One setting on every conversation, fresh and after another, beside the baseline; and the follow-ups' confidence."""
    every = [c.cid for c in conversations]
    fresh = converse(lede, settings, conversations, after_another=False)
    chained = converse(lede, settings, conversations, after_another=True)
    baseline = without_context(lede, conversations)
    return {
        "settings": asdict(settings),
        "fresh": fresh.summary(every),
        "after_another": chained.summary(every),
        "baseline": baseline.summary(every),
        "follow_up_confidence": follow_up_confidence(fresh, conversations, k),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate_followups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True, help="articles to load (repeatable)")
    parser.add_argument("--db", type=Path, metavar="STORE", help="a store (run_bot.py --ingest) read before --corpus")
    parser.add_argument("--conversations", type=Path, required=True, help="conversations, one JSON object a line")
    parser.add_argument("--questions", type=Path, metavar="NEWS_QUESTIONS",
                        help="also ask these self-contained news questions inside conversations")
    parser.add_argument("--cv", type=int, metavar="K", help="choose the settings by K-fold cross-validation")
    parser.add_argument("--through-console", action="store_true",
                        help="also ask through run_bot.py processes over copies of --db (one per conversation)")
    args = parser.parse_args(argv)
    if args.through_console and not args.db:
        parser.error("--through-console needs --db STORE")
    if args.db and not args.db.is_file():
        parser.error(f"--db {args.db}: no such store; make one with run_bot.py --ingest … --db {args.db}")
    started = time.perf_counter()
    conversations = read_conversations(args.conversations)
    lede = Lede.compose(new_index(), Store.open(args.db) if args.db else None)
    if args.db:
        lede.load_store()
    lede.add_articles(load_paths(args.corpus))
    print(f"{len(conversations)} conversations, {len(lede.answering_index):,} sentences ({time.perf_counter() - started:.0f} s)")
    result = {"shipped": measure(lede, FollowUpSettings(), conversations, args.cv or 5)}
    print(json.dumps(result["shipped"]))
    if args.questions:
        result["standing_alone"] = standing_alone(lede, FollowUpSettings(), read_news_questions(args.questions))
        print(json.dumps(result["standing_alone"]))
    if args.through_console:
        result["through_console"] = compare_with_console(lede, args.db, conversations, args.corpus)
        print(json.dumps(result["through_console"]))
    if args.cv:
        result["cv"] = cross_validate(lede, conversations, args.cv)
        for row in result["cv"]["folds"]:
            print(json.dumps(row))
        print(json.dumps({key: value for key, value in result["cv"].items() if key != "folds"}))
    print(f"({time.perf_counter() - started:.0f} s)")
    lede.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
