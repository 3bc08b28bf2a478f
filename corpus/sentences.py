"""Split news text into sentences.

This is the one place in Lede where text becomes sentences, and answers are
quoted from its output, so every sentence is a verbatim slice of the input.

The splitter is NLTK's Punkt algorithm with parameters written here by hand
instead of loaded from the ``punkt`` data package: the bot must run offline
and must not depend on NLTK data being installed.  Punkt proposes boundaries
(span-based, so offsets always refer to the original text) and a few
post-processing rules then fix the cases Punkt's statistics cannot know about:
closing quotes followed by lower-case words, inline numbered lists and
ellipses.

Known limit: an abbreviation that ends a sentence is not split from a
following name ("at 6 P.M. Mr. Smith left"), since nothing short of parsing
tells that apart from "the U.S. Government".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from corpus.nltk_loading import nltk_module

if TYPE_CHECKING:
    # For annotations only: at run time NLTK is loaded through nltk_module().
    from nltk.tokenize import punkt

_PUNKT = nltk_module("tokenize.punkt")
_ORTHO_BEG_UC = _PUNKT._ORTHO_BEG_UC  # Punkt's orthographic-context flags have no public alias.
_ORTHO_MID_LC = _PUNKT._ORTHO_MID_LC
_ORTHO_MID_UC = _PUNKT._ORTHO_MID_UC
PunktParameters = _PUNKT.PunktParameters
PunktSentenceTokenizer = _PUNKT.PunktSentenceTokenizer

# Words that end in a period without ending the sentence.  Punkt lower-cases
# them and drops the final period before looking them up.  Single letters
# (initials) need no entry: Punkt treats them separately, see _tokenizer().
_ABBREVIATIONS = frozenset(
    # Titles and ranks.
    "mr mrs ms messrs dr prof sen sens rep reps gov gen lt col maj capt cmdr "
    "adm sgt cpl rev fr hon pres supt det jr sr st mt ft wm "
    # Months, as abbreviated in news style.
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    # Companies and institutions.
    "co cos corp inc ltd bros dept univ assn intl natl govt mfg "
    # US states as written in datelines ("Springfield, Mass."); the ones
    # that are also common words (Ill., Miss., Wash., Me.) are left out.
    "ala ariz ark calif colo conn fla ga kan ky md mass mich minn mont neb "
    "nev okla ore pa tenn tex va vt wis wyo "
    # References and Latin.  n° and nº are the numero sign ("N°. 5").
    "no nos n° nº p pp vol vols fig figs ed eds est approx vs etc "
    "e.g i.e".split()
)

# Dotted acronyms (U.S., U.K., J.D., a.m.) are an open class, so they are
# recognised by shape rather than listed.  Punkt sees them without the final
# period and lower-cased: "u.s", "j.d", "u.s.a".
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_GLUED_PREFIX = re.compile(r"^.*[^\w.°º]")

# Capitalised words that signal a new sentence after an abbreviation or an
# initial ("I live in the U.S. How about you?").  They open sentences but do
# not continue a noun phrase, so a capitalised word after "U.S." that is not
# listed here ("Government", "Defense", "President") continues the sentence.
_SENTENCE_STARTERS = frozenset(
    # Pronouns and determiners.
    "i you he she it we they this these those there here his her its our "
    "their my your a an the some many most all both each every no none "
    "another other such "
    # Sentence adverbs and question words.
    "however meanwhile moreover nevertheless nonetheless furthermore indeed "
    "how what why who".split()
)

# Words that open sentences but can also follow an abbreviation inside one:
# conjunctions, prepositions, auxiliaries ("the U.S. and Japan", "Smith & Co.
# in Europe", "the U.S. has").  Title case, and corpora such as Reuters-21578
# that capitalise every word after "U.S.", make them ambiguous there, so they
# break only after an initial: a name's initial is followed by a surname,
# never by "Did" ("you and I. Did you see ...?").  "May" and "Will" are left
# out because they are also names.
_AMBIGUOUS_STARTERS = frozenset(
    "and or but nor yet so then also still now today yesterday later earlier "
    "instead in on at by for from with without after before during since "
    "until under over into about against between through as if when while "
    "although though because unless where which that "
    "is are was were do does did can could would should might must has have "
    "had".split()
)

# A three-dot ellipsis marks an omission inside a sentence; only a fourth dot
# (the sentence's own period) ends one.  Matched forms: contiguous, the single
# character, and spaced (". . .") unless its first dot is glued to a word, as
# in "compounds. . . .", where that dot is the period and the ellipsis follows.
_ELLIPSIS = re.compile(r"\.{3}|…|(?<!\S)\.(?: \.){2}")

_LINE = re.compile(r"[^\r\n]+")

# Longer than any sentence of the news (Reuters' longest is 655 characters): a text without sentence punctuation
# (a transcript, a pasted table) would otherwise be one "sentence" that matches every question and is quoted whole.
MAX_SENTENCE_CHARS = 2000

# The label of an item in a list written inline: "1.", "2)", "3.)", "b.",
# "• 9.", "⁃10.".
_LIST_LABEL = re.compile(
    r"(?:(?<=\s)|^)"  # at a word start
    r"(?:[•‣◦▪⁃*-]\s*)?"  # an optional bullet
    r"(?P<label>\d{1,2}|[a-z])(?:\.\)|[.)])"
    r"(?=\s)"
)


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text``, in order, each a verbatim substring.

    Lines are split first: in the corpus a newline separates paragraphs,
    headlines and list entries, never the inside of a sentence.
    """
    sentences: list[str] = []
    for match in _LINE.finditer(text):
        line = match.group()
        starts = _sentence_starts(line)
        for start, end in zip(starts, starts[1:] + [len(line)]):
            sentence = line[start:end].strip()
            if sentence:
                sentences.extend(_pieces(sentence))
    return sentences


