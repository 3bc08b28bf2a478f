"""Question sets with known answers, read from the files in ``../shared/data``.

Quality is measured (:mod:`retrieval.evaluate`) and the ranker is trained
(:mod:`retrieval.train`) on the same question sets, so both read them here.
Each set also yields the articles its sentences came from, which is what the
bot's index is built from: the sentences are indexed as the dataset gives
them, never re-split, so a sentence's label stays attached to it.

* WikiQA (Yang, Yih and Meek 2015): TSV, one row per (question, candidate
  sentence); the candidates are the sentences of one Wikipedia summary, whose
  title becomes the article title.
* TrecQA (Wang et al. 2007, cleaned by Yao et al. 2013): CSV ``qtext, label,
  atext``; the candidates come from many newswire documents that the file
  does not identify, so each distinct sentence is an article of its own.
* News questions: JSON Lines over the Reuters-21578 articles, each naming
  the gold article and a short answer span that the right sentence contains.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from corpus.article import Article
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer

# Some WikiQA sentences are long enough to trip csv's default field limit.
csv.field_size_limit(1 << 24)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate sentence for a question, where it lives, and whether it answers."""

    article_id: str
    position: int
    text: str
    correct: bool


@dataclass(frozen=True)
class LabelledQuestion:
    """A question with its candidate sentences in their original order."""

    question: str
    candidates: tuple[Candidate, ...]

    @cached_property
    def labels(self) -> dict[tuple[str, int], bool]:
        """Whether each candidate is right, keyed by (article id, position) as passages are."""
        return {(c.article_id, c.position): c.correct for c in self.candidates}

    def has_candidate(self, key: tuple[str, int]) -> bool:
        """Whether the sentence ``key`` (article id, position) is one of this question's candidates (the rerank
        setting)."""
        return key in self.labels

    @property
    def answerable(self) -> bool:
        return any(candidate.correct for candidate in self.candidates)

    @property
    def mixed(self) -> bool:
        """At least one right and one wrong candidate: TrecQA's "clean" setting."""
        return self.answerable and not all(candidate.correct for candidate in self.candidates)


@dataclass(frozen=True, slots=True)
class NewsQuestion:
    """A question over a news corpus: the gold article and an answer span."""

    question: str
    article_id: str
    answer: str
    answer_sentence: str
    paraphrased: bool

    def is_answered_by(self, article_id: str, sentence: str) -> bool:
        """Right article, and the sentence contains the answer span."""
        return article_id == self.article_id and self.answer.lower() in sentence.lower()


@dataclass(frozen=True, slots=True)
class SentenceSet:
    """A labelled question set plus the articles that hold every candidate."""

    questions: tuple[LabelledQuestion, ...]
    articles: tuple[tuple[Article, tuple[str, ...]], ...]

    def index(self, lexicon: Lexicon | None = None) -> SentenceIndex:
        """One index over every sentence of the set, split exactly as the dataset splits it.

        One index for the whole file gives global term statistics (IDF, mean
        length), as the published setups use, even when a question ranks only
        its own few candidates.
        """
        index = SentenceIndex(Analyzer(Lexicon.load() if lexicon is None else lexicon))
        for article, sentences in self.articles:
            index.add_article(article, sentences)
        return index



def read_wikiqa(path: Path) -> SentenceSet:
    """WikiQA's TSV: each document once as an article, its sentences in SentenceID order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    documents: dict[str, tuple[str, dict[int, str]]] = {}
    grouped: dict[str, tuple[str, list[Candidate]]] = {}
    for row in rows:
        document_id = row["DocumentID"]
        # SentenceIDs run D8-0, D8-1, ... without gaps: the suffix is the position.
        position = int(row["SentenceID"].rsplit("-", 1)[1])
        documents.setdefault(document_id, (row["DocumentTitle"], {}))[1][position] = row["Sentence"]
        candidate = Candidate(document_id, position, row["Sentence"], row["Label"] == "1")
        grouped.setdefault(row["QuestionID"], (row["Question"], []))[1].append(candidate)
    articles = []
    for document_id, (title, by_position) in documents.items():
        sentences = tuple(by_position[n] for n in sorted(by_position))
        articles.append((Article(document_id, title, sentences), sentences))
    questions = tuple(LabelledQuestion(question, tuple(candidates)) for question, candidates in grouped.values())
    return SentenceSet(questions, tuple(articles))


def read_trecqa(path: Path) -> SentenceSet:
    """TrecQA's CSV: questions in file order, each distinct sentence an article of its own."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    article_ids: dict[str, str] = {}
    grouped: dict[str, list[Candidate]] = {}
    for row in rows:
        text = row["atext"]
        article_id = article_ids.setdefault(text, f"trecqa-{len(article_ids)}")
        grouped.setdefault(row["qtext"], []).append(Candidate(article_id, 0, text, row["label"] == "1"))
    articles = tuple((Article(article_id, "", (text,)), (text,)) for text, article_id in article_ids.items())
    questions = tuple(LabelledQuestion(question, tuple(candidates)) for question, candidates in grouped.items())
    return SentenceSet(questions, articles)


def read_news_questions(path: Path) -> tuple[NewsQuestion, ...]:
    """The news question set: one JSON object a line."""
    return tuple(_news_question(json.loads(line)) for line in _lines(path))


def _news_question(record: dict) -> NewsQuestion:
    return NewsQuestion(
        question=record["question"],
        article_id=record["article_id"],
        answer=record["answer"],
        answer_sentence=record["answer_sentence"],
        paraphrased=bool(record.get("paraphrased")),
    )


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        yield from (line for line in handle if line.strip())


READERS = {"wikiqa": read_wikiqa, "trecqa": read_trecqa}


def read_sentence_set(dataset: str, path: Path) -> SentenceSet:
    """The labelled set ``dataset`` (``wikiqa`` or ``trecqa``) stored at ``path``."""
    return READERS[dataset](path)

