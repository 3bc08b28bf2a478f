"""The shipped WordNet lexicon relates question words to answer words, and is optional."""

from __future__ import annotations

import gzip
import logging

import pytest

from retrieval.lexicon import FORMAT_HEADER, Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def test_demand_relates_to_need_and_require(lexicon):
    related = lexicon.related("demand")
    assert "need" in related
    assert "require" in related


@pytest.mark.parametrize(
    ("word", "expected"),
    [("say", "tell"), ("allow", "permit"), ("allow", "let"), ("call", "telephone"), ("meet", "encounter")],
)
def test_common_synonyms_are_related(lexicon, word, expected):
    assert expected in lexicon.related(word)


@pytest.mark.parametrize(
    ("form", "base"),
    [("met", "meet"), ("said", "say"), ("told", "tell"), ("went", "go"), ("children", "child")],
)
def test_irregular_forms_have_their_base_form(lexicon, form, base):
    assert lexicon.base_form(form) == base


def test_base_form_ignores_case(lexicon):
    assert lexicon.base_form("Said") == "say"


def test_forms_with_a_frequent_meaning_of_their_own_are_not_mapped(lexicon):
    # "data" is not read as "datum", nor the verb "lives" as the noun "life".
    assert lexicon.base_form("data") == "data"
    assert lexicon.base_form("lives") == "lives"


def test_an_inflected_form_is_related_through_its_base(lexicon):
    assert lexicon.related("met") == lexicon.related("meet")


def test_unknown_word_is_its_own_base_and_has_no_relations(lexicon):
    assert lexicon.base_form("zzxqv") == "zzxqv"
    assert lexicon.related("zzxqv") == {}


def test_a_word_is_not_related_to_itself(lexicon):
    # WordNet links "demand" the noun to "demand" the verb; that is no news.
    assert "demand" not in lexicon.related("demand")


def test_weights_are_in_zero_one_and_heaviest_first(lexicon):
    for word in ("demand", "say", "meet", "allow", "send", "call", "troops"):
        weights = list(lexicon.related(word).values())
        assert weights, word
        assert all(0 < weight <= 1 for weight in weights), word
        assert weights == sorted(weights, reverse=True), word


def test_only_single_lowercase_words_are_related(lexicon):
    assert all(other.isalpha() and other.islower() for other in lexicon.related("call"))


def test_load_is_cached_per_process():
    assert Lexicon.load() is Lexicon.load()


def test_missing_file_gives_an_empty_lexicon_and_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="retrieval.lexicon"):
        lexicon = Lexicon.load(tmp_path / "absent.tsv.gz")
    assert lexicon.base_form("met") == "met"
    assert lexicon.related("demand") == {}
    assert "absent.tsv.gz" in caplog.text


@pytest.mark.parametrize(
    "content",
    [
        b"not gzip at all",
        gzip.compress(b"some other file\n"),
        gzip.compress(f"{FORMAT_HEADER}\nr\tdemand\n".encode()),
        gzip.compress(b"\xff\xfe"),
        gzip.compress(f"{FORMAT_HEADER}\n".encode())[:-6],
    ],
    ids=["not-gzip", "wrong-header", "short-record", "not-utf8", "truncated"],
)
def test_unreadable_file_gives_an_empty_lexicon_and_a_warning(tmp_path, caplog, content):
    path = tmp_path / "lexicon.tsv.gz"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="retrieval.lexicon"):
        lexicon = Lexicon.load(path)
    assert lexicon.related("demand") == {}
    assert "unavailable" in caplog.text


def test_a_file_in_the_shipped_format_is_read(tmp_path):
    path = tmp_path / "lexicon.tsv.gz"
    path.write_bytes(
        gzip.compress(f"{FORMAT_HEADER}\n# a comment\nb\tmet\tmeet\nr\tmeet\tencounter:1 see:0.5\n".encode())
    )
    lexicon = Lexicon.load(path)
    assert lexicon.base_form("met") == "meet"
    assert lexicon.related("met") == {"encounter": 1.0, "see": 0.5}


def test_empty_lexicon_knows_no_word():
    lexicon = Lexicon.empty()
    assert lexicon.base_form("met") == "met"
    assert lexicon.related("demand") == {}
