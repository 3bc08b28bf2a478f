"""Related words and irregular base forms, read from the lexicon shipped in ``data/``.

The ranker needs to know that a question saying "demand" may be answered by a
sentence saying "needs", and that "met" is a form of "meet". That knowledge
comes from Princeton WordNet 3.0, distilled at development time by
:mod:`retrieval.lexicon_build` into one small gzip TSV file, so that running
the bot needs neither WordNet nor NLTK data. The file is optional: without it
the lexicon is empty and the ranker falls back to exact terms.

File format (UTF-8, gzip), one record per line, fields separated by tabs::

    #lede-lexicon<TAB>1            first line: format name and version
    # ...                          comments: source, version, licence text
    b<TAB>met<TAB>meet             irregular form -> base form
    r<TAB>demand<TAB>need:0.68 require:0.68 ...
                                   word -> related words with weights in (0, 1],
                                   heaviest first
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import zlib
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from retrieval.spelling import SpellingIndex

logger = logging.getLogger(__name__)

DATA_FILE_NAME = "wordnet_lexicon.tsv.gz"
FORMAT_HEADER = "#lede-lexicon\t1"
BASE_FORM_RECORD = "b"
RELATED_RECORD = "r"


class Lexicon:
    """Irregular inflections and weighted related words, keyed by lower-case word.

    Related words are kept encoded, one string per word, and decoded only when
    asked for: decoding all of them up front would cost most of the load time
    while a process only ever looks at the few words its questions use.
    """

    __slots__ = ("_base_forms", "_encoded_related", "fingerprint", "_headwords", "_spelling")

    def __init__(
        self, base_forms: Mapping[str, str], encoded_related: Mapping[str, str], fingerprint: str = "empty"
    ) -> None:
        self._base_forms = base_forms
        self._encoded_related = encoded_related
        #: Identifies the data: an index built with another lexicon has other terms.
        self.fingerprint = fingerprint
        # Built by prepare_spelling, or else by the first misspelt word no article holds a close match to.
        self._headwords: list[str] = []
        self._spelling: SpellingIndex | None = None

    @classmethod
    def empty(cls) -> Lexicon:
        """A lexicon that knows no word: base forms are identity, nothing is related."""
        return cls({}, {})

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """The lexicon in ``path``, by default the one shipped with the package.

        Loaded once per process and path. A missing or unreadable file gives an
        empty lexicon and a warning rather than an error, because the lexicon
        improves answers but is not needed to give them.
        """
        return _load_cached(path)

    def base_form(self, word: str) -> str:
        """The base form of an irregular inflection ("met" -> "meet"), else ``word``."""
        word = word.lower()
        return self._base_forms.get(word, word)

    def related(self, word: str) -> Mapping[str, float]:
        """Words related to ``word`` with their weights, heaviest first.

        An inflected form is looked up through its base form, so "met" gives
        the words related to "meet". The word itself is never included.
        """
        word = word.lower()
        encoded = self._encoded_related.get(word)
        if encoded is None:
            encoded = self._encoded_related.get(self.base_form(word), "")
        return {
            other: float(weight)
            for other, weight in (pair.split(":") for pair in encoded.split())
            if other != word
        }


    def close_words(self, word: str) -> Mapping[str, float]:
        """Words with related words that are a typo or two from ``word`` ("demnad" → "demand"), by closeness.

        A question word no article holds, nor anything spelt like it, may
        still be a slip on a word whose relatives the articles do hold: the
        seed says Kyiv *needs* guarantees, and nobody there *demands* them.
        """
        self.prepare_spelling()
        assert self._spelling is not None
        return self._spelling.close_terms(word.lower(), self._headwords, lambda number: 0)

    def prepare_spelling(self) -> None:
        """Build the headwords' spelling index now if it is not built (~200 ms), rather than in a question's time."""
        if self._spelling is None:
            # Published whole: the lexicon is shared, and a question may look at it meanwhile.
            headwords = sorted(self._encoded_related)
            spelling = SpellingIndex()
            spelling.cover(headwords)
            self._headwords, self._spelling = headwords, spelling


def encode_related(related: Mapping[str, float]) -> str:
    """The file encoding of one word's related words (the build script's side)."""
    ranked = sorted(related.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(f"{other}:{weight:g}" for other, weight in ranked)


@functools.cache
def _load_cached(path: Path | None) -> Lexicon:
    source: Path | Traversable = (
        path if path is not None else resources.files("retrieval") / "data" / DATA_FILE_NAME
    )
    try:
        data = source.read_bytes()
        return _parse(gzip.decompress(data).decode("utf-8"), hashlib.sha256(data).hexdigest()[:16])
    # zlib.error is what a truncated or corrupted gzip body raises, and it is
    # not an OSError; ValueError covers a wrong header or a malformed record.
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as error:
        logger.warning("Lexicon %s unavailable, continuing without it: %s", source, error)
        return Lexicon.empty()


def _parse(text: str, fingerprint: str) -> Lexicon:
    lines = text.splitlines()
    if not lines or lines[0] != FORMAT_HEADER:
        raise ValueError(f"not a lexicon file (expected header {FORMAT_HEADER!r})")
    base_forms: dict[str, str] = {}
    encoded_related: dict[str, str] = {}
    tables = {BASE_FORM_RECORD: base_forms, RELATED_RECORD: encoded_related}
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#"):
            continue
        kind, word, value = line.split("\t")
        table = tables.get(kind)
        if table is None:
            raise ValueError(f"line {number}: unknown record kind {kind!r}")
        table[word] = value
    return Lexicon(base_forms, encoded_related, fingerprint)
