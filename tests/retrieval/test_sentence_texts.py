"""Compressed sentence texts read back exactly, before and after a save, whatever they contain."""

from __future__ import annotations

import random

import pytest

from retrieval.sentence_texts import DICTIONARY_BYTES, SentenceTexts

WORDS = "the bank raised rates oil prices rose Zürich café 😀 wheat crop traders sold futures 1.5 % -".split()


def _sentences(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 30))) + "." for _ in range(count)]


@pytest.mark.parametrize("count", [0, 1, 50, 3000])  # none, all in the dictionary, around it, mostly compressed
def test_texts_read_back_exactly(count):
    sentences = _sentences(count)
    texts = SentenceTexts()
    for sentence in sentences:
        texts.append(sentence)
    assert len(texts) == count
    assert [texts[number] for number in range(count)] == sentences
    restored = SentenceTexts.restore(texts.export())
    assert [restored[number] for number in range(count)] == sentences


def test_texts_beyond_the_dictionary_take_about_half_the_space():
    sentences = _sentences(20_000)
    texts = SentenceTexts()
    for sentence in sentences:
        texts.append(sentence)
    stored = texts.export()["text"].size - DICTIONARY_BYTES
    assert stored < 0.6 * (sum(len(s.encode("utf-8")) for s in sentences) - DICTIONARY_BYTES)


def test_a_restored_store_keeps_compressing_with_the_same_dictionary():
    first, later = _sentences(3000, seed=1), _sentences(200, seed=2)
    texts = SentenceTexts()
    for sentence in first:
        texts.append(sentence)
    restored = SentenceTexts.restore(texts.export())
    for sentence in later:
        texts.append(sentence)
        restored.append(sentence)
    assert restored.export()["text"].tobytes() == texts.export()["text"].tobytes()
    assert restored[len(first) + 5] == later[5]


def test_texts_read_again_are_the_same_once_the_recent_ones_are_forgotten(monkeypatch):
    monkeypatch.setattr("retrieval.sentence_texts.RECENT_TEXTS", 7)
    sentences = _sentences(3000)
    texts = SentenceTexts()
    for sentence in sentences:
        texts.append(sentence)
    order = random.Random(4).choices(range(len(sentences)), k=500)
    assert [texts[number] for number in order] == [sentences[number] for number in order]


def test_empty_and_unusual_sentences_survive():
    texts = SentenceTexts()
    odd = ["", "\x00", "é" * 40_000, "", "a\nb\tc", "😀" * 3]
    for sentence in odd:
        texts.append(sentence)
    assert [texts[number] for number in range(len(odd))] == odd
