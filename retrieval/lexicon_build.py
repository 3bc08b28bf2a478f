"""Build the shipped lexicon file from Princeton WordNet 3.0 (a developer tool).

    python -m retrieval.lexicon_build [WORDNET_DIR] [--out DIR]

WORDNET_DIR holds the WordNet 3.0 database files (``data.noun``,
``index.verb``, ``verb.exc``, ``cntlist.rev``, ...); the default is where
Debian's ``wordnet-base`` package installs them (``apt-get install
wordnet-base``). The output, written to ``retrieval/data/`` by default, is the
lexicon read at run time by :mod:`retrieval.lexicon` plus the WordNet licence
that must travel with it. Only this script needs WordNet: users of the bot get
the built file and need neither the Debian package nor NLTK data.

What goes in, and why it is kept small: query expansion with loosely related
words makes ranking worse, so a word is related to another only through a
sense that is common for *both* of them (one of their first three senses in a
part of speech, tagged at least a tenth as often as their most frequent
sense in WordNet's sense-tagged corpus). That keeps "demand" -> "need"
(both common in the sense "require") and drops "demand" -> "take", which
shares that sense too but rarely means it.
"""

from __future__ import annotations

import argparse
import gzip
import math
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import nltk.data
from nltk.corpus.reader.wordnet import Lemma, Synset, WordNetCorpusReader

from retrieval.lexicon import (
    BASE_FORM_RECORD,
    DATA_FILE_NAME,
    FORMAT_HEADER,
    RELATED_RECORD,
    encode_related,
)

DEFAULT_WORDNET_DIR = Path("/usr/share/wordnet")
DEFAULT_OUT_DIR = Path(__file__).parent / "data"
LICENSE_FILE_NAME = "WORDNET_LICENSE"

# The licence is part of every data file's header; checking for its copyright
# line also makes sure the files really are WordNet 3.0, which is what the
# shipped notice says they are.
WORDNET_VERSION = "3.0"
COPYRIGHT_LINE = "WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved."

# What NLTK's reader opens; ``lexnames`` is written when missing (see below).
WORDNET_FILES = (
    *(f"{kind}.{pos}" for kind in ("data", "index") for pos in ("noun", "verb", "adj", "adv")),
    *(f"{pos}.exc" for pos in ("noun", "verb", "adj", "adv")),
    "cntlist.rev",
    "lexnames",
)
PARTS_OF_SPEECH = ("n", "v", "a", "r")
EXCEPTION_FILES = (("v", "verb.exc"), ("n", "noun.exc"), ("a", "adj.exc"), ("r", "adv.exc"))

# Only words the analyzer can produce: it splits on anything but letters, so a
# multi-word lemma ("call_for") or a hyphenated one would never match a term.
# Single letters are initials, numerals and units ("c" = hundred), not words.
SINGLE_WORD = re.compile(r"[a-z]{2,}")

SENSES_PER_POS = 3
# A sense tagged less than this share of the word's most frequent sense is a
# rare reading of the word: relating through it adds more noise than recall.
MIN_SENSE_SHARE = 0.1
# Words never tagged in WordNet's corpus are rare; their first sense is the
# only one worth trusting, and only half as much as a tagged one.
UNTAGGED_SALIENCE = 0.5
# "agreement" is evidence for "agree", but weaker than a synonym is.
DERIVATION_FACTOR = 0.6
MIN_WEIGHT = 0.15
MAX_RELATED = 12
# An irregular form used as a word of its own at least this share as often as
# its base is not mapped ("data" is not read as "datum", "ground" not as "grind").
MAX_OWN_USE_SHARE = 0.25

# NLTK's reader insists on a ``lexnames`` file, which Debian leaves out as
# unused by WordNet's own tools. Its content is fixed for WordNet 3.0
# (lexnames(5WN)); the third field is the part of speech, 1-4 = n, v, a, r.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food "
    "noun.group noun.location noun.motive noun.object noun.person noun.phenomenon "
    "noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape "
    "noun.state noun.substance noun.time verb.body verb.change verb.cognition "
    "verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative "
    "verb.weather adj.ppl"
).split()
_LEXNAME_CATEGORIES = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


class _WordNet30Reader(WordNetCorpusReader):
    """NLTK's WordNet reader, minus its mapping onto NLTK's own WordNet copy.

    For any WordNet it opens, NLTK builds a map from the ``wordnet`` corpus in
    nltk_data for multilingual lookups; that would need NLTK data this build
    neither has nor uses.
    """

    def map_wn(self, version: str = "wordnet") -> None:
        return None


