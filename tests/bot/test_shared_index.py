"""The shared index: its lock (readers share it, a writer has it alone, a waiting writer is not starved) and a briefing's reads."""

from __future__ import annotations

import errno
import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.service import Lede
from bot.shared_index import ReadWriteLock, SharedIndex, new_index
from corpus.article import Article
from corpus.library import Library
from corpus.store import EVERYONE, Store
from retrieval.story_terms import LEAD_SENTENCES, TITLE_WEIGHT, analysed_story_terms
from retrieval.text import Analyzer

WAIT = 10.0


def run(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_readers_hold_the_lock_at_the_same_time():
    lock = ReadWriteLock()
    inside = [threading.Event(), threading.Event()]

    def reader(mine: int) -> None:
        with lock.reading():
            inside[mine].set()
            assert inside[1 - mine].wait(WAIT), "the other reader never got in while this one was reading"

    threads = [run(lambda: reader(0)), run(lambda: reader(1))]
    for thread in threads:
        thread.join(WAIT)
    assert all(event.is_set() for event in inside) and not any(thread.is_alive() for thread in threads)


def test_a_writer_waits_for_the_reader_and_goes_before_readers_that_come_after_it():
    lock = ReadWriteLock()
    order: list[str] = []
    release_first = threading.Event()

    def first_reader() -> None:
        with lock.reading():
            order.append("first reader")
            release_first.wait(WAIT)

    def writer() -> None:
        with lock.writing():
            order.append("writer")

    def later_reader() -> None:
        with lock.reading():
            order.append("later reader")

    threads = [run(first_reader)]
    while order != ["first reader"]:
        threading.Event().wait(0.001)
    threads.append(run(writer))
    while not lock._writers_waiting:  # the writer is queued behind the first reader
        threading.Event().wait(0.001)
    threads.append(run(later_reader))
    release_first.set()
    for thread in threads:
        thread.join(WAIT)
    assert order == ["first reader", "writer", "later reader"]


def test_a_long_write_lets_the_waiting_readers_in_when_it_pauses_and_then_goes_on():
    lock = ReadWriteLock()
    order: list[str] = []
    writing = threading.Event()

    def writer() -> None:
        with lock.writing():
            order.append("writing")
            writing.set()
            while not lock._readers_waiting:  # the reader is queued behind the write
                threading.Event().wait(0.001)
            lock.pause_writing()
            order.append("writing again")

    def reader() -> None:
        with lock.reading():
            order.append("reader")

    threads = [run(writer)]
    assert writing.wait(WAIT)
    threads.append(run(reader))
    for thread in threads:
        thread.join(WAIT)
    assert order == ["writing", "reader", "writing again"]


def test_a_briefings_news_has_the_articles_sentences_and_its_story_terms_are_those_of_analysing_the_text(monkeypatch):
    paragraphs = (
        "The harbour authority closed the northern pier on Monday. Ferries were sent to the southern quay.",
        "Engineers found cracks in two pylons. Repairs will take a month. The mayor promised a new timetable.",
    )
    shared = SharedIndex(new_index())
    shared.add_everywhere([
        Article("pier", "Northern pier closed by zyxwvut", paragraphs, published=datetime(2026, 11, 30, 8, tzinfo=UTC)),
        Article("quay", "Ferries move to the southern quay", ("The southern quay takes the ferries from today.",),
                published=datetime(2026, 11, 30, 9, tzinfo=UTC)),
        Article("old", "An older story", ("It happened long before the briefing's period began.",),
                published=datetime(2026, 11, 1, 8, tzinfo=UTC)),
    ])
    items = list(shared.news_since(datetime(2026, 11, 30, tzinfo=UTC), EVERYONE))
    assert [item.article.article_id for item in items] == ["pier", "quay"]
    sentences = [passage.text for passage in shared.article_sentences("pier")]
    assert list(items[0].sentences) == sentences and len(sentences) == 5
    assert items[0].sentences[1:3] == sentences[1:3]

    with monkeypatch.context() as patched:  # titles were analysed as their articles joined the index
        patched.setattr(Analyzer, "terms", lambda self, text: pytest.fail(f"a briefing analysed {text!r}"))
        indexed = shared.story_terms(items)
    analysed = analysed_story_terms([item.article.title for item in items],
                                    [" ".join(item.sentences[:LEAD_SENTENCES]) for item in items],
                                    shared.analyzer, shared.specificity)
    assert indexed.vocabulary == analysed.vocabulary and "zyxwvut" in indexed.vocabulary  # a title word no sentence has
    assert sorted(zip(indexed.owner.tolist(), indexed.term.tolist())) == sorted(zip(analysed.owner.tolist(), analysed.term.tolist()))
    assert indexed.specificity.tolist() == analysed.specificity.tolist()
    assert sorted(indexed.documents(2)[0]) == sorted(shared.analyzer.terms(items[0].article.title) * TITLE_WEIGHT + [
        term for sentence in sentences[:LEAD_SENTENCES] for term in shared.analyzer.terms(sentence)])


def test_questions_with_misspelt_words_find_the_spelling_structures_built_by_the_writer(monkeypatch):
    import retrieval.spelling

    shared = SharedIndex(new_index())
    shared.add_everywhere([Article("ferry", "Ferry", ("The harbour ferry departs at noon.",))])
    shared.shelve(Article("port", "Port", ("Container volumes at the terminal doubled.",)),
                  ["Container volumes at the terminal doubled."], chat=EVERYONE, feed=None)
    built: list[int] = []
    monkeypatch.setattr(retrieval.spelling, "_run", lambda *args: built.append(1))
    for question in ("When does the harbuor ferry leave?", "Did terminnal volumes double?", "Is the ferry late?"):
        shared.answer(question, EVERYONE)
    best = shared.answer("Did terminnal volumes double?", EVERYONE).best
    assert best is not None and "terminal" in best.passage.text
    assert built == [], "a question built part of a spelling index: it waited for work a writer should have done"


def test_an_index_not_prepared_ahead_answers_misspelt_questions_and_briefs_all_the_same():
    # --ask answers one question: it does not build at start what only later questions and briefings use.
    shared = SharedIndex(new_index(), prepare_ahead=False)
    shared.add_everywhere([
        Article("pier", "Northern pier closed", ("The harbour authority closed the northern pier on Monday.",),
                published=datetime(2026, 11, 30, 8, tzinfo=UTC)),
    ])
    best = shared.answer("Which pier did the harbuor authority close?", EVERYONE).best
    assert best is not None and best.passage.article.article_id == "pier"
    items = list(shared.news_since(datetime(2026, 11, 30, tzinfo=UTC), EVERYONE))
    assert sorted(shared.story_terms(items).documents(1)[0]) == sorted(
        shared.analyzer.terms("Northern pier closed") * TITLE_WEIGHT
        + shared.analyzer.terms("The harbour authority closed the northern pier on Monday."))


def test_articles_loaded_at_start_are_counted_once_and_stored_ones_never():
    # /sources lists the store's articles; those loaded for the run only (the seed, --corpus) it can only count.
    shared = SharedIndex(new_index())
    stored = Article("port", "Port", ("Container volumes at the terminal doubled.",))
    shared.shelve(stored, list(stored.paragraphs), chat=EVERYONE, feed=None)
    ferry = Article("ferry", "Ferry", ("The harbour ferry departs at noon.",))
    shared.add_everywhere([stored, ferry])
    shared.add_everywhere([ferry])
    assert shared.loaded_at_start == 1


def test_an_index_that_cannot_be_saved_beside_the_store_is_a_warning_and_the_articles_answer(tmp_path, monkeypatch, caplog):
    # A full disk after --ingest stored everything: the saved index is only a cache of the store.
    store = Store.open(tmp_path / "lede.db")
    Library(store, None).keep(Article("ferry", "Ferry", ("The harbour ferry now departs at noon.",)))

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("bot.shared_index.save_snapshot", disk_full)
    shared = SharedIndex(new_index())
    assert shared.load(store) == 1
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING and "No space left on device" in warning.getMessage()
    assert shared.answer("When does the harbour ferry depart?", EVERYONE).best.passage.text.startswith("The harbour ferry")
    store.close()


HARBOUR = Article("harbour", "Harbour Bridge Opens", ("The new harbour bridge is 640 metres long.",), publisher="Gazette")
FERRY = Article("ferry", "Ferry Fares Rise", ("Ferry fares rise by a tenth from Monday.",), publisher="Gazette")


def test_what_another_process_stores_or_removes_joins_or_leaves_a_running_index_at_its_next_look(tmp_path):
    running = Lede.compose(new_index(), Store.open(tmp_path / "lede.db"))
    running.load_store()
    beside = Lede.compose(None, Store.open(tmp_path / "lede.db"))  # lede --ingest, lede --prune

    beside.sources.library.keep(HARBOUR, chat=EVERYONE)
    assert running.questions.ask("how long is the harbour bridge?").best is None, "not looked at the store yet"
    running.follow_store()
    assert running.questions.ask("how long is the harbour bridge?").best.passage.text == HARBOUR.paragraphs[0]

    running.sources.library.keep(FERRY, chat=EVERYONE)  # kept and indexed by the running one itself
    sentences = len(running.index)
    assert running.index.catch_up(running.store) == (0, 0, 0)
    assert len(running.index) == sentences

    beside.store.remove_articles(["harbour"])
    running.follow_store()
    assert running.questions.ask("how long is the harbour bridge?").best is None
    rebuilt = SharedIndex(new_index())
    rebuilt.load(running.store)
    question = "how much do ferry fares rise?"
    live, fresh = running.index.answer(question, EVERYONE), rebuilt.answer(question, EVERYONE)
    assert live.best.passage.text == fresh.best.passage.text == FERRY.paragraphs[0]
    assert live.best.score == pytest.approx(fresh.best.score, abs=1e-9) and live.confidence == fresh.confidence
    running.close()
    beside.close()


def test_the_bundled_articles_are_not_taken_for_articles_another_process_removed(tmp_path):
    running = Lede.compose(new_index(), Store.open(tmp_path / "lede.db"))
    running.load_store()
    running.add_articles([HARBOUR])  # --corpus or the bundled seed: this run's, never stored
    beside = Lede.compose(None, Store.open(tmp_path / "lede.db"))
    beside.sources.library.keep(FERRY, chat=EVERYONE)
    beside.store.remove_articles(["ferry"])
    running.follow_store()
    assert running.questions.ask("how long is the harbour bridge?").best.passage.text == HARBOUR.paragraphs[0]
    running.close()
    beside.close()


def test_an_article_stored_in_the_row_of_one_removed_since_the_last_look_is_indexed_all_the_same(tmp_path):
    running = Lede.compose(new_index(), Store.open(tmp_path / "lede.db"))
    running.load_store()
    beside = Lede.compose(None, Store.open(tmp_path / "lede.db"))
    beside.sources.library.keep(HARBOUR, chat=EVERYONE)
    running.follow_store()
    beside.store.remove_articles(["harbour"])
    beside.sources.library.keep(FERRY, chat=EVERYONE)  # SQLite gives it the newest row again: the harbour's
    running.follow_store()
    assert running.questions.ask("how long is the harbour bridge?").best is None
    assert running.questions.ask("how much do ferry fares rise?").best.passage.text == FERRY.paragraphs[0]
    running.close()
    beside.close()


def test_an_article_another_process_replaced_is_answered_in_its_new_version_at_the_next_look(tmp_path):
    running = Lede.compose(new_index(), Store.open(tmp_path / "lede.db"))
    running.load_store()
    beside = Lede.compose(None, Store.open(tmp_path / "lede.db"))  # a feed poll or an edited post in another run
    beside.sources.library.keep(HARBOUR, chat=EVERYONE)
    beside.sources.library.keep(FERRY, chat=EVERYONE)
    running.follow_store()
    bridge = replace(HARBOUR, paragraphs=("The new harbour bridge is 460 metres long.",))
    fares = replace(FERRY, paragraphs=("Ferry fares rise by a fifth from Monday.",))  # the newest row, taken again
    beside.sources.library.revise(bridge, chat=EVERYONE)
    beside.sources.library.revise(fares, chat=EVERYONE)
    running.follow_store()
    assert running.questions.ask("how long is the harbour bridge?").best.passage.text == bridge.paragraphs[0]
    assert running.questions.ask("how much do ferry fares rise?").best.passage.text == fares.paragraphs[0]
    running.sources.library.revise(HARBOUR, chat=EVERYONE)  # replaced and indexed by the running one itself
    indexed = len(running.index.passages)
    assert running.index.catch_up(running.store) == (0, 0, 0)
    assert len(running.index.passages) == indexed, "not indexed again"
    running.close()
    beside.close()


def test_the_followers_of_a_feed_that_moved_to_another_s_address_see_both_feeds_articles():
    shared = SharedIndex(new_index())
    moved, there, reader, other_reader = 1, 2, 501, 502
    shared.shelve(HARBOUR, list(HARBOUR.paragraphs), chat=EVERYONE, feed=moved)
    shared.shelve(FERRY, list(FERRY.paragraphs), chat=EVERYONE, feed=there)
    shared.follow(reader, moved)
    shared.follow(other_reader, there)
    shared.merge_feeds(moved, there)
    assert all(shared.sees(chat, article.article_id) for chat in (reader, other_reader) for article in (HARBOUR, FERRY))
    shared.unfollow(reader, there)  # /feed remove of the one feed it follows now
    assert not shared.sees(reader, HARBOUR.article_id) and not shared.sees(reader, FERRY.article_id)