def _pieces(sentence: str) -> Iterator[str]:
    """``sentence`` in pieces of at most :data:`MAX_SENTENCE_CHARS`, each ending at a space where there is one."""
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS + 1)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        yield sentence[:cut].rstrip()
        sentence = sentence[cut:].lstrip()
    if sentence:
        yield sentence


def _sentence_starts(line: str) -> list[int]:
    """Offsets in ``line`` where sentences begin: Punkt's, then corrected.

    Punkt runs on a copy with ellipses blanked out, which has the same length
    so its offsets hold for ``line``.
    """
    shadow = _ELLIPSIS.sub(lambda m: "_" * len(m.group()), line)
    starts = [start for start, _ in _tokenizer().span_tokenize(shadow)]
    ends = starts[1:] + [len(line)]
    starts = [
        start
        for i, (start, end) in enumerate(zip(starts, ends))
        if i == 0 or not _is_false_break(line, start, end)
    ]
    return _split_inline_list(line, starts)


@functools.cache
def _tokenizer() -> punkt.PunktSentenceTokenizer:
    """Build Punkt from hand-written parameters, once per process.

    Punkt breaks after an abbreviation only on evidence that the next word
    starts a sentence: it is a known sentence starter, or it is seen
    capitalised at sentence starts and only lower-case elsewhere (the
    "orthographic context" a trained model learns from its corpus).  After
    an initial it breaks unless the next word looks like a name: capitalised
    and never seen in lower case.  The context here is stated rather than
    learned: starters are capitalised only sentence-initially, ambiguous
    starters are also capitalised mid-sentence, so only the former break
    after an abbreviation, but both break after an initial.
    """
    params = PunktParameters()
    params.abbrev_types = _AbbreviationTypes(_ABBREVIATIONS)
    params.sent_starters = set(_SENTENCE_STARTERS)
    for word in _SENTENCE_STARTERS:
        params.add_ortho_context(word, _ORTHO_BEG_UC | _ORTHO_MID_LC)
    for word in _AMBIGUOUS_STARTERS:
        params.add_ortho_context(word, _ORTHO_BEG_UC | _ORTHO_MID_LC | _ORTHO_MID_UC)
    return PunktSentenceTokenizer(params)


class _AbbreviationTypes(frozenset[str]):
    """The listed abbreviations plus any dotted acronym.

    Punkt only ever asks ``type in params.abbrev_types``, so answering by
    shape here covers acronyms no list could enumerate.  Punkt's types keep
    punctuation glued to the front of a word ("<j.p", "tampa/st"), so the
    last word-part is what is looked up.
    """

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        word = _GLUED_PREFIX.sub("", word)
        return super().__contains__(word) or bool(_DOTTED_ACRONYM.fullmatch(word))


def _is_false_break(line: str, start: int, end: int) -> bool:
    """Whether the sentence Punkt starts at ``line[start:end]`` must not start.

    Punkt decides on the period alone, so it breaks after '!' in "Yahoo! in",
    after the quote in "'This is great.' she said" and before punctuation
    left over from an ellipsis or a closing bracket.
    """
    if not line[start - 1].isspace():
        return True  # Glued to the previous text: inside a URL or token.
    first_alnum = next((c for c in line[start:end] if c.isalnum()), None)
    return first_alnum is None or first_alnum.islower()


def _split_inline_list(line: str, starts: list[int]) -> list[int]:
    """Start a sentence at each item of a numbered list written on one line.

    A list is recognised only when the line opens with an item label, and
    later labels only when they count on from it ("1." "2." / "a)" "b)"), so
    that numbers ending ordinary sentences ("rose 5. The") are left alone.
    Punkt breaks after a label's period ("1." | "The first item"), which is
    undone here.
    """
    labels = list(_list_labels(line))
    inside_label = {
        pos
        for label in labels
        for pos in range(label.start() + 1, _skip_spaces(line, label.end()) + 1)
    }
    kept = {start for start in starts if start not in inside_label}
    # The first label opens the line, which always starts a sentence.
    return sorted(kept | {label.start() for label in labels[1:]})


def _list_labels(line: str) -> Iterator[re.Match[str]]:
    """The labels of the list ``line`` opens with, in counting order."""
    expected: str | None = None
    for match in _LIST_LABEL.finditer(line):
        label = match["label"]
        if expected is None:
            if match.start() != _skip_spaces(line, 0):
                return
        elif label != expected:
            continue
        yield match
        expected = str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)


def _skip_spaces(line: str, pos: int) -> int:
    """The first offset at or after ``pos`` that is not whitespace."""
    while pos < len(line) and line[pos].isspace():
        pos += 1
    return pos