def open_wordnet(source: Path, staging: Path) -> WordNetCorpusReader:
    """Open the WordNet database in ``source`` through a copy in ``staging``.

    The copy is where the missing ``lexnames`` file can be added, and it lets
    the reader past NLTK's path guard, which only opens files below the
    directories listed in ``nltk.data.path``.
    """
    if not (source / "data.noun").is_file():
        raise SystemExit(f"{source}: no WordNet database here (try: apt-get install wordnet-base)")
    for name in WORDNET_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, staging / name)
    lexnames = staging / "lexnames"
    if not lexnames.exists():
        lexnames.write_text(
            "".join(
                f"{number:02d}\t{name}\t{_LEXNAME_CATEGORIES[name.split('.')[0]]}\n"
                for number, name in enumerate(LEXNAMES)
            )
        )
    nltk.data.path.append(str(staging))
    with warnings.catch_warnings():
        # Multilingual lookups are not wanted here; NLTK warns they are off.
        warnings.filterwarnings("ignore", message="The multilingual functions")
        wordnet = _WordNet30Reader(str(staging), None)
    if wordnet.get_version() != WORDNET_VERSION:
        raise SystemExit(f"{source}: not WordNet {WORDNET_VERSION} ({wordnet.get_version()})")
    return wordnet


def license_text(source: Path) -> str:
    """The WordNet licence as it heads every data file, without line numbers.

    Each header line is "  <n> <text>  "; the first line not starting with a
    space is the first synset.
    """
    lines = []
    with (source / "data.noun").open(encoding="utf-8") as data:
        for line in data:
            if not line.startswith(" "):
                break
            lines.append(re.sub(r"^\s*\d+ ?", "", line).rstrip())
    text = "\n".join(lines).strip() + "\n"
    if COPYRIGHT_LINE not in text:
        raise SystemExit(f"{source}/data.noun: no WordNet 3.0 licence header")
    return text


def _lemmas(wordnet: WordNetCorpusReader, word: str, pos: str) -> list[Lemma]:
    """The lemmas spelled exactly ``word`` in ``pos``, in WordNet's sense order.

    ``synsets`` also returns the senses of other forms ("troops" brings in
    "troop") and of capitalised names ("Call"), which are different words.
    """
    return [
        lemma
        for synset in dict.fromkeys(wordnet.synsets(word, pos))
        for lemma in synset.lemmas()
        if lemma.name() == word
    ]


def _tag_count(wordnet: WordNetCorpusReader, word: str, parts_of_speech: Iterable[str]) -> int:
    """How often ``word`` was sense-tagged in WordNet's corpus: a frequency proxy."""
    return sum(lemma.count() for pos in parts_of_speech for lemma in _lemmas(wordnet, word, pos))


class _Senses:
    """The common senses of each word, with how dominant each one is for it."""

    def __init__(self, wordnet: WordNetCorpusReader) -> None:
        self._wordnet = wordnet
        self._cache: dict[str, dict[Synset, float]] = {}

    def of(self, word: str) -> dict[Synset, float]:
        """Common senses of ``word`` mapped to their salience in (0, 1].

        The salience is the square root of the sense's share of the word's
        most frequent sense, so that the product of two saliences (see
        :func:`related_words`) is a geometric mean on the same scale.
        """
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = self._compute(word)
        return cached

    def _compute(self, word: str) -> dict[Synset, float]:
        ranked = [
            (rank, lemma.synset(), lemma.count())
            for pos in PARTS_OF_SPEECH
            for rank, lemma in enumerate(_lemmas(self._wordnet, word, pos)[:SENSES_PER_POS])
        ]
        top = max((count for _, _, count in ranked), default=0)
        if top == 0:
            return {synset: UNTAGGED_SALIENCE for rank, synset, _ in ranked if rank == 0}
        return {
            synset: math.sqrt(count / top)
            for _, synset, count in ranked
            if count / top >= MIN_SENSE_SHARE
        }


def related_words(wordnet: WordNetCorpusReader) -> dict[str, dict[str, float]]:
    """Each single word with its synonyms and derived forms, weighted.

    A synonym's weight is the salience of the shared sense for the word times
    its salience for the synonym: 1.0 when it is the first sense of both. A
    derivationally related form ("demand" n. <-> "demand" v., "agreement" ->
    "agree") counts the same way through the two lemmas' senses, discounted.
    """
    senses = _Senses(wordnet)
    related = {}
    for word in sorted(single_words(wordnet)):
        weights = _strongest(_relations(word, senses))
        if weights:
            related[word] = weights
    return related


def single_words(wordnet: WordNetCorpusReader) -> set[str]:
    """Every WordNet lemma that is one lower-case word."""
    return {
        name
        for pos in PARTS_OF_SPEECH
        for name in wordnet.all_lemma_names(pos)
        if SINGLE_WORD.fullmatch(name)
    }


