"""Each article's title-and-lead terms as numbers: what grouping articles into stories reads.

A day's briefing groups ~20,000 articles (a week's, 100,000) by the terms
of their titles and leads: half a million terms a day. Looked up as
strings, one dictionary access each, and weighed by one IDF call per
distinct term, that was a second of a two-second budget. An index has
analysed every lead already and numbered its terms, so from an index
(:func:`indexed_story_terms`) the leads are a few numpy gathers and the
IDF one pass; only titles are analysed, each distinct title once (wire
copies and re-runs repeat theirs). Without an index
(:func:`analysed_story_terms`) everything is analysed here, with the same
result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.index import SentenceIndex
from retrieval.sparse_rows import span_positions
from retrieval.text import Analyzer

# The lead: how many first sentences of an article say what it is about.
LEAD_SENTENCES = 3
# The title counts as much as this many lead sentences' mentions.
TITLE_WEIGHT = 2


@dataclass(frozen=True, slots=True)
class StoryTerms:
    """The period's term occurrences: which article each is in, and which term it is.

    Terms are numbered in the order of ``vocabulary``, which is sorted, so
    that a period's columns (and the order of sums over them) are the same
    however the terms were found.
    """

    owner: np.ndarray  # the article (its number in the period) of each occurrence
    term: np.ndarray  # its term, a number into ``vocabulary``
    vocabulary: list[str]  # sorted
    specificity: np.ndarray  # of each vocabulary term: its rarity in the whole corpus

    def documents(self, count: int) -> list[list[str]]:
        """Each of the ``count`` articles' terms, as strings (for ranking stories by a topic)."""
        order = np.argsort(self.owner, kind="stable")
        lengths = np.bincount(self.owner, minlength=count)
        ends = np.cumsum(lengths)
        names = [self.vocabulary[number] for number in self.term[order].tolist()]
        return [names[start:end] for start, end in zip((ends - lengths).tolist(), ends.tolist(), strict=True)]


def analysed_story_terms(
    titles: Sequence[str], leads: Sequence[str], analyzer: Analyzer, specificity: Callable[[str], float]
) -> StoryTerms:
    """Each article's title (weighted) and lead, analysed here; ``specificity`` weighs one term."""
    documents = [[*analyzer.terms(title) * TITLE_WEIGHT, *analyzer.terms(lead)] for title, lead in zip(titles, leads, strict=True)]
    vocabulary = sorted(set().union(*documents))
    numbers = {term: number for number, term in enumerate(vocabulary)}
    lengths = [len(terms) for terms in documents]
    term = np.fromiter((numbers[term] for terms in documents for term in terms), dtype=np.int64, count=sum(lengths))
    owner = np.repeat(np.arange(len(documents)), lengths)
    return StoryTerms(owner, term, vocabulary, np.array([specificity(name) for name in vocabulary]))


def indexed_story_terms(
    index: SentenceIndex, article_ids: Sequence[str], titles: Sequence[Sequence[str]], title_of: np.ndarray
) -> StoryTerms:
    """The articles' leads' terms as ``index`` numbered them, and their titles' (weighted).

    ``titles`` are the distinct titles' terms (analysed by the caller) and
    ``title_of`` each article's title among them: a week's 100,000 articles
    have ~20,000 distinct titles. Terms are weighed by the index's
    specificity (IDF); a title word no sentence has is as rare as a term can be.
    """
    leads = [index.article_passages(article_id)[:LEAD_SENTENCES] for article_id in article_ids]
    lead_terms, passage_lengths = index.term_numbers([number for lead in leads for number in lead])
    passage_owner = np.repeat(np.arange(len(leads)), [len(lead) for lead in leads])
    # Title terms the index does not know are numbered after its vocabulary.
    known, size = index.term_number, index.vocabulary_size
    unknown: dict[str, int] = {}
    title_terms = np.array([
        number if (number := known(term)) >= 0 else size + unknown.setdefault(term, len(unknown))
        for terms in titles for term in terms
    ], dtype=np.int64)
    title_lengths = np.array([len(terms) for terms in titles], dtype=np.int64)
    title_starts = np.cumsum(title_lengths) - title_lengths
    lengths = title_lengths[title_of]
    article_titles = title_terms[span_positions(title_starts[title_of], lengths)]
    title_owner = np.repeat(np.arange(len(article_ids)), lengths)
    owner = np.concatenate([np.tile(title_owner, TITLE_WEIGHT), np.repeat(passage_owner, passage_lengths)])
    found = np.concatenate([np.tile(article_titles, TITLE_WEIGHT), lead_terms.astype(np.int64)])
    # The period's terms, renumbered in the order of their text; counting, not sorting, millions of occurrences.
    used = np.flatnonzero(np.bincount(found, minlength=size + len(unknown)))
    names = [*index.term_texts(used[used < size].tolist()), *unknown]
    order = sorted(range(len(names)), key=names.__getitem__)
    renumber = np.zeros(size + len(unknown), dtype=np.int64)
    renumber[used[order]] = np.arange(len(names))
    return StoryTerms(owner, renumber[found], [names[number] for number in order], index.specificities(used[order]))
