"""The evidence a candidate sentence offers for a question, as numbers a ranker can weigh.

BM25 picks the candidates; these features say why one of them answers and
the others only share words with the question. Each is cheap to compute for
a hundred candidates, all are scaled to about 0-1, and each names the idea
it stands for:

``bm25``            BM25 over question terms and related words, relative to the best candidate.
``coverage``        specificity-weighted share of the question's terms the sentence has
                    (a related word counts at its weight).
``exact_coverage``  the same with exact terms only: paraphrase is weaker evidence.
``local_coverage``  coverage weighted by how rare each term is *among the candidates*:
                    a word every candidate shares (the topic) does not tell them apart.
``proximity``       how tightly the matched terms sit together in the sentence.
``answer_type``     the question expects a type of answer (:mod:`retrieval.question`) and the
                    sentence holds one it does not already state. One weight for all types:
                    the training sets have few "why" questions, the news has many.
``defines``         the sentence reads as a definition ("X is a ..."): it says what its subject is.
``title``           coverage of the question by the article's title.
``article``         coverage of the question by the whole article.
``article_rare``    the same with each term weighted by its specificity squared: the story must
                    name what the question names (its rarest words: a country, a company, a
                    person). A story about Austria's exports does not answer a question about
                    Spain's, however well one of its sentences matches the rest.
``context``         coverage the previous sentence adds: "He said ..." answers a question about
                    the man named one sentence earlier.
``detail_coverage`` coverage of the question's *detail*: its terms the article's title and lead
                    do not hold (nor a word they stand for: related, or spelt right). The question names the story (which its headline and lead name)
                    and asks about a detail further down: "how many people does RMJ employ?" is
                    answered by "... RMJ employed some 300 people", not by the lead about RMJ.
``detail_share``    how much of the question (by specificity) is detail for the sentence's article.
``novelty``         share of the sentence's terms the question lacks: an answer says something
                    the question does not.
``length``          log of the sentence's term count, scaled.
``position``        log of the sentence's place in its article: news answers sit below the lead as often
                    as in it, depending on the question.
``lead``            the sentence opens its article.
``asks_<type>``     the kind of answer the question asks for (:class:`retrieval.question.AnswerType`), one
                    indicator per kind: the trees learn what each kind of question wants of a sentence
                    (a "who said" question favours a different place in the story than a "how much").

Tried and left out by 5-fold cross-validation on the training questions
(``python -m retrieval.train --cv 5``; benchmarks/HISTORY.md has the figures): where
the sentence's article stands among the candidates (its best BM25, its
summed BM25, the sentence's share of it: no change, -0.0004 ± 0.0096 news
accuracy@1), and sentence cues that ignore the question (an amount with
its unit, a time, a reason, a statement, opening with "These"/"He": -0.0045
± 0.0067, within the spread), and soft coverage by words close in meaning in WordLlama's
word vectors (+0.017 ± 0.024 over 20 paired folds, paraphrased questions -0.003). On 1 Dec, also within
their spread: coverage the next sentence adds, the sentence pointing back at the one before, its
coverage together with that sentence, its standing among its article's candidates, BM25 over the
candidate's whole article, cue words learned per question opening, counting only numbers and
dates the question does not already give, and reading "which countries" as "which country". Earlier, measured on dev: BM25 of the whole article (hurt TrecQA, whose "articles" are single
sentences); question bigrams kept adjacent and the sentence repeating the
title (no measurable effect once proximity and title coverage are in).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from retrieval.index import Passage, SentenceIndex
from retrieval.question import (
    AnswerType,
    expected_answer,
    question_words,
    sentence_holds,
    split_attribution,
    without_measure_word,
    without_reporting_verb,
)
from retrieval.text import Analyzer, Query

# The kinds of question a ranker may treat differently (one indicator each; "other" is none of them).
QUESTION_TYPES = tuple(answer_type for answer_type in AnswerType if answer_type is not AnswerType.OTHER)

# "The Titanic was a British passenger liner ...": a subject, then a copula early on.
_DEFINITION = re.compile(r"^(?:\S+\s+){0,12}?(?:is|was|are|were)\s+(?:\w+ly\s+)?(?:a|an|the|one)\b", re.IGNORECASE)

FEATURES: tuple[str, ...] = (
    "bm25",
    "coverage",
    "exact_coverage",
    "local_coverage",
    "proximity",
    "answer_type",
    "defines",
    "title",
    "article",
    "article_rare",
    "context",
    "detail_coverage",
    "detail_share",
    "novelty",
    "length",
    "position",
    "lead",
    *(f"asks_{answer_type.value}" for answer_type in QUESTION_TYPES),
)


@dataclass(frozen=True)
class Question:
    """A question analysed once for all its candidates.

    ``query`` is the whole question; ``core`` leaves out who is said to have
    said it ("according to the DIW"), which the article may name once while
    the answer sentence says "it said" (:func:`retrieval.question.split_attribution`),
    unless the speaker is all the question asks about ("what did Zelensky say?").
    A sentence covers the question if it covers the whole or the core,
    whichever is more; article features use the whole question.
    """

    text: str
    query: Query
    core: Query
    # The question with its misspelt words read as the known terms closest to them
    # ("what did zelenksy demnad" asks for a statement, as "what did Zelensky demand" does).
    meant: str = ""

    @classmethod
    def analyse(cls, text: str, analyzer: Analyzer) -> Question:
        query = analyzer.query(without_reporting_verb(text))
        if not query.terms:
            # "What did he say?" names nobody: the verb is all there is to search for.
            query = analyzer.query(text)
        core_text, attribution = split_attribution(text)
        core = analyzer.query(core_text) if attribution else query
        if len(core.terms) < 2:
            # A core of "say" alone is covered by any sentence that says something.
            core = query
        return cls(text, query, core, _as_meant(text, query.meant))

    def searched_without_measure_word(self, analyzer: Analyzer) -> Question:
        """The question searched without the word after "how", asking for the same kind of answer.

        A bare "how much?" or "how soon?" follows up on what the conversation
        is about: "much" and "soon" say how it asks, and "a much tougher tone"
        or "the ministers will meet again soon" in another story answer nothing.
        """
        searched = Question.analyse(without_measure_word(self.text), analyzer)
        return replace(searched, text=self.text, meant=self.meant)

    def with_context(self, context: Mapping[str, float]) -> Question:
        """The question with a conversation's topic terms borrowed at their lower weights (a follow-up's reading)."""
        query = self.query.with_context(context)
        core = query if self.core is self.query else self.core.with_context(context)
        return replace(self, query=query, core=core)

    def coverage(self, held: TermMatrix, weights: Mapping[str, float], *, related: bool = True) -> np.ndarray:
        """How much of the question each row of ``held`` accounts for: of the whole or of the core, the larger."""
        whole = held.coverage(self.query, weights, related=related)
        if self.core is self.query:
            return whole
        return np.maximum(whole, held.coverage(self.core, weights, related=related))

    @cached_property
    def answer_type(self) -> AnswerType:
        return expected_answer(self.meant or self.text)

    @cached_property
    def words(self) -> frozenset[str]:
        return question_words(self.text)

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """Every term a coverage can ask about, numbered: the whole's and the core's terms and their related terms."""
        terms = dict.fromkeys(
            term
            for query in (self.query, self.core)
            for term in (*query.terms, *(other for related in query.expansions.values() for other in related))
        )
        return {term: column for column, term in enumerate(terms)}


def _as_meant(text: str, meant: Mapping[str, str]) -> str:
    """``text`` with each misspelt word replaced by the known spelling it most likely stands for."""
    if not meant:
        return text
    return "".join(meant.get(piece.lower(), piece) for piece in _PIECES.split(text))


_PIECES = re.compile(r"(\W+)")


@dataclass(frozen=True)
class TermMatrix:
    """Which of a question's terms each of some texts holds: a row per text, a column per term of the vocabulary.

    Coverage is then a few numpy operations per question term for all the
    candidates at once, instead of a Python loop per candidate and feature.
    """

    vocabulary: Mapping[str, int]
    present: np.ndarray

    def __or__(self, other: TermMatrix) -> TermMatrix:
        """The terms either text of each row holds (a sentence and the one before it)."""
        return TermMatrix(self.vocabulary, self.present | other.present)

    def beyond(self, known: TermMatrix, query: Query, weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Each row's coverage of the question terms ``known`` (row for row) does not hold, and their share of the question.

        ``known`` holds a term when it holds the term or a word it stands for
        (related, or the known spelling of a misspelt one); a row holds the
        rest as :meth:`coverage` does.
        """
        counted = _counted_terms(query, weights)
        total = sum(weight for _, weight in counted)
        left = np.zeros(len(self.present))
        covered = np.zeros(len(self.present))
        if total <= 0:
            return covered, left
        for term, weight in counted:
            unknown = known._held(term, query) == 0
            left += unknown * weight
            covered += unknown * self._held(term, query) * weight
        return np.divide(covered, left, out=np.zeros_like(covered), where=left > 0), np.minimum(left / total, 1.0)

    def coverage(self, query: Query, weights: Mapping[str, float], *, related: bool = True) -> np.ndarray:
        """The weighted share of question terms each row accounts for.

        A term counts fully when present; with ``related``, a missing term
        counts at the weight of its best related word that is present. Terms
        are added up in question order, as a sum per row would.
        """
        counted = _counted_terms(query, weights)
        total = sum(weight for _, weight in counted)
        covered = np.zeros(len(self.present))
        if total <= 0:
            return covered
        for term, weight in counted:
            covered += self._held(term, query, related=related) * weight
        return np.minimum(covered / total, 1.0)

    def _held(self, term: str, query: Query, *, related: bool = True) -> np.ndarray:
        """How fully each row holds ``term``: 1 when present, else (with ``related``) its best related word's weight."""
        match = self.present[:, self.vocabulary[term]]
        expansions = query.expansions.get(term) if related else None
        if not expansions:
            return match
        columns = [self.vocabulary[other] for other in expansions]
        best = (self.present[:, columns] * np.fromiter(expansions.values(), dtype=np.float64)).max(axis=1)
        return np.where(match, 1.0, best)


