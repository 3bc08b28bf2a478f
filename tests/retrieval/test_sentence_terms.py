"""Sentences' terms in compact form give back each sentence's terms, with each distinct term once."""

from __future__ import annotations

from retrieval.sentence_terms import SentenceTerms, analyse
from retrieval.text import Analyzer


def test_each_sentence_reads_back_its_terms_in_order_and_each_term_is_kept_once():
    lists = [["wheat", "price", "wheat"], [], ["price", "rain"]]
    terms = SentenceTerms.of(lists)
    assert [terms.sentence(number) for number in range(len(terms))] == lists
    assert terms.terms == ["wheat", "price", "rain"], "in order of first occurrence"


def test_analysed_sentences_have_the_analyzers_terms():
    analyzer = Analyzer()
    sentences = ["Wheat prices rose.", "Rain fell on the wheat fields."]
    analysed = analyse(analyzer, sentences)
    assert [analysed.sentence(number) for number in range(len(analysed))] == [analyzer.terms(s) for s in sentences]
