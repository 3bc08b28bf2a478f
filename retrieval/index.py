"""A sentence index that scores BM25Okapi exactly as rank-bm25 defines it, fast and incrementally.

rank-bm25's ``BM25Okapi.get_scores`` walks every sentence in Python for every
query term and must be rebuilt from scratch when an article arrives. Here each
term has a posting list (see :mod:`retrieval.postings`): adding an article
appends to a few lists, and a query looks only at the sentences that contain
its terms, scored with numpy. The formula, its parameters (k1, b) and the
epsilon floor for negative IDF are rank-bm25's; a test holds the two equal.
Sentences are kept as plain columns (text, article, term numbers) rather than
an object each, which is what lets a million of them fit in a few hundred MB.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable, KeysView, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import overload

import numpy as np

from corpus.article import Article
from corpus.sentences import split_sentences
from retrieval import bm25
from retrieval.postings import PostingLists
from retrieval.sentence_terms import SentenceTerms, analyse
from retrieval.sentence_texts import SentenceTexts
from retrieval.spelling import SpellingIndex
from retrieval.text import Analyzer


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of one article, with where it stands in that article."""

    article: Article
    position: int
    text: str

    @property
    def key(self) -> tuple[str, int]:
        """Which sentence this is, the same in every index and store: its article's id and its place there."""
        return self.article.article_id, self.position


#: Which sentences may be returned: asked of each by its key (article id, place in the article) before its text
#: is read, which ranking only does for the few it keeps. What one chat may see, a briefing's stories, a rerank
#: question's own candidates.
SentenceFilter = Callable[[tuple[str, int]], bool]


class _PassageColumns(Sequence[Passage]):
    """The passages as a read-only sequence, built on access from compact columns."""

    def __init__(self) -> None:
        # All sentence texts in one compressed buffer: a str object per sentence
        # would cost ~50 bytes of overhead, a third of an average sentence.
        self._texts = SentenceTexts()
        self.articles: list[Article] = []
        # Where each article's passages start; a passage's position in its
        # article is its distance from there, so no column is spent on it.
        self.article_starts = array("q")
        self.article_numbers = array("i")

    def __len__(self) -> int:
        return len(self._texts)

    def add_article(self, article: Article) -> int:
        """Register an article whose passages follow; returns its number."""
        self.articles.append(article)
        self.article_starts.append(len(self))
        return len(self.articles) - 1

    def append(self, text: str, article_number: int) -> None:
        self._texts.append(text)
        self.article_numbers.append(article_number)

    def key(self, number: int) -> tuple[str, int]:
        """Passage ``number``'s key (:attr:`Passage.key`), without reading its text."""
        article = self.article_numbers[number]
        return self.articles[article].article_id, number - self.article_starts[article]

    def span(self, article_number: int) -> range:
        """The passage numbers of one article."""
        following = article_number + 1
        end = self.article_starts[following] if following < len(self.article_starts) else len(self)
        return range(self.article_starts[article_number], end)

    def export(self) -> dict[str, np.ndarray]:
        return {
            **self._texts.export(),
            "article_numbers": np.frombuffer(self.article_numbers, dtype=np.int32),
            "article_starts": np.frombuffer(self.article_starts, dtype=np.int64),
        }

    @classmethod
    def restore(cls, state: Mapping[str, np.ndarray], articles: list[Article]) -> _PassageColumns:
        columns = cls()
        columns._texts = SentenceTexts.restore(state)
        columns.article_numbers = array("i", state["article_numbers"].tobytes())
        columns.article_starts = array("q", state["article_starts"].tobytes())
        columns.articles = articles
        return columns

    def text(self, number: int) -> str:
        return self._texts[number]

    @overload
    def __getitem__(self, number: int) -> Passage: ...

    @overload
    def __getitem__(self, number: slice) -> list[Passage]: ...

    def __getitem__(self, number: int | slice) -> Passage | list[Passage]:
        if isinstance(number, slice):
            return [self[n] for n in range(*number.indices(len(self)))]
        article = self.article_numbers[number]
        return Passage(self.articles[article], number - self.article_starts[article], self.text(number))


# A long article is indexed this many sentences at a time when its adder pauses between: ~10 ms of
# work on a quiet machine, which a question waiting for the read lock may have to sit through (1,024
# took 30-40 ms, and several times that while a briefing and the answers shared the CPU).
PAUSE_EVERY = 256


