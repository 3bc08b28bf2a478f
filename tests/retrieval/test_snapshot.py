"""A saved index reads back identical, and is refused whenever it would not match."""

from __future__ import annotations

import pytest

from corpus.article import Article
from retrieval.index import SentenceIndex
from retrieval.snapshot import load_snapshot, save_snapshot
from retrieval.text import Analyzer

ARTICLES = [
    Article("a", "Rates", ("The central bank raised interest rates. Inflation stayed high in March.",)),
    Article("b", "Oil", ("Oil prices rose as the central bank met. Traders sold oil futures.",)),
    Article("empty", "Nothing", ()),
    Article("c", "Crops", ("Farmers expect a large wheat crop. Rain helped the wheat. Zürich café prices rose 😀.",)),
]


@pytest.fixture
def saved(tmp_path):
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    path = tmp_path / "lede.db.index.npz"
    save_snapshot(index, path)
    return index, path


def test_a_restored_index_scores_and_quotes_exactly_like_the_original(saved):
    original, path = saved
    restored = load_snapshot(path, Analyzer(), ARTICLES)
    assert restored is not None
    assert [p.text for p in restored.passages] == [p.text for p in original.passages]
    assert [p.article.article_id for p in restored.passages] == [p.article.article_id for p in original.passages]
    for weights in ({"bank": 1.0}, {"wheat": 1.0, "price": 0.5}, {"caf": 1.0, "zürich": 1.0}):
        assert restored.top(weights, 10) == original.top(weights, 10)
    assert restored.idf("bank") == original.idf("bank")
    assert [p.text for p in restored.article_sentences("c")] == [p.text for p in original.article_sentences("c")]
    assert restored.article_count == 4


def test_a_restored_index_keeps_growing(saved):
    _, path = saved
    restored = load_snapshot(path, Analyzer(), ARTICLES)
    assert restored.add([Article("d", "Gold", ("Gold prices rose on Monday.",))]) == 1
    assert restored.passages[restored.top({"gold": 1.0}, 1)[0][0]].text == "Gold prices rose on Monday."


def test_the_snapshot_is_used_for_a_prefix_of_the_articles(saved):
    _, path = saved
    restored = load_snapshot(path, Analyzer(), [*ARTICLES, Article("later", "Later", ())])
    assert restored is not None and restored.article_count == 4


def test_a_snapshot_of_other_articles_is_refused(saved):
    _, path = saved
    assert load_snapshot(path, Analyzer(), ARTICLES[1:]) is None
    assert load_snapshot(path, Analyzer(), ARTICLES[:2]) is None


def test_a_snapshot_built_by_another_analysis_is_refused(saved):
    _, path = saved

    class OtherLexicon:
        fingerprint = "other"

        def base_form(self, word):
            return word

        def related(self, word):
            return {}

    assert load_snapshot(path, Analyzer(OtherLexicon()), ARTICLES) is None


def test_a_snapshot_of_another_layout_is_refused(saved, monkeypatch):
    """An older snapshot's arrays mean something else: it is rebuilt, not read."""
    original, path = saved
    monkeypatch.setattr("retrieval.snapshot.FORMAT", 3)
    save_snapshot(original, path)
    monkeypatch.undo()
    assert load_snapshot(path, Analyzer(), ARTICLES) is None


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_a_damaged_snapshot_is_ignored_not_fatal(tmp_path, content):
    path = tmp_path / "lede.db.index.npz"
    path.write_bytes(content)
    assert load_snapshot(path, Analyzer(), ARTICLES) is None


def test_a_missing_snapshot_is_simply_absent(tmp_path):
    assert load_snapshot(tmp_path / "none.npz", Analyzer(), ARTICLES) is None


def test_a_write_killed_midway_leaves_the_previous_snapshot_in_use(saved, monkeypatch):
    """A process killed while saving leaves a torn temporary file and never touches the snapshot itself."""
    original, path = saved
    grown = SentenceIndex(Analyzer())
    grown.add([*ARTICLES, Article("d", "Ships", ("A new ferry sails in May.",))])

    def killed(*args, **kwargs):
        path.with_name(path.name + ".tmp").write_bytes(b"PK\x03\x04half a zip")
        raise KeyboardInterrupt  # stands in for the kill: nothing after this line runs

    monkeypatch.setattr("retrieval.snapshot.np.savez", killed)
    with pytest.raises(KeyboardInterrupt):
        save_snapshot(grown, path)
    monkeypatch.undo()
    restored = load_snapshot(path, Analyzer(), [*ARTICLES, Article("d", "Ships", ("A new ferry sails in May.",))])
    assert restored is not None and restored.article_count == original.article_count, "the old snapshot, whole"
    save_snapshot(grown, path)  # the next save simply overwrites the torn temporary file
    assert load_snapshot(path, Analyzer(), [*ARTICLES, Article("d", "Ships", ("A new ferry sails in May.",))]) is not None


def test_a_restored_index_brings_the_words_it_analysed_so_they_are_not_stemmed_again(saved, monkeypatch):
    original, path = saved
    analyzer = Analyzer()
    load_snapshot(path, analyzer, ARTICLES)
    assert analyzer.known_terms() == original.analyzer.known_terms() != {}
    stemmed: list[str] = []
    monkeypatch.setattr("retrieval.text._stem", lambda word: stemmed.append(word) or word)
    assert analyzer.terms("Farmers sold wheat futures in Zürich") == original.analyzer.terms(
        "Farmers sold wheat futures in Zürich")
    assert stemmed == [], "every word of the title was met while indexing"
