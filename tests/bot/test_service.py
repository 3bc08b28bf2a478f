"""Lede composed over a store: what was added is answerable in its chat, and a restart reads the saved index."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bot.service import Lede
from corpus.fetch import FetchPolicy
from corpus.store import Store
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer

LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5)
CHAT, OTHER_CHAT = 501, 502


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Lexicon.load())


def make_lede(analyzer: Analyzer, path: Path | str = ":memory:", interval: float = 60) -> Lede:
    lede = Lede.compose(SentenceIndex(analyzer), Store.open(path), fetch_policy=LOCAL_ONLY, feed_interval=interval)
    lede.load_store()
    return lede


def answer_text(lede: Lede, question: str, chat: int) -> str | None:
    outcome = lede.questions.ask(question, chat)
    return outcome.best.passage.text if outcome.best else None


def test_an_added_article_is_answered_in_its_chat_only(analyzer):
    lede = make_lede(analyzer)
    lede.sources.add_document("bridge.txt", b"The harbour bridge will cost 40 million euros.", CHAT)
    assert answer_text(lede, "what will the bridge cost?", CHAT).startswith("The harbour bridge will cost")
    assert answer_text(lede, "what will the bridge cost?", OTHER_CHAT) is None


def test_a_restart_reads_the_saved_index_and_indexes_only_what_was_stored_since(tmp_path, analyzer, monkeypatch):
    db = tmp_path / "lede.db"
    first = make_lede(analyzer, db)
    first.sources.add_document("bridge.txt", b"The harbour bridge will cost 40 million euros.", CHAT)
    first.close()
    assert not (tmp_path / "lede.db.index.npz").exists()  # nothing was indexed from the store at that start
    second = make_lede(analyzer, db)  # indexes the stored article and saves the snapshot
    second.close()
    assert (tmp_path / "lede.db.index.npz").exists()

    store = Store.open(db)
    third = Lede.compose(SentenceIndex(analyzer), store, fetch_policy=LOCAL_ONLY)
    third.sources.add_document("ferry.txt", b"The new ferry will sail every hour from May.", CHAT)
    analysed: list[str] = []
    original_terms = Analyzer.terms
    monkeypatch.setattr(Analyzer, "terms", lambda self, text: analysed.append(text) or original_terms(self, text))
    third = Lede.compose(SentenceIndex(analyzer), store, fetch_policy=LOCAL_ONLY)
    third.load_store()
    titles = {article.title for article in store.articles()}  # analysed at every start, for briefings
    # The bridge's sentences came from the snapshot.
    assert [text for text in analysed if text not in titles] == ["The new ferry will sail every hour from May."]
    assert answer_text(third, "what will the bridge cost?", CHAT).startswith("The harbour bridge will cost")
    assert answer_text(third, "when will the new ferry sail?", CHAT).startswith("The new ferry will sail")
    third.close()
