"""The one service every front end calls: Telegram handlers and the console alike."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config
from corpus.article import Article
from corpus.loader import load_paths
from retrieval.answer import Answer, answer_question
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer

log = logging.getLogger(__name__)

# Long enough for any real question, short enough that nobody pastes an
# article into the question box by mistake and waits for a useless answer.
MAX_QUESTION_CHARS = 500


@dataclass(frozen=True, slots=True)
class InvalidQuestion:
    """A question Lede will not try to answer, with the reason to show the user."""

    question: str
    reason: str


Outcome = Answer | InvalidQuestion


class Lede:
    """Lede's engine: the articles it knows and the questions it answers."""

    def __init__(self, index: SentenceIndex) -> None:
        self.index = index

    @classmethod
    def from_config(cls, config: Config) -> Lede:
        """Load the configured corpora; with none given, the bundled seed articles."""
        lede = cls(SentenceIndex(Analyzer(Lexicon.load())))
        paths = config.corpus_paths or (config.seeds_dir,)
        lede.add_articles(load_paths(Path(path) for path in paths))
        log.info("Loaded %d sentences from %s", len(lede.index), ", ".join(map(str, paths)))
        return lede

    def add_articles(self, articles: Iterable[Article]) -> int:
        """Make articles answerable; returns how many were new."""
        return self.index.add(articles)

    def ask(self, question: str) -> Outcome:
        """Answer a question typed by a person, or say why it cannot be asked."""
        question = " ".join(question.split())
        if not question:
            return InvalidQuestion(question, "Ask me a question about the news, for example: what did Zelensky demand?")
        if len(question) > MAX_QUESTION_CHARS:
            return InvalidQuestion(
                question[:80] + "…",
                f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}.",
            )
        return answer_question(self.index, question)