class SentenceIndex:
    """Every sentence of the known articles, searchable by BM25."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._passages = _PassageColumns()
        self._postings = PostingLists()
        self._lengths = array("i")
        self._total_length = 0
        self._articles: dict[str, int] = {}  # article id → article number
        # Every passage's terms in order, as vocabulary numbers in one flat
        # array with each passage's end: answer features read a few hundred
        # candidates' terms per question, and analysing their text again
        # would cost more than the search itself.
        self._term_ids = array("i")
        self._term_ends = array("q")
        self._vocabulary: list[str] = []
        self._term_numbers: dict[str, int] = {}
        self._average_idf: float | None = None
        self._buffer = np.zeros(0)
        # Articles replaced by a newer version (an edited channel post) or removed (retention): their
        # passages keep their numbers but are out of every posting list and
        # every statistic, so scores are rank-bm25's over the passages left.
        self._withdrawn: set[int] = set()
        self._removed_passages = 0
        # Derived from the vocabulary, and brought up to date when a question needs it.
        self._spelling = SpellingIndex()
        # Each title's terms, analysed once: every question reads its candidate articles' titles (dozens),
        # and a briefing a day's ~18,700; analysing them each time was a millisecond of every answer.
        self._title_terms: dict[str, list[str]] = {}

    @property
    def passages(self) -> Sequence[Passage]:
        """All sentences, numbered in the order they were added."""
        return self._passages

    def passage_key(self, number: int) -> tuple[str, int]:
        """Sentence ``number``'s key (its article's id, its place there), without reading the sentence."""
        return self._passages.key(number)

    def __len__(self) -> int:
        """How many sentences can be found: BM25's document count (withdrawn articles' sentences are not)."""
        return len(self._passages) - self._removed_passages

    # ---- adding ----------------------------------------------------------------------------

    def add(self, articles: Iterable[Article]) -> int:
        """Split and index the articles not yet known; return how many were new."""
        added = 0
        for article in articles:
            if article.article_id not in self._articles:
                sentences = [s for paragraph in article.paragraphs for s in split_sentences(paragraph)]
                added += self.add_article(article, sentences)
        return added

    def add_article(
        self,
        article: Article,
        sentences: Sequence[str],
        terms: SentenceTerms | None = None,
        *,
        pause: Callable[[], None] | None = None,
    ) -> bool:
        """Index an article already split into sentences; False when it was known.

        ``terms`` are the sentences' :func:`~retrieval.sentence_terms.analyse`,
        when analysed beforehand: analysing is most of the cost, and needs no
        lock. ``pause`` is called after every :data:`PAUSE_EVERY` sentences,
        so that a caller holding a lock for the update can let readers in
        meanwhile; until its last sentence is in, the article is not found by its id.
        """
        if article.article_id in self._articles:
            return False
        if terms is None:
            terms = analyse(self.analyzer, sentences)
        columns = self._passages
        article_number = columns.add_article(article)
        # The index's number of each of the article's terms, filled in as the steps first meet them.
        numbers = np.full(len(terms.terms), -1, dtype=np.int32)
        for start in range(0, len(sentences), PAUSE_EVERY):
            if pause is not None and start:
                pause()
            stop = min(start + PAUSE_EVERY, len(sentences))
            self._add_passages(terms, start, stop, numbers)
            for sentence in sentences[start:stop]:
                columns.append(sentence, article_number)
        self._articles[article.article_id] = article_number
        self._average_idf = None
        return True

    def replace_article(
        self,
        article: Article,
        sentences: Sequence[str],
        terms: SentenceTerms | None = None,
    ) -> None:
        """Index a new version of an article (an edited post) in place of the old, or as new if unknown.

        Passage numbers already handed out stay valid: the new sentences are appended.
        """
        self.remove_articles([article.article_id])
        self.add_article(article, sentences, terms)

    def remove_articles(self, article_ids: Iterable[str]) -> int:
        """Stop quoting articles (replaced, or removed from the store); returns how many were indexed.

        Their sentences leave the posting lists and the statistics (sentence
        count, total length, the mean IDF's vocabulary), so every score is
        rank-bm25's over the sentences left. The posting lists are rewritten
        once for the whole batch (a pass over every posting), so removing a
        day's articles costs about what removing one does. Their text stays in
        memory, under passage numbers nothing reaches any more, until the index
        is built again (at the next start).
        """
        spans = []
        for article_id in article_ids:
            number = self._articles.pop(article_id, None)
            if number is None:
                continue
            span = self._passages.span(number)
            spans.append(span)
            self._total_length -= sum(self._lengths[span.start : span.stop])
            self._removed_passages += len(span)
            self._withdrawn.add(number)
        if spans:
            self._postings.remove(spans, len(self._passages))
            self._average_idf = None
        return len(spans)

    def title_terms(self, title: str) -> list[str]:
        """The index terms of an article's title, as :meth:`Analyzer.terms` gives them (wire copies share theirs)."""
        terms = self._title_terms.get(title)
        if terms is None:
            terms = self._title_terms[title] = self.analyzer.terms(title)
        return terms

    def withdrawn(self, article_number: int) -> bool:
        """Whether the article numbered so in :attr:`articles` was replaced by a newer version or removed."""
        return article_number in self._withdrawn

    def _add_passages(self, terms: SentenceTerms, start: int, stop: int, numbers: np.ndarray) -> None:
        """Index sentences ``start … stop - 1`` of an article's ``terms``, as the next passages.

        ``numbers`` maps the article's terms to the vocabulary's; the terms
        these sentences bring first join the vocabulary now, in order of first
        occurrence. The postings of the whole step are counted and appended at
        once, so the cost is numpy's, not a Python loop's per term occurrence.
        """
        first_passage = len(self._passages)
        local = terms.numbers[terms.start(start) : terms.start(stop)]
        for term in range(int(np.count_nonzero(numbers >= 0)), int(local.max(initial=-1)) + 1):
            numbers[term] = self._vocabulary_number(terms.terms[term])
        ids = numbers[local]
        lengths = np.diff(terms.ends[start:stop], prepend=terms.start(start))
        self._postings.add(first_passage + np.repeat(np.arange(stop - start, dtype=np.int32), lengths), ids)
        self._term_ends.frombytes((len(self._term_ids) + np.cumsum(lengths)).astype(np.int64).tobytes())
        self._term_ids.frombytes(ids.tobytes())
        self._lengths.frombytes(lengths.astype(np.int32).tobytes())
        self._total_length += int(lengths.sum())

    def _vocabulary_number(self, term: str) -> int:
        """``term``'s number in the vocabulary, where it is added if new."""
        number = self._term_numbers.get(term)
        if number is None:
            number = self._term_numbers[term] = len(self._vocabulary)
            self._vocabulary.append(term)
        return number

    # ---- saving and restoring ----------------------------------------------------------------

    def export(self) -> dict[str, np.ndarray]:
        """Everything needed to rebuild this index without analysing a sentence, as arrays.

        Articles are referred to by id (``article_ids``, as JSON); their
        metadata lives elsewhere (the store) and is handed back to :meth:`restore`.
        Only an index without withdrawn (replaced or removed) articles is exported: one built from the store, which holds the latest versions.
        """
        assert not self._withdrawn, "export an index built from the store, not one with replaced or removed articles"
        return {
            **self._passages.export(),
            **self._postings.export(),
            "lengths": np.frombuffer(self._lengths, dtype=np.int32),
            "term_ids": np.frombuffer(self._term_ids, dtype=np.int32),
            "vocabulary": np.frombuffer("\n".join(self._vocabulary).encode("utf-8"), dtype=np.uint8),
            "article_ids": np.frombuffer(
                json.dumps([article.article_id for article in self._passages.articles]).encode("utf-8"), dtype=np.uint8
            ),
        }

    @staticmethod
    def exported_article_ids(state: Mapping[str, np.ndarray]) -> list[str]:
        """The ids of the articles in an exported index, in the order they were added."""
        return json.loads(state["article_ids"].tobytes().decode("utf-8"))

    @classmethod
    def restore(cls, analyzer: Analyzer, state: Mapping[str, np.ndarray], articles: list[Article]) -> SentenceIndex:
        """The index :meth:`export` described; ``articles`` are its articles, in the exported order."""
        index = cls(analyzer)
        index._passages = _PassageColumns.restore(state, articles)
        index._postings = PostingLists.restore(state)
        index._lengths = array("i", state["lengths"].tobytes())
        index._term_ids = array("i", state["term_ids"].tobytes())
        index._term_ends = array("q", np.cumsum(state["lengths"], dtype=np.int64).tobytes())
        index._total_length = int(state["lengths"].sum())
        vocabulary = state["vocabulary"].tobytes().decode("utf-8")
        index._vocabulary = vocabulary.split("\n") if vocabulary else []
        index._term_numbers = {term: number for number, term in enumerate(index._vocabulary)}
        index._articles = {article.article_id: number for number, article in enumerate(articles)}
        return index

    # ---- looking up ------------------------------------------------------------------------

    @cached_property
    def question_analyzer(self) -> Analyzer:
        """The analyzer for questions to this index: it also reads unknown words as the known ones spelt closest."""
        return replace(self.analyzer, spelling=self)

    def knows(self, term: str) -> bool:
        """Whether some indexed sentence has ``term`` (a term left only in withdrawn sentences is not known)."""
        return term in self._term_numbers and (not self._removed_passages or self.document_frequency(term) > 0)

    def prepare_spelling(self) -> None:
        """Bring what reading misspelt question words needs up to date now, not in the next such question's time.

        The spelling index covers new vocabulary when it is next used, and the
        lexicon's is built on first use: at a day's news, 70 to 500 ms for the
        first question with an unknown word, holding up every question queued
        behind it. A writer calls this after changing the index.
        """
        self._spelling.cover(self._vocabulary)
        if self.analyzer.relations is not None:
            self.analyzer.relations.prepare_spelling()

    def close_terms(self, term: str) -> dict[str, float]:
        """Known terms a typo or two from ``term``, by closeness (:mod:`retrieval.spelling`); none for a known term."""
        if term in self._term_numbers:
            return {}
        return self._spelling.close_terms(term, self._vocabulary, self._postings.document_frequency)

    @property
    def article_count(self) -> int:
        return len(self._articles)

    @property
    def articles(self) -> Sequence[Article]:
        """Every indexed article, in the order it was added (briefings pick a period's from them); see :meth:`withdrawn`."""
        return self._passages.articles

    def article_ids(self) -> KeysView[str]:
        """The ids of the articles indexed now (not those replaced or removed)."""
        return self._articles.keys()

    def article_passages(self, article_id: str) -> range:
        """The passage numbers of one article's sentences (empty for an unknown article)."""
        number = self._articles.get(article_id)
        return range(0) if number is None else self._passages.span(number)

    def articles_having(self, terms: Sequence[str], article_ids: Sequence[str]) -> np.ndarray:
        """Which of the articles have which of the terms in some sentence: one row per article, one column per term.

        Binary searches of each term's posting list for where the articles'
        passages start and stop; nothing is read, and the articles' bounds are
        looked up once for all the terms.
        """
        present = np.zeros((len(article_ids), len(terms)), dtype=bool)
        spans = [self.article_passages(article_id) for article_id in article_ids]
        # Starts then stops, in the postings' own type: searching a list with
        # bounds of another type would convert the whole list first.
        bounds = np.array([span.start for span in spans] + [span.stop for span in spans], dtype=np.int32)
        for column, term in enumerate(terms):
            term_id = self._term_numbers.get(term)
            if term_id is not None:
                places = np.searchsorted(self._postings.get(term_id)[0], bounds)
                present[:, column] = places[len(spans) :] > places[: len(spans)]
        return present

    def article_sentences(self, article_id: str) -> list[Passage]:
        """The sentences of one article in reading order."""
        return [self.passages[number] for number in self.article_passages(article_id)]

    def ordered_terms(self, passage: int) -> list[str]:
        """The index terms of one passage in text order, as analysis gave them."""
        start = self._term_ends[passage - 1] if passage else 0
        end = self._term_ends[passage]
        vocabulary = self._vocabulary
        return [vocabulary[term] for term in self._term_ids[start:end]]

    def term_numbers(self, passages: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The terms of several passages as vocabulary numbers: one flat array in text order, and each passage's count.

        Answer features read a few hundred candidates per question; numpy
        gathers them at once, where listing each one's terms as strings
        would cost more than the search itself.
        """
        ends = np.frombuffer(self._term_ends, dtype=np.int64)
        numbers = np.asarray(passages, dtype=np.int64)
        starts = np.where(numbers > 0, ends[numbers - 1], 0)
        counts = ends[numbers] - starts
        # Position of every term in the flat array: its passage's start plus its place in the passage.
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        return np.frombuffer(self._term_ids, dtype=np.int32)[offsets], counts

    @property
    def vocabulary_size(self) -> int:
        """How many distinct terms the index has; term numbers run below it."""
        return len(self._vocabulary)

    def term_texts(self, numbers: Iterable[int]) -> list[str]:
        """The terms with these vocabulary numbers (as :meth:`term_numbers` gives them)."""
        vocabulary = self._vocabulary
        return [vocabulary[number] for number in numbers]

    def term_number(self, term: str) -> int:
        """A term's vocabulary number, as :meth:`term_numbers` gives it; -1 for a term no passage has."""
        return self._term_numbers.get(term, -1)

    def contains(self, term: str, passages: Sequence[int]) -> np.ndarray:
        """Which of ``passages`` contain ``term``, as booleans in the same order.

        A binary search of the term's (ascending) posting list per passage:
        far cheaper than analysing the candidates' text again.
        """
        return self._postings_at(term, np.asarray(passages, dtype=np.int32))[0]

    def _postings_at(self, term: str, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which ``candidates`` hold ``term`` (booleans), and how often each of those does."""
        term_id = self._term_numbers.get(term)
        if term_id is None or not candidates.size:
            return np.zeros(len(candidates), dtype=bool), np.zeros(0, dtype=np.int32)
        postings, counts = self._postings.get(term_id)
        if not postings.size:  # every article that held it was removed
            return np.zeros(len(candidates), dtype=bool), np.zeros(0, dtype=np.int32)
        found = np.minimum(np.searchsorted(postings, candidates), len(postings) - 1)
        present = postings[found] == candidates
        return present, counts[found[present]]

    def document_frequency(self, term: str) -> int:
        term_id = self._term_numbers.get(term)
        return 0 if term_id is None else self._postings.document_frequency(term_id)

    def idf(self, term: str) -> float:
        """rank-bm25's IDF: ``log((N - df + .5) / (df + .5))``, floored at epsilon × the mean IDF."""
        frequency = self.document_frequency(term)
        if not frequency:
            return 0.0
        raw = bm25.raw_idf(len(self), frequency)
        return raw if raw >= 0 else bm25.idf_floor(self._mean_idf())

    def specificity(self, term: str) -> float:
        """How rare a term is, always positive (unknown terms are the rarest).

        BM25Okapi's IDF collapses to its epsilon floor for common terms; for
        weighing which question words a sentence covers a smooth, positive
        measure is better: Lucene's ``log(1 + (N - df + .5) / (df + .5))``.
        """
        return bm25.smooth_idf(max(len(self), 1), self.document_frequency(term))

    def specificities(self, numbers: np.ndarray) -> np.ndarray:
        """:meth:`specificity` of many terms by number, with one pass over the posting lists.

        Numbers from :data:`vocabulary_size` up stand for terms the index does
        not have (the rarest). Briefings weigh a period's ~40,000 terms at once.
        """
        numbers = np.asarray(numbers, dtype=np.int64)
        frequencies = np.zeros(len(numbers), dtype=np.int64)
        known = numbers < len(self._vocabulary)
        frequencies[known] = self._postings.document_frequencies(len(self._vocabulary))[numbers[known]]
        documents = max(len(self.passages), 1)
        return np.array([bm25.smooth_idf(documents, frequency) for frequency in frequencies.tolist()])

    # ---- scoring ---------------------------------------------------------------------------

    def term_scores(self, term: str) -> dict[int, float]:
        """BM25Okapi contribution of one term to each passage that contains it."""
        passages, scores = self._term_contributions(term, 1.0)
        return dict(zip(passages.tolist(), scores.tolist(), strict=True))

    def score_passages(self, weights: Mapping[str, float], passages: Sequence[int] | np.ndarray) -> np.ndarray:
        """Summed weighted BM25 scores of the given passages (0 where no term occurs), in their order."""
        candidates = np.asarray(passages, dtype=np.int32)
        totals = np.zeros(len(candidates))
        lengths = np.frombuffer(self._lengths, dtype=np.int32)
        for term, weight in weights.items():
            # Only the candidates' postings are scored, not the term's whole list (a common word's is long).
            present, counts = self._postings_at(term, candidates)
            if present.any():
                totals[present] += bm25.term_scores(weight * self.idf(term), counts.astype(np.float64),
                                                    lengths[candidates[present]], self._total_length / len(self))
        return totals

    def top(
        self,
        weights: Mapping[str, float],
        limit: int,
        accept: SentenceFilter | None = None,
    ) -> list[tuple[int, float]]:
        """The ``limit`` best passages for weighted terms, as (passage, score), best first.

        With all weights 1 a passage's score is ``BM25Okapi.get_scores``. Only
        passages for which ``accept`` holds are returned (for example, the
        articles one chat may see); the filter runs on the best-scored first,
        so a selective filter costs more than a permissive one, never all.
        """
        if limit <= 0:
            return []
        passages, scores, repeats = self._accumulate(weights)
        hits: list[tuple[int, float]] = []
        # A passage appears once per matching term, so ``limit × repeats`` entries
        # hold ``limit`` distinct passages; more are drawn only when ``accept``
        # turns some of them down.
        wanted = limit * repeats
        while True:
            hits = self._best_distinct(passages, scores, wanted, limit, accept)
            if len(hits) == limit or wanted >= len(passages):
                return hits
            wanted *= 4

    def _best_distinct(
        self,
        passages: np.ndarray,
        scores: np.ndarray,
        wanted: int,
        limit: int,
        accept: SentenceFilter | None,
    ) -> list[tuple[int, float]]:
        """The best ``limit`` distinct accepted passages among the ``wanted`` highest entries."""
        if wanted < len(scores):
            chosen = np.argpartition(scores, len(scores) - wanted)[len(scores) - wanted :]
        else:
            chosen = np.arange(len(scores))
        # Best score first; ties in passage order, so results never depend on the partition.
        chosen = chosen[np.lexsort((passages[chosen], -scores[chosen]))]
        hits: list[tuple[int, float]] = []
        seen: set[int] = set()
        for number, score in zip(passages[chosen].tolist(), scores[chosen].tolist(), strict=True):
            if number in seen:
                continue
            seen.add(number)
            if accept is None or accept(self._passages.key(number)):
                hits.append((number, score))
                if len(hits) == limit:
                    break
        return hits

    def _accumulate(self, weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, int]:
        """Summed weighted scores of the passages that contain a term.

        Returns (passages, scores, repeats): a passage that contains several of
        the terms appears once per term (up to ``repeats`` times), each time
        with its full total; deduplicating here would cost a sort of every
        matching passage, while the caller only needs the best few.
        """
        if len(self._buffer) < len(self.passages):
            self._buffer = np.zeros(max(len(self.passages), 2 * len(self._buffer)))
        buffer = self._buffer
        touched: list[np.ndarray] = []
        for term, weight in weights.items():
            passages, scores = self._term_contributions(term, weight)
            if passages.size:
                buffer[passages] += scores
                touched.append(passages)
        if not touched:
            return np.zeros(0, dtype=np.int32), np.zeros(0), 1
        passages = np.concatenate(touched) if len(touched) > 1 else touched[0]
        totals = buffer[passages]
        buffer[passages] = 0.0
        return passages, totals, len(touched)

    def _term_contributions(self, term: str, weight: float) -> tuple[np.ndarray, np.ndarray]:
        term_id = self._term_numbers.get(term)
        if term_id is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        passages, counts = self._postings.get(term_id)
        frequencies = counts.astype(np.float64)
        lengths = np.frombuffer(self._lengths, dtype=np.int32)[passages]
        return passages, bm25.term_scores(weight * self.idf(term), frequencies, lengths,
                                          self._total_length / len(self))

    def _mean_idf(self) -> float:
        """rank-bm25's ``average_idf``: the mean raw IDF over the whole vocabulary (of the sentences left)."""
        if self._average_idf is None:
            frequencies = self._postings.document_frequencies(len(self._vocabulary)).astype(np.float64)
            self._average_idf = bm25.mean_raw_idf(len(self), frequencies[frequencies > 0])
        return self._average_idf
