"""Many sentences' index terms in a compact form: each distinct term once, and every occurrence as a number.

A 2 MB upload has ~14,000 sentences and ~216,000 term occurrences but only
~15,000 distinct terms. As lists of strings, its terms cost the bot ~110 ms
of unpickling when the preparing process sends them back (one C call that
holds the GIL, so every question waits), and the index then looks each
occurrence up in its vocabulary one by one. As :class:`SentenceTerms` they
travel as a short list and two numpy arrays, and the index translates each
distinct term once and the occurrences with one numpy gather.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.text import Analyzer


@dataclass(frozen=True, slots=True)
class SentenceTerms:
    """Sentences' terms: ``numbers`` index ``terms``, sentence after sentence; ``ends[i]`` is where sentence ``i``'s stop.

    ``terms`` are in order of first occurrence, so the terms a run of
    sentences brings for the first time are the numbers past those of the
    sentences before it.
    """

    terms: list[str]
    numbers: np.ndarray  # int32
    ends: np.ndarray  # int64, one per sentence

    @classmethod
    def of(cls, term_lists: Iterable[Sequence[str]]) -> SentenceTerms:
        """The compact form of one list of terms per sentence (as :meth:`Analyzer.terms` gives them)."""
        numbering: dict[str, int] = {}
        numbers: list[int] = []
        ends: list[int] = []
        for terms in term_lists:
            numbers.extend([numbering.setdefault(term, len(numbering)) for term in terms])
            ends.append(len(numbers))
        return cls(list(numbering), np.array(numbers, dtype=np.int32), np.array(ends, dtype=np.int64))

    def __len__(self) -> int:
        """How many sentences."""
        return len(self.ends)

    def start(self, sentence: int) -> int:
        """Where sentence ``sentence``'s numbers start in :attr:`numbers`."""
        return int(self.ends[sentence - 1]) if sentence else 0

    def sentence(self, sentence: int) -> list[str]:
        """One sentence's terms, in order."""
        terms = self.terms
        return [terms[number] for number in self.numbers[self.start(sentence) : self.ends[sentence]].tolist()]


def analyse(analyzer: Analyzer, sentences: Iterable[str]) -> SentenceTerms:
    """The sentences' index terms, as ``analyzer`` gives them: the costly part of indexing, needing no index."""
    return SentenceTerms.of(analyzer.terms(sentence) for sentence in sentences)
