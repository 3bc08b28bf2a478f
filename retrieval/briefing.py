"""Turn a period's articles into a briefing: stories, ranked, each told in a sentence or two.

A *story* is the set of articles about one event, however many wires and
follow-ups carry it. Articles are grouped by the cosine similarity of their
TF-IDF vectors (title and lead, where news writing puts the event), compared
only with articles published within :data:`STORY_WINDOW` of each other: that
blocking keeps the work linear in the period's length, and an event's
coverage rarely spans more. Similar pairs join a story, best first; to stop
a chain of loosely related articles growing into one giant "story", two
groups merge only when their articles are similar on average as well
(average linkage) and the story spans the window at most.

Stories are ranked by how many sources carry them, discounted by age
(:data:`HALF_LIFE`); with a topic only stories that match it by BM25
(rank-bm25's BM25Okapi over each story's title and lead) are kept. Each
story's key sentences are chosen extractively by LexRank-style centrality
over its articles' sentences, biased towards each article's lead.

Plain Python and numpy: no Telegram, no store, testable without I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import overload
from datetime import UTC, datetime, timedelta

import numpy as np
from rank_bm25 import BM25Okapi

from corpus.article import Article
from retrieval.near_duplicates import Members, representatives
from retrieval.similar_pairs import candidate_pairs
from retrieval.sparse_rows import SparseRows
from retrieval.story_terms import LEAD_SENTENCES, StoryTerms, analysed_story_terms
from retrieval.text import Analyzer

# Articles further apart than this are never compared: an event's first
# reports and follow-ups arrive within a couple of days.
STORY_WINDOW = timedelta(hours=48)
# Cosine similarity of title-and-lead TF-IDF vectors above which two articles
# of one publisher report the same event. Wire repeats score ~1. Chosen by
# reading Reuters-21578's groups: at 0.4 one company's unrelated items of a
# day (a dividend, a new board member) merge.
SAME_STORY = 0.5
# Two publishers tell one event in their own words, and rarely publish two
# pieces about one company on one day: their articles need less in common.
SAME_STORY_ACROSS_PUBLISHERS = 0.4
# Two groups merge only if their articles' mean pairwise similarity is this high too (see module doc).
SAME_STORY_ON_AVERAGE = 0.35
# Pairs are only compared when their rarer shared words alone give this much
# cosine (retrieval.similar_pairs): on a day of Reuters that skips 97 % of
# the comparisons and loses a handful of the pairs above the threshold.
SHARED_RARE_WORDS_FLOOR = 0.06
# An article this similar to an earlier one with its headline is a wire copy
# or a re-run (retrieval.near_duplicates): a story's articles are 0.4-0.5
# apart, a copy with a word or two changed is near 1. On the benchmark's week
# (Reuters 5.25 times, three words changed per copy) 77,594 of 99,209 are copies.
NEAR_DUPLICATE = 0.8
# Pairs of near-duplicate groups are looked at member by member when their
# first members are at least this close to a story's threshold.
NEAR_DUPLICATE_MARGIN = 0.1
# Terms in more than this share of a large period's articles ("said", "pct")
# say nothing about which event an article reports, and make comparing slow.
MAX_TERM_SHARE = 0.05
MIN_COMMON_TERM_DOCUMENTS = 20
# A story this much older than the period's newest news counts half as much.
HALF_LIFE = timedelta(hours=24)
# With a topic, stories scoring below this share of the best match are off topic.
TOPIC_MIN_SHARE = 0.5
# Key sentences: candidates per article, how many to tell, and LexRank's damping.
SENTENCES_PER_ARTICLE = 8
ARTICLES_FOR_SENTENCES = 12
KEY_SENTENCES = 2
DAMPING = 0.85
# A second key sentence must add something: at most this similar to the first.
MAX_KEY_SENTENCE_OVERLAP = 0.5
# Shorter sentences are datelines or fragments, not something to tell.
MIN_KEY_SENTENCE_WORDS = 5


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One article as a briefing sees it: its sentences and when it happened."""

    article: Article
    sentences: Sequence[str]  # a briefing reads the lead of each, and more of a few (see ArticleSentences)
    moment: datetime  # aware, UTC


