"""Properties of the splitter that must hold for any text at all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.sentences import split_sentences

# Text built from the pieces that trip splitters: abbreviations, initials,
# numbers, quotes, brackets, ellipses, URLs, list labels, odd Unicode.
PIECES = st.sampled_from(
    [
        "U.S.", "J.D.", "Mr.", "Inc.", "Corp.", "No.", "e.g.", "a.m.", "3.5", "$100.00", "1.", "2)", "a.",
        "...", ". . .", "?!", "!!", "“", "”", '"', "'", "(", ")", "[", "]", "•", "⁃", "https://x.y/a.b",
        "jane.doe@example.com", "Vance", "met", "the", "He", "said", "It", "\n", "\n\n", "  ", "😀", "e\u0301",
        "\u200b", "\u202e", "<b>", "&amp;", "&", "<",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=60).map(" ".join),
)


def _visible(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_sentences_are_verbatim_in_order_and_cover_every_character(text):
    sentences = split_sentences(text)
    cursor = 0
    for sentence in sentences:
        assert sentence and sentence == sentence.strip()
        found = text.find(sentence, cursor)
        assert found >= 0, f"{sentence!r} is not a slice of the text after position {cursor}"
        cursor = found + len(sentence)
    assert _visible("".join(sentences)) == _visible(text)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_no_sentence_spans_a_line_break(text):
    assert all("\n" not in sentence and "\r" not in sentence for sentence in split_sentences(text))