def _counted_terms(query: Query, weights: Mapping[str, float]) -> list[tuple[str, float]]:
    """Each question term with what it counts for: its weight in ``weights`` times its weight in the question."""
    return [(term, weights[term] * query.weight(term)) for term in query.terms]


@dataclass(frozen=True)
class _SentenceTerms:
    """Some sentences' stored terms, read once as arrays: what the sentence features are computed from."""

    held: TermMatrix
    numbers: np.ndarray  # the sentences' terms as vocabulary numbers, laid end to end
    lengths: np.ndarray  # terms of each sentence, repeats counted
    # Each occurrence of a question term: its sentence (row), its place in
    # the sentences' terms laid end to end, and its column, in text order.
    rows: np.ndarray
    places: np.ndarray
    columns: np.ndarray

    @classmethod
    def read(cls, index: SentenceIndex, passages: Sequence[int], vocabulary: Mapping[str, int]) -> _SentenceTerms:
        numbers, lengths = index.term_numbers(passages)
        owners = np.repeat(np.arange(len(passages)), lengths)
        places, columns = _find(numbers, {index.term_number(term): column for term, column in vocabulary.items()})
        present = np.zeros((len(passages), len(vocabulary)), dtype=bool)
        present[owners[places], columns] = True
        return cls(TermMatrix(vocabulary, present), numbers, lengths, owners[places], places, columns)

    def novelty(self, terms: Iterable[str]) -> np.ndarray:
        """The share of each sentence's distinct terms that are not ``terms`` (0 for a sentence without terms)."""
        held = self.held.present[:, [self.held.vocabulary[term] for term in set(terms)]].sum(axis=1)
        distinct = self._distinct()
        return np.where(distinct > 0, (distinct - held) / np.maximum(distinct, 1), 0.0)

    def _distinct(self) -> np.ndarray:
        """How many distinct terms each sentence has.

        Sorting (sentence, term) pairs: ``np.unique`` hashes, which is slower for a few thousand.
        """
        if not self.numbers.size:
            return np.zeros(len(self.lengths), dtype=np.int64)
        width = int(self.numbers.max()) + 1
        pairs = np.sort(np.repeat(np.arange(len(self.lengths)), self.lengths) * width + self.numbers)
        first = np.concatenate(([True], pairs[1:] != pairs[:-1]))
        return np.bincount(pairs[first] // width, minlength=len(self.lengths))

    def proximity(self, terms: Iterable[str]) -> np.ndarray:
        """:func:`_proximity` of ``terms`` in each sentence.

        Where no term repeats, the shortest window holding them all runs from
        the first to the last, for all sentences at once; only the sentences
        that repeat one need the sliding window.
        """
        wanted = sorted({self.held.vocabulary[term] for term in terms})
        chosen = np.isin(self.columns, wanted)
        places, columns = self.places[chosen], self.columns[chosen]
        occurrences = np.bincount(self.rows[chosen], minlength=len(self.lengths))
        distinct = self.held.present[:, wanted].sum(axis=1)
        ends = np.cumsum(occurrences)
        starts = ends - occurrences
        proximity = np.zeros(len(self.lengths))
        once = (distinct >= 2) & (occurrences == distinct)
        proximity[once] = distinct[once] / (places[ends[once] - 1] - places[starts[once]] + 1)
        for row in np.flatnonzero((distinct >= 2) & (occurrences > distinct)).tolist():
            matches = list(zip(places[starts[row] : ends[row]].tolist(), columns[starts[row] : ends[row]].tolist()))
            proximity[row] = _proximity(matches, int(self.lengths[row]))
        return proximity


def candidate_features(
    index: SentenceIndex, question: Question, hits: Sequence[tuple[int, float]], passages: Sequence[Passage]
) -> np.ndarray:
    """One row of :data:`FEATURES` per hit ``(passage number, BM25 score)``, in hit order; ``passages`` are theirs."""
    if not hits:
        return np.zeros((0, len(FEATURES)))
    query, core, vocabulary = question.query, question.core, question.vocabulary
    specificity = {term: index.specificity(term) for term in {*query.terms, *core.terms}}
    numbers = [number for number, _ in hits]
    sentences = _SentenceTerms.read(index, numbers, vocabulary)
    held = sentences.held
    local = _local_specificity({*query.terms, *core.terms}, held)
    top_score = hits[0][1] if hits[0][1] > 0 else 1.0
    titles, bodies, rows = _article_evidence(index, passages, vocabulary)
    articles = bodies | titles
    own = held.coverage(query, specificity)
    rarity = {term: weight * weight for term, weight in specificity.items()}
    headlines = titles | _leads(index, numbers, passages, vocabulary, rows, len(titles.present))
    detail_coverage, detail_share = held.beyond(TermMatrix(vocabulary, headlines.present[rows]), query, specificity)
    columns = [
        np.array([score for _, score in hits]) / top_score,
        question.coverage(held, specificity),
        question.coverage(held, specificity, related=False),
        question.coverage(held, local, related=False),
        sentences.proximity(core.terms),
        [float(sentence_holds(question.answer_type, passage.text, question.words)) for passage in passages],
        [float(bool(_DEFINITION.match(passage.text))) for passage in passages],
        titles.coverage(query, specificity)[rows],
        articles.coverage(query, specificity)[rows],
        articles.coverage(query, rarity)[rows],
        (held | _previous_sentences(index, numbers, passages, vocabulary)).coverage(query, specificity) - own,
        detail_coverage,
        detail_share,
        sentences.novelty(core.terms),
        [math.log1p(length) / 5 for length in sentences.lengths.tolist()],
    ]
    positions = np.array([passage.position for passage in passages], dtype=np.float64)
    asks = np.zeros((len(passages), len(QUESTION_TYPES)))
    if question.answer_type in QUESTION_TYPES:
        asks[:, QUESTION_TYPES.index(question.answer_type)] = 1.0
    columns += [
        np.log1p(positions) / 3,
        positions == 0,
        *asks.T,
    ]
    return np.column_stack(columns)


def query_coverage(index: SentenceIndex, query: Query, numbers: Sequence[int]) -> np.ndarray:
    """How much of ``query`` each of the sentences ``numbers`` accounts for (specificity-weighted, related words at their weight).

    A follow-up's own words against its candidates: they say what is new in
    the question, which the conversation's topic words cannot.
    """
    if not query.terms or not numbers:
        return np.zeros(len(numbers))
    vocabulary = {term: column for column, term in enumerate(dict.fromkeys(
        (*query.terms, *(other for related in query.expansions.values() for other in related))))}
    specificity = {term: index.specificity(term) for term in query.terms}
    return _SentenceTerms.read(index, numbers, vocabulary).held.coverage(query, specificity)


def _find(numbers: np.ndarray, columns: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Where in ``numbers`` the vocabulary numbers ``columns`` maps occur, and the column of each.

    A binary search of the few wanted numbers per read number; -1 (a term
    no passage has) is never read.
    """
    wanted = np.array(sorted(number for number in columns if number >= 0), dtype=np.int32)
    if not wanted.size or not numbers.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    found = np.minimum(np.searchsorted(wanted, numbers), len(wanted) - 1)
    places = np.flatnonzero(wanted[found] == numbers)
    return places, np.array([columns[number] for number in wanted.tolist()])[found[places]]


def _article_evidence(
    index: SentenceIndex, passages: Sequence[Passage], vocabulary: Mapping[str, int]
) -> tuple[TermMatrix, TermMatrix, np.ndarray]:
    """The question terms of each candidate article's title and body, and each candidate's article row.

    Title and whole-article evidence are properties of the article, so they
    are computed once per article, not once per candidate sentence. The body
    is asked of the index's posting lists, not analysed again: a question's
    candidates come from dozens of articles.
    """
    articles = {passage.article.article_id: passage.article for passage in passages}
    row_of = {article_id: row for row, article_id in enumerate(articles)}
    titles = np.zeros((len(articles), len(vocabulary)), dtype=bool)
    for row, article in enumerate(articles.values()):
        for term in index.title_terms(article.title):
            column = vocabulary.get(term)
            if column is not None:
                titles[row, column] = True
    bodies = index.articles_having(list(vocabulary), list(articles))
    rows = np.array([row_of[passage.article.article_id] for passage in passages])
    return TermMatrix(vocabulary, titles), TermMatrix(vocabulary, bodies), rows


def _leads(
    index: SentenceIndex, numbers: Sequence[int], passages: Sequence[Passage], vocabulary: Mapping[str, int],
    rows: np.ndarray, articles: int,
) -> TermMatrix:
    """The question terms of each candidate article's first sentence, a row per article (as ``rows`` numbers them)."""
    first = {int(row): number - passage.position for row, number, passage in zip(rows.tolist(), numbers, passages)}
    present = np.zeros((articles, len(vocabulary)), dtype=bool)
    read = _SentenceTerms.read(index, list(first.values()), vocabulary).held.present
    present[list(first)] = read
    return TermMatrix(vocabulary, present)


def _previous_sentences(
    index: SentenceIndex, numbers: Sequence[int], passages: Sequence[Passage], vocabulary: Mapping[str, int]
) -> TermMatrix:
    """The question terms of the sentence before each candidate in its article (none before the first)."""
    following = [row for row, passage in enumerate(passages) if passage.position > 0]
    before = _SentenceTerms.read(index, [numbers[row] - 1 for row in following], vocabulary).held.present
    present = np.zeros((len(numbers), len(vocabulary)), dtype=bool)
    present[following] = before
    return TermMatrix(vocabulary, present)


def _local_specificity(terms: Iterable[str], held: TermMatrix) -> dict[str, float]:
    """Lucene-style IDF of each term with the candidate list as the collection."""
    count = len(held.present)
    weights = {}
    for term in terms:
        frequency = int(held.present[:, held.vocabulary[term]].sum())
        weights[term] = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
    return weights


def _proximity(matches: Sequence[tuple[int, int]], length: int) -> float:
    """Distinct matched terms / the shortest window holding all of them (0 with fewer than two).

    ``matches`` are the (place, term) of the question terms in the sentence,
    in text order; ``length`` is the sentence's term count.
    """
    distinct = len({term for _, term in matches})
    if distinct < 2:
        return 0.0
    best = length
    counts: dict[int, int] = {}
    start = 0
    for place, term in matches:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == distinct:
            first_place, first_term = matches[start]
            best = min(best, place - first_place + 1)
            counts[first_term] -= 1
            if not counts[first_term]:
                del counts[first_term]
            start += 1
    return distinct / best