def _relations(word: str, senses: _Senses) -> Iterable[tuple[str, float]]:
    for synset, salience in senses.of(word).items():
        for lemma in synset.lemmas():
            if lemma.name() != word:
                if SINGLE_WORD.fullmatch(lemma.name()):
                    yield lemma.name(), salience * senses.of(lemma.name()).get(synset, 0.0)
                continue
            for derived in lemma.derivationally_related_forms():
                # "demand" n. <-> "demand" v. is the same word to the analyzer.
                if derived.name() != word and SINGLE_WORD.fullmatch(derived.name()):
                    other_salience = senses.of(derived.name()).get(derived.synset(), 0.0)
                    yield derived.name(), DERIVATION_FACTOR * salience * other_salience


def _strongest(relations: Iterable[tuple[str, float]]) -> dict[str, float]:
    """The best weight per related word, above the floor, at most MAX_RELATED."""
    best: dict[str, float] = {}
    for other, weight in relations:
        if weight >= MIN_WEIGHT and weight > best.get(other, 0.0):
            best[other] = round(weight, 2)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:MAX_RELATED])


def irregular_base_forms(wordnet: WordNetCorpusReader) -> dict[str, str]:
    """Irregular single-word inflections mapped to their base form ("met" -> "meet").

    Where WordNet lists several bases ("installed": "instal", "install") the
    most used one wins, and a form seen under several parts of speech keeps
    the base that is used most.
    """
    known_words = single_words(wordnet)
    candidates: dict[str, tuple[int, str]] = {}
    for pos, file_name in EXCEPTION_FILES:
        with wordnet.open(file_name) as exceptions:
            for line in exceptions:
                form, *bases = line.split()
                bases = [base for base in bases if SINGLE_WORD.fullmatch(base) and base != form]
                if not SINGLE_WORD.fullmatch(form) or not bases:
                    continue
                counts = {base: _tag_count(wordnet, base, [pos]) for base in bases}
                base = max(bases, key=counts.__getitem__)
                if _is_ambiguous(wordnet, form, base, counts[base], known_words):
                    continue
                if counts[base] > candidates.get(form, (-1, ""))[0]:
                    candidates[form] = (counts[base], base)
    return {form: base for form, (_, base) in sorted(candidates.items())}


def _is_ambiguous(
    wordnet: WordNetCorpusReader, form: str, base: str, base_count: int, known_words: set[str]
) -> bool:
    """Whether mapping ``form`` to ``base`` would often be wrong.

    The analyzer does not know the part of speech, so "lives" (noun.exc:
    "life") is also the verb "live", and "data" (noun.exc: "datum") is a
    frequent word of its own. Such forms are left to the stemmer.
    """
    # A word of its own that neither it nor its base was ever tagged as
    # ("guilder" -> "guilde") is no safer to merge than a frequent one.
    own_use_is_common = (
        form in known_words
        and _tag_count(wordnet, form, PARTS_OF_SPEECH) >= MAX_OWN_USE_SHARE * base_count
    )
    return own_use_is_common or any(wordnet.morphy(form, pos) not in (None, form, base) for pos in PARTS_OF_SPEECH)


def write_lexicon(
    path: Path, notice: str, base_forms: Mapping[str, str], related: Mapping[str, Mapping[str, float]]
) -> None:
    """Write the lexicon file that :mod:`retrieval.lexicon` reads.

    Compressed with a zero timestamp so that rebuilding from the same WordNet
    gives the same bytes and no spurious diff.
    """
    lines = [
        FORMAT_HEADER,
        f"# Built by retrieval/lexicon_build.py from Princeton WordNet {WORDNET_VERSION}.",
        f"# wordnet-version: {WORDNET_VERSION}",
        f"# WordNet licence (also in {LICENSE_FILE_NAME}):",
        *(f"# {line}".rstrip() for line in notice.splitlines()),
        *(f"{BASE_FORM_RECORD}\t{form}\t{base}" for form, base in base_forms.items()),
        *(f"{RELATED_RECORD}\t{word}\t{encode_related(weights)}" for word, weights in related.items()),
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m retrieval.lexicon_build", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("wordnet_dir", nargs="?", type=Path, default=DEFAULT_WORDNET_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="output directory")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wordnet-") as staging:
        wordnet = open_wordnet(args.wordnet_dir, Path(staging))
        notice = license_text(args.wordnet_dir)
        base_forms = irregular_base_forms(wordnet)
        related = related_words(wordnet)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / LICENSE_FILE_NAME).write_text(notice, encoding="utf-8")
    data_path = args.out / DATA_FILE_NAME
    write_lexicon(data_path, notice, base_forms, related)
    pairs = sum(len(weights) for weights in related.values())
    print(
        f"{data_path}: {data_path.stat().st_size:,} bytes, {len(base_forms):,} irregular forms, "
        f"{len(related):,} words with {pairs:,} related words"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
