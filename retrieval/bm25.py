"""BM25Okapi's formulas, exactly as rank-bm25 computes them, in one place.

Read it beside ``rank_bm25.BM25Okapi``: :func:`raw_idf` and :func:`mean_raw_idf`
are ``_calc_idf``'s ``math.log(corpus_size - freq + 0.5) - math.log(freq + 0.5)``
and its ``average_idf``; :func:`idf_floor` is its floor for negative IDFs
(``epsilon * average_idf``); :func:`term_scores` is the summand of
``get_scores``. The operations run in rank-bm25's order, so that scores are
equal to the last bit (``tests/retrieval/test_index.py`` checks it).
:class:`retrieval.index.SentenceIndex` applies them to its posting lists.
"""

from __future__ import annotations

import math

import numpy as np

# rank-bm25's BM25Okapi defaults.
K1 = 1.5
B = 0.75
EPSILON = 0.25


def raw_idf(documents: int, frequency: int) -> float:
    """``log((N - df + .5) / (df + .5))`` as two logs: negative for a term in over half the documents."""
    return math.log(documents - frequency + 0.5) - math.log(frequency + 0.5)


def mean_raw_idf(documents: int, frequencies: np.ndarray) -> float:
    """rank-bm25's ``average_idf``: the mean raw IDF over the whole vocabulary (0 for none)."""
    raw = np.log(documents - frequencies + 0.5) - np.log(frequencies + 0.5)
    return float(raw.mean()) if raw.size else 0.0


def idf_floor(mean: float) -> float:
    """What a negative IDF becomes: ``EPSILON`` × the mean raw IDF, as rank-bm25 floors it."""
    return EPSILON * mean


def term_scores(weight: float, frequencies: np.ndarray, lengths: np.ndarray, average_length: float) -> np.ndarray:
    """One term's score in each document that has it: ``weight`` (its IDF, weighted) × BM25's saturated frequency."""
    norm = K1 * (1 - B + B * lengths / average_length)
    return weight * frequencies * (K1 + 1) / (frequencies + norm)


def smooth_idf(documents: int, frequency: int) -> float:
    """Lucene's IDF, ``log(1 + (N - df + .5) / (df + .5))``: always positive, smooth where BM25Okapi's is floored."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
