"""Text analysis shared by indexing and querying: text in, index terms out.

A question and a sentence must be reduced the same way or BM25 cannot match
them, so this module is the only place where words become terms: lower case,
no stop words, irregular forms to their base ("met" → "meet"), then Snowball
stems ("sending" → "send").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Protocol

from corpus.nltk_loading import nltk_module

SnowballStemmer = nltk_module("stem.snowball").SnowballStemmer

# NLTK's English stop-word list (plus "us", "also", the modal verbs it lacks,
# and "else" with the indefinite pronouns it goes with: "what else did Trump
# say?" asks about Trump, and a word no article holds would count as the rarest
# one the answer lacks), kept in code because the NLTK corpus that ships it is a
# download this project may not make.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he
    him his himself she her hers herself it its itself they them their theirs
    themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or
    because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under
    again further then once here there when where why how all any both each few
    more most other some such no nor not only own same so than too very s t can
    will just don should now d ll m o re ve y ain aren couldn didn doesn hadn
    hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn could
    would might must shall may also us else anything something anyone someone anybody somebody
    """.split()
)

# Dotted or capitalised abbreviations that lower-case into a stop word or into
# a different spelling of the same name; mapped to one spelling everywhere.
_NAME_ALIASES = (
    (re.compile(r"\bU\.S\.(?:A\.)?(?!\w)|\bUSA?\b|\bUnited States(?: of America)?\b"), " usa "),
    (re.compile(r"\bU\.K\.(?!\w)|\bUK\b|\bUnited Kingdom\b"), " uk "),
    (re.compile(r"\bU\.N\.(?!\w)|\bUN\b|\bUnited Nations\b"), " un "),
)
# Every alias starts with a capital U: most sentences can skip all three patterns.
_ALIAS_START = "U"
_DOTTED_ACRONYM = re.compile(r"\b((?:[A-Za-z]\.){2,})")
# "G-7", "F-16", "COVID-19": the hyphen is part of the name, unlike "long-term".
_NAME_WITH_NUMBER = re.compile(r"\b([A-Za-z]{1,6})-(\d+)\b")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b", re.IGNORECASE)
_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d)")
# "12%", "12 per cent" and "12 percent" are one unit that news spells three
# ways; a reader asks "by what percent?", so all three become the word "percent".
_PER_CENT = re.compile(r"%|\bper\s+cent\b")
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:\d+)?|\d+", re.UNICODE)


class WordRelations(Protocol):
    """What analysis needs from a lexicon (see :mod:`retrieval.lexicon`)."""

    fingerprint: str

    def base_form(self, word: str) -> str: ...

    def related(self, word: str) -> Mapping[str, float]: ...

    def close_words(self, word: str) -> Mapping[str, float]: ...

    def prepare_spelling(self) -> None: ...


class Spelling(Protocol):
    """What analysis needs to read a question word the index does not know (see :mod:`retrieval.spelling`)."""

    def knows(self, term: str) -> bool: ...

    def close_terms(self, term: str) -> Mapping[str, float]: ...


_STEMMER = SnowballStemmer("english", ignore_stopwords=False)
# Bump whenever a change here changes the terms of some text: saved indexes
# built with the old analysis are then rebuilt instead of silently mismatching.
ANALYSIS_VERSION = 4
# Frequent words are met early, so a cache that simply stops growing keeps
# most of its hits while bounding memory on an ever-growing vocabulary.
TERM_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=1 << 14)
def _stem(word: str) -> str:
    return _STEMMER.stem(word)


# Regular inflections and the endings of their base forms, as WordNet's morphology undoes them
# (its detachment rules): "prices" -> "price", "opposed" -> "oppose", "signed" -> "sign".
_INFLECTIONS = (
    ("ies", "y"), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
    ("es", "e"), ("es", ""), ("s", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""),
)

