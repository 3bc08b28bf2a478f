"""The ranker never raises, and whatever it answers is a sentence of the corpus, verbatim."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.article import Article
from retrieval.answer import answer_question
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer

LEXICON = Lexicon.load()
WORDS = st.sampled_from(
    "oil prices rose fell bank rates Vance met Zelensky U.S. troops said demand needs the a of in . ? ! , "
    "G-7 90-minute 3.5 $100 <b> & 😀 é".split()
)
SENTENCES = st.one_of(st.lists(WORDS, min_size=1, max_size=25).map(" ".join), st.text(min_size=1, max_size=120))
PARAGRAPHS = st.lists(SENTENCES, min_size=1, max_size=5).map(" ".join).filter(str.strip)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    articles=st.lists(st.lists(PARAGRAPHS, min_size=1, max_size=3), min_size=0, max_size=4),
    question=st.one_of(st.lists(WORDS, max_size=12).map(" ".join), st.text(max_size=200)),
)
def test_answers_are_verbatim_corpus_sentences_and_nothing_raises(articles, question):
    index = SentenceIndex(Analyzer(LEXICON))
    index.add(Article(str(number), f"t{number}", tuple(paragraphs)) for number, paragraphs in enumerate(articles))
    corpus_sentences = {passage.text for passage in index.passages}
    answer = answer_question(index, question)
    assert 0.0 <= answer.confidence <= 1.0
    for candidate in (answer.best, *answer.alternatives) if answer.best else ():
        assert candidate.passage.text in corpus_sentences
        assert any(candidate.passage.text in paragraph for paragraph in candidate.passage.article.paragraphs)