class ArticleSentences(Sequence[str]):
    """An article's sentences, each read only when asked for.

    A day's briefing groups ~20,000 articles by their leads but tells the
    sentences of a few dozen; reading all 120,000 sentences out of a
    compressed index would take longer than the grouping.
    """

    def __init__(self, read: Callable[[int], str], numbers: range) -> None:
        self._read, self._numbers = read, numbers

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, position: int) -> str: ...

    @overload
    def __getitem__(self, position: slice) -> list[str]: ...

    def __getitem__(self, position: int | slice) -> str | list[str]:
        if isinstance(position, slice):
            return [self._read(number) for number in self._numbers[position]]
        return self._read(self._numbers[position])


@dataclass(frozen=True, slots=True)
class Story:
    """Articles about one event: a headline, the sentences that tell it, and every source."""

    headline: str
    sentences: tuple[str, ...]
    items: tuple[NewsItem, ...]  # earliest first
    score: float

    @property
    def latest(self) -> datetime:
        return self.items[-1].moment

    @property
    def article_ids(self) -> frozenset[str]:
        return frozenset(item.article.article_id for item in self.items)


@dataclass(frozen=True, slots=True)
class Briefing:
    """The stories of a period, best first, and what they were chosen from."""

    since: datetime
    topic: str | None
    stories: tuple[Story, ...]
    articles: int  # articles in the period
    more: int  # stories that matched but did not fit the limit
    # Set when the period held no article at all and the reader's news is old: how old (see NewestArticle).
    newest: NewestArticle | None = None
    # False when the topic is only words too common to search by ("WHO", "IT", "the"): no story
    # could match it, and "nothing new" would tell the reader there was no news about it.
    searchable: bool = True


@dataclass(frozen=True, slots=True)
class NewestArticle:
    """When the newest article a reader may see was dated; ``None`` when none of them is.

    An empty briefing says so, so that a reader whose sources have gone
    quiet, or who has only the bundled, undated seed article, is not left to
    guess why nothing is ever new.
    """

    moment: datetime | None


def brief(
    items: Sequence[NewsItem],
    analyzer: Analyzer,
    specificity: Callable[[str], float],
    *,
    since: datetime,
    topic: str | None = None,
    already_sent: Collection[str] = frozenset(),
    limit: int = 8,
    story_terms: Callable[[Sequence[NewsItem]], StoryTerms] | None = None,
    group: GroupStories | None = None,
) -> Briefing:
    """The briefing of ``items`` (the period's articles): stories best first, at most ``limit``.

    ``specificity`` weighs terms by rarity (an IDF over the whole corpus, such
    as :meth:`SentenceIndex.specificity`): a period's own articles are too few
    to tell a rare word from a common one. A story all of whose articles are
    in ``already_sent`` (article ids) was told before and is left out; one
    with a new article is told again. ``story_terms`` gives the items'
    title-and-lead terms when the caller has them analysed already (an
    index has: :func:`retrieval.story_terms.indexed_story_terms`); by
    default they are analysed here. ``group`` groups the articles into
    stories (:func:`group_into_stories`, by default here; a bot has it done
    in another process, see :mod:`bot.preparing`).
    """
    query = analyzer.terms(topic) if topic is not None else []
    if topic is not None and not query:
        return Briefing(since, topic, (), len(items), 0, searchable=False)
    items = sorted(items, key=lambda item: (item.moment, item.article.article_id))
    if story_terms is None:
        terms = analysed_story_terms([item.article.title for item in items],
                                     [" ".join(item.sentences[:LEAD_SENTENCES]) for item in items], analyzer, specificity)
    else:
        terms = story_terms(items)
    groups = (group or group_into_stories)(Leads.of(items, terms))
    groups = [group for group in groups if not all(items[i].article.article_id in already_sent for i in group)]
    if topic is not None:
        groups = _on_topic(groups, terms.documents(len(items)), query)
    newest = max((item.moment for item in items), default=since)
    ranked = sorted(groups, key=lambda group: -_story_score(group, items, newest))
    stories = tuple(
        _tell(group, items, analyzer, specificity, _story_score(group, items, newest)) for group in ranked[:limit]
    )
    return Briefing(since, topic, stories, len(items), max(len(ranked) - limit, 0))