# The words after "how" that ask for a kind of answer: an amount, a length, a frequency, ...
HOW_WORDS = frozenset("much many long often far old big large soon tall high deep fast heavy wide".split())


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` after name normalisation, stop words kept."""
    text = text.replace("’", "'")
    # Each rewrite runs only when its telltale character is present: indexing
    # calls this for every sentence, and most need none of them.
    if _ALIAS_START in text:
        for pattern, replacement in _NAME_ALIASES:
            text = pattern.sub(replacement, text)
    if "." in text:
        text = _DOTTED_ACRONYM.sub(lambda match: match[1].replace(".", ""), text)
    if "-" in text:
        text = _NAME_WITH_NUMBER.sub(r"\1\2", text)
    if "'" in text:
        text = _POSSESSIVE.sub("", text)
    if "," in text:
        text = _THOUSANDS_SEPARATOR.sub("", text)
    text = text.lower()
    if "%" in text or "cent" in text:
        text = _PER_CENT.sub(" percent ", text)
    return _WORD.findall(text)


@dataclass(frozen=True)
class Analyzer:
    """Turns text into index terms, and questions into weighted query terms."""

    relations: WordRelations | None = None
    # Related words count less than the word itself: they are evidence, not
    # proof, that the sentence speaks of the same thing.
    expansion_weight: float = 0.6
    max_related: int = 12
    # The vocabulary that question terms are matched against when they are not
    # in it ("zelenksy" → "zelenski"); None for the analysis of indexed text.
    spelling: Spelling | None = field(default=None, repr=False, compare=False)
    # Word → term, filled as words are met: a corpus repeats its vocabulary
    # so often that one dictionary lookup per word is most of indexing's cost.
    _term_cache: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def fingerprint(self) -> str:
        """Identifies how text becomes terms; a saved index is valid only for the same analysis."""
        return f"analysis-{ANALYSIS_VERSION}/{self.relations.fingerprint if self.relations else 'none'}"

    def terms(self, text: str) -> list[str]:
        """Index terms of ``text``, in order, duplicates kept (BM25 counts them)."""
        cache = self._term_cache
        return [cache.get(word) or self.term(word) for word in words(text) if word not in STOP_WORDS]

    def meant_terms(self, text: str) -> list[str]:
        """Index terms of ``text`` as meant: a word no article uses is read as the known term spelt closest to it.

        "what did zelenksy demnad" is about "zelenski" and "demand": a
        conversation that keeps the words as typed could not tell the same
        question asked again with the spelling mended, and would lend a
        follow-up ("why?") words that no article holds. Without a
        ``spelling``, or with no known term close enough, a term is kept as it is.
        """
        meant = []
        for word in words(text):
            if word in STOP_WORDS:
                continue
            term = self.term(word)
            close = {} if self.spelling is None or self.spelling.knows(term) else self.spelling.close_terms(term)
            meant.append(max(close, key=close.__getitem__) if close else term)
        return meant

    def term(self, word: str) -> str:
        """The index term of one lower-case word."""
        term = self._term_cache.get(word)
        if term is None:
            term = _stem(self.relations.base_form(word) if self.relations else word)
            if len(self._term_cache) < TERM_CACHE_SIZE:
                self._term_cache[word] = term
        return term

    def known_terms(self) -> dict[str, str]:
        """The words met so far and their terms (as many as the cache keeps), to be saved with an index."""
        return dict(self._term_cache)

    def learn_terms(self, known: Mapping[str, str]) -> None:
        """Take words and their terms found by an analyzer of the same fingerprint, so they are not stemmed again.

        A saved index brings them: a fresh process then reads titles and
        questions with a warm cache instead of stemming each word for the
        first time (a day's briefing meets ~15,000 distinct title words).
        """
        room = TERM_CACHE_SIZE - len(self._term_cache)
        for word, term in itertools.islice(known.items(), max(room, 0)):
            self._term_cache.setdefault(word, term)

    def query(self, question: str) -> Query:
        """Analyse a question: its terms, plus related terms for each of them.

        With a ``spelling``, a term it does not know also brings the known
        terms spelt closest to it, weighted by how close they are.
        """
        originals: dict[str, str] = {}
        previous = ""
        for word in words(question):
            if word not in STOP_WORDS and not (previous == "how" and self._unheard_kind_word(word)):
                originals.setdefault(self.term(word), word)
            previous = word
        expansions: dict[str, dict[str, float]] = {}
        meant: dict[str, str] = {}
        for stem, word in originals.items():
            related = self._related_terms(word, exclude=originals.keys())
            close, in_index = self._close_spellings(stem, word)
            if close:
                meant[word] = max(close, key=close.__getitem__)
            for other, weight in self._misspelt(word, close, in_index, exclude=originals.keys()).items():
                if weight > related.get(other, 0.0):
                    related[other] = weight
            expansions[stem] = related
        return Query(terms=tuple(originals), expansions=expansions, meant=meant)

    def _unheard_kind_word(self, word: str) -> bool:
        """Whether ``word``, after "how", names a kind of answer that no article's words say.

        "How often will the ferry sail?" asks for a frequency, and the answer
        says "every hour", never "often". Over a big store such a word is
        common and weighs little; over a few articles that never use it (nor a
        word related to it), it would count as a rare word the answer lacks,
        and the answer would be taken for a miss. Dropping the word everywhere
        was no better by cross-validation, so only an unheard one is dropped.
        """
        if word not in HOW_WORDS or self.spelling is None:
            return False
        return not any(map(self.spelling.knows, (self.term(word), *self._related_terms(word, exclude=()))))

    def _close_spellings(self, stem: str, word: str) -> tuple[dict[str, float], bool]:
        """The known spellings a typo or two from an unknown question word, by closeness; none for a known word.

        First the index's own terms (the second value is then True). When none
        is close, the lexicon's words: a slip on a word no article uses
        ("demnad") may still be a word whose relatives the articles use ("need").
        """
        if self.spelling is None or self.spelling.knows(stem):
            return {}, True
        close = dict(self.spelling.close_terms(stem))
        if close or self.relations is None:
            return close, True
        return dict(self.relations.close_words(word)), False

    def _misspelt(self, word: str, close: Mapping[str, float], in_index: bool, exclude) -> dict[str, float]:
        """The terms that close spellings of ``word`` bring into the query, with the relatives of the words meant.

        A misspelt word stands for the word it is a slip on, relatives and
        all: "demnad" should find "needs" as "demand" does. Close index terms
        come as they are, with the relatives of the lexicon's words that are
        those terms ("demand" itself); close lexicon words, when no index term
        is close, with theirs.
        """
        found: dict[str, float] = {}
        meant: Mapping[str, float]
        if in_index:
            found = {other: weight for other, weight in close.items() if other not in exclude}
            if not found or self.relations is None:
                return found
            meant = {other: closeness for other, closeness in self.relations.close_words(word).items()
                     if self.term(other) in found}
        else:
            meant = close
        for other, closeness in meant.items():
            for term, weight in {**self._related_terms(other, exclude), _stem(other): 1.0}.items():
                if term not in exclude and closeness * weight > found.get(term, 0.0):
                    found[term] = closeness * weight
        return found

    def _related_terms(self, word: str, exclude) -> dict[str, float]:
        if self.relations is None:
            return {}
        related: dict[str, float] = {}
        ranked = sorted(self._relations_of(self.relations, word).items(), key=lambda item: -item[1])
        for other, weight in ranked[: self.max_related]:
            if other in STOP_WORDS:
                continue
            stem = _stem(other)
            if stem not in exclude and weight * self.expansion_weight > related.get(stem, 0.0):
                related[stem] = weight * self.expansion_weight
        return related

    @staticmethod
    def _relations_of(lexicon: WordRelations, word: str) -> Mapping[str, float]:
        """The lexicon's related words for ``word``, or for the base form of a regular inflection of it.

        The lexicon lists base forms and irregular inflections ("met"), not
        "opposed" or "prices": those are found by undoing the suffix (as
        WordNet's own morphology does), where the stemmer makes the base the
        same term as the word ("oppose" and "opposed" are both "oppos"), so
        "news" is never read as "new".
        """
        relations = lexicon.related(lexicon.base_form(word))
        if relations:
            return relations
        for ending, replacement in _INFLECTIONS:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                base = word[: -len(ending)] + replacement
                if _stem(base) == _stem(word) and (relations := lexicon.related(base)):
                    return relations
        return {}


@dataclass(frozen=True)
class Query:
    """A question's terms and, per term, related terms with their weights."""

    terms: tuple[str, ...]
    expansions: Mapping[str, Mapping[str, float]]
    # Each misspelt question word and the known spelling it most likely stands for.
    meant: Mapping[str, str] = field(default_factory=dict)
    # Terms that count less than the question's own words: a follow-up's
    # conversation topic ("why?" after a question about Brazil's debt).
    # A term not listed counts in full.
    weights: Mapping[str, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def weight(self, term: str) -> float:
        """How much ``term`` counts: 1 for the question's own words, less for borrowed ones."""
        return self.weights.get(term, 1.0)

    def with_context(self, context: Mapping[str, float]) -> Query:
        """This query plus ``context`` terms at their (lower) weights; the question's own terms keep theirs."""
        borrowed = {term: weight for term, weight in context.items() if term not in self.terms and weight > 0}
        return replace(self, terms=(*self.terms, *borrowed), weights={**self.weights, **borrowed})

    def own(self) -> Query:
        """The question's own words only, without what :meth:`with_context` borrowed."""
        return replace(self, terms=tuple(term for term in self.terms if term not in self.weights), weights={})