# ---- grouping ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leads:
    """What grouping a period's articles into stories reads: arrays of numbers, and the headlines.

    Grouping is most of a briefing's work, in long numpy steps that hold
    the GIL; a bot does it in another process so that its answers keep the
    interpreter (:mod:`bot.preparing`). Arrays cross to a process at the
    cost of a copy, where the period's articles and their vocabulary would
    be pickled object by object, holding the GIL as long as grouping here.
    """

    owner: np.ndarray  # each title-and-lead term occurrence's article (as in StoryTerms)
    term: np.ndarray  # its term number
    specificity: np.ndarray  # each term number's rarity in the whole corpus
    moments: np.ndarray  # each article's moment, microseconds since the epoch (exact, unlike float seconds)
    publishers: np.ndarray  # each article's publisher, numbered in the order they first appear
    titles: tuple[str, ...]

    @classmethod
    def of(cls, items: Sequence[NewsItem], terms: StoryTerms) -> Leads:
        """The leads of ``items`` (sorted by moment), whose title-and-lead terms are ``terms``."""
        publisher_numbers: dict[str | None, int] = {}
        publishers = [publisher_numbers.setdefault(item.article.publisher, len(publisher_numbers)) for item in items]
        moments = [(item.moment - _EPOCH) // _MICROSECOND for item in items]
        # 32 bits are plenty for article and term numbers, and halve what is copied to another process.
        return cls(terms.owner.astype(np.int32), terms.term.astype(np.int32), terms.specificity,
                   np.array(moments, dtype=np.int64), np.array(publishers, dtype=np.int32),
                   tuple(item.article.title for item in items))

    def __len__(self) -> int:
        return len(self.titles)


GroupStories = Callable[[Leads], list[list[int]]]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_WINDOW_MICROSECONDS = STORY_WINDOW // _MICROSECOND


def group_into_stories(leads: Leads) -> list[list[int]]:
    """Group articles (sorted by moment) into stories; each story lists article numbers, earliest first."""
    if not len(leads):
        return []
    vectors, rarity = _tfidf_rows(leads)
    pairs = _similar_pairs(vectors, rarity, leads.moments, leads.publishers, leads.titles)
    return _merge(pairs, vectors, leads.moments.tolist())


def _tfidf_rows(leads: Leads) -> tuple[SparseRows, np.ndarray]:
    """L2-normalised TF-IDF rows (sublinear tf), without the period's most common terms, and each column's IDF.

    Counted with numpy over term numbers: a day's news is half a million terms.
    """
    documents = len(leads)
    size = max(len(leads.specificity), 1)
    # One entry per (document, term), ordered by document then term, with its count.
    keys, counts = np.unique(leads.owner.astype(np.int64) * size + leads.term, return_counts=True)
    document, term = np.divmod(keys, size)
    frequency = np.bincount(term, minlength=len(leads.specificity))
    ceiling = max(MIN_COMMON_TERM_DOCUMENTS, MAX_TERM_SHARE * documents)
    kept_terms = np.flatnonzero(frequency <= ceiling)
    column_of = np.full(len(leads.specificity), -1, dtype=np.int64)
    column_of[kept_terms] = np.arange(len(kept_terms))
    idf = leads.specificity[kept_terms]
    kept = column_of[term] >= 0
    document, column, counts = document[kept], column_of[term[kept]], counts[kept]
    values = (1 + np.log(counts)) * idf[column]
    row_lengths = np.bincount(document, minlength=documents)
    return SparseRows.unit(row_lengths, column, values, len(kept_terms)), idf


def _similar_pairs(
    vectors: SparseRows, rarity: np.ndarray, moments: np.ndarray, publishers: np.ndarray, titles: Sequence[str],
) -> list[tuple[float, int, int]]:
    """(similarity, earlier, later) for every pair within the window similar enough to be one story, best first.

    Candidates come from the rows' posting lists with a bound that drops no
    pair above the threshold (:mod:`retrieval.similar_pairs`); only those
    are compared. Near-duplicates (:mod:`retrieval.near_duplicates`) are
    searched once, by their group's first member: each pair of groups
    whose first members come within :data:`NEAR_DUPLICATE_MARGIN` of the
    threshold gives every pair of their members, and each group every pair
    within it, all compared exactly.
    """
    threshold = SAME_STORY if len(np.unique(publishers)) <= 1 else SAME_STORY_ACROSS_PUBLISHERS
    representative = representatives(vectors, titles, NEAR_DUPLICATE)
    shown = np.flatnonzero(representative == np.arange(len(representative)))
    earlier, later = candidate_pairs(vectors.take(shown), rarity, threshold, SHARED_RARE_WORDS_FLOOR)
    earlier, later = shown[earlier], shown[later]
    near = vectors.pair_dots(earlier, later) >= threshold - NEAR_DUPLICATE_MARGIN
    members = Members(representative)
    groups = members.groups()
    earlier, later = members.pairs(np.r_[earlier[near], groups], np.r_[later[near], groups])
    close = moments[later] - moments[earlier] <= _WINDOW_MICROSECONDS
    earlier, later = earlier[close], later[close]
    similarity = vectors.pair_dots(earlier, later)
    keep = similarity >= np.where(publishers[earlier] == publishers[later], SAME_STORY, SAME_STORY_ACROSS_PUBLISHERS)
    pairs = list(zip(similarity[keep].tolist(), earlier[keep].tolist(), later[keep].tolist(), strict=True))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    return pairs


def _merge(pairs: list[tuple[float, int, int]], vectors: SparseRows, moments: Sequence[int]) -> list[list[int]]:
    """Join pairs best first while the two groups stay similar on average and the story spans the window at most.

    Both checks stop chaining: a daily market report resembles yesterday's,
    which resembles the day before's, but they are not one event. The mean
    similarity of two groups' articles is the dot product of the groups'
    summed vectors over the product of their sizes; each group keeps its sum
    as a sparse {column: value}, so a check costs the smaller group's columns.
    """
    count = len(moments)
    group_of = list(range(count))
    first_moment = list(moments)
    last_moment = list(moments)
    members: dict[int, list[int]] = {number: [number] for number in range(count)}
    sums: dict[int, dict[int, float]] = {}

    def summed(group: int) -> dict[int, float]:
        if group not in sums:
            sums[group] = vectors.row(group)
        return sums[group]

    for _similarity, earlier, later in pairs:
        left, right = group_of[earlier], group_of[later]
        if left == right:
            continue
        span = max(last_moment[left], last_moment[right]) - min(first_moment[left], first_moment[right])
        if span > _WINDOW_MICROSECONDS:
            continue
        if len(members[left]) < len(members[right]):
            left, right = right, left
        left_sum, right_sum = summed(left), summed(right)
        if len(members[right]) > 1 or len(members[left]) > 1:
            total = sum(value * left_sum.get(column, 0.0) for column, value in right_sum.items())
            if total / (len(members[left]) * len(members[right])) < SAME_STORY_ON_AVERAGE:
                continue
        for number in members[right]:
            group_of[number] = left
        members[left].extend(members.pop(right))
        for column, value in sums.pop(right).items():
            left_sum[column] = left_sum.get(column, 0.0) + value
        first_moment[left] = min(first_moment[left], first_moment[right])
        last_moment[left] = max(last_moment[left], last_moment[right])
    return [sorted(group) for group in sorted(members.values(), key=min)]


# ---- choosing and ranking ------------------------------------------------------------------


def _on_topic(groups: list[list[int]], documents: Sequence[Sequence[str]], query: list[str]) -> list[list[int]]:
    """The stories that match a topic by BM25Okapi over each story's titles and leads.

    A story must contain a topic word and score at least :data:`TOPIC_MIN_SHARE`
    of the best story. rank-bm25's IDF is zero for a word in half of very few
    stories, so among two or three stories any that contains a word matches.
    """
    if not groups or not query:
        return []
    corpus = [[term for number in group for term in documents[number]] for group in groups]
    scores = BM25Okapi(corpus).get_scores(query)
    best = float(max(scores))
    wanted = set(query)
    return [
        group for group, terms, score in zip(groups, corpus, scores, strict=True)
        if wanted.intersection(terms) and (best <= 0 or score >= TOPIC_MIN_SHARE * best)
    ]


def _story_score(group: list[int], items: Sequence[NewsItem], newest: datetime) -> float:
    """More sources, more weight (distinct publishers most), halved every :data:`HALF_LIFE` of age.

    Returned as a logarithm: over a long look back the weights of old stories
    would underflow to zero and stop ranking them at all.
    """
    publishers = len({items[number].article.publisher or items[number].article.article_id for number in group})
    weight = publishers + math.log2(len(group))
    age = newest - items[group[-1]].moment
    return math.log(weight) - math.log(2) * (age / HALF_LIFE)


# ---- telling -------------------------------------------------------------------------------


def _tell(group: list[int], items: Sequence[NewsItem], analyzer: Analyzer, specificity: Callable[[str], float],
          score: float) -> Story:
    members = [items[number] for number in group]
    sentences, owners = key_sentences(members[:ARTICLES_FOR_SENTENCES], analyzer, specificity)
    headline_item = owners[0] if owners else members[0]
    return Story(headline_item.article.title, sentences, tuple(members), score)


def key_sentences(
    members: Sequence[NewsItem], analyzer: Analyzer, specificity: Callable[[str], float], count: int = KEY_SENTENCES
) -> tuple[tuple[str, ...], list[NewsItem]]:
    """The most central sentences of a story and the articles they come from.

    LexRank: sentences vote for the sentences they resemble (TF-IDF cosine),
    and a random walk over those votes, restarting at sentence *i* of an
    article with probability ∝ 1/(i+1), finds the sentences that the story's
    articles agree on, preferring leads.
    """
    # One candidate per distinct sentence; a sentence that several wire copies
    # repeat is one candidate with that many votes of its own.
    candidates: dict[str, tuple[str, NewsItem, int]] = {}
    copies: Counter[str] = Counter()
    for item in members:
        for position, sentence in enumerate(item.sentences[:SENTENCES_PER_ARTICLE]):
            if len(sentence.split()) < MIN_KEY_SENTENCE_WORDS:
                continue
            key = " ".join(sentence.lower().split())
            candidates.setdefault(key, (sentence, item, position))
            copies[key] += 1
    if not candidates:
        fallback = [(item.sentences[0], item) for item in members if item.sentences][:1]
        return tuple(text for text, _ in fallback), [item for _, item in fallback]
    keys = list(candidates)
    vectors = _sentence_vectors([candidates[key][0] for key in keys], analyzer, specificity)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    restart = np.array([copies[key] / (candidates[key][2] + 1) for key in keys])
    restart /= restart.sum()
    rows = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, rows, out=np.tile(restart, (len(keys), 1)), where=rows > 0)
    rank = restart.copy()
    for _ in range(50):
        rank = (1 - DAMPING) * restart + DAMPING * rank @ transition
    chosen: list[int] = []
    for number in np.argsort(-rank, kind="stable").tolist():
        if all(similarity[number, other] <= MAX_KEY_SENTENCE_OVERLAP for other in chosen):
            chosen.append(number)
        if len(chosen) == count:
            break
    return tuple(candidates[keys[n]][0] for n in chosen), [candidates[keys[n]][1] for n in chosen]


def _sentence_vectors(texts: Sequence[str], analyzer: Analyzer, specificity: Callable[[str], float]) -> np.ndarray:
    """Dense L2-normalised TF-IDF rows over the sentences' own vocabulary (a story has few)."""
    counted = [Counter(analyzer.terms(text)) for text in texts]
    vocabulary = {term: n for n, term in enumerate(sorted({term for counts in counted for term in counts}))}
    matrix = np.zeros((len(texts), max(len(vocabulary), 1)))
    for row, counts in enumerate(counted):
        for term, count in counts.items():
            matrix[row, vocabulary[term]] = (1 + math.log(count)) * specificity(term)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
