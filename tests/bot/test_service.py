"""Lede composed over a store: what was added is answerable in its chat, and a restart reads the saved index."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.service import Lede
from corpus.feed_poller import HostTurns
from corpus.fetch import FetchPolicy
from corpus.ingest import Failure
from corpus.store import Store
from corpus.telegram_posts import Chat, Post
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer
from tests.support.web_server import LocalWeb, Reply, Request, Route, big_feed

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


# How long a held request waits for what must happen meanwhile before the test gives up on it (it happens in
# milliseconds); a fetch waits longer, so the test, not Lede, ends the hold.
PATIENCE = 10.0
PATIENT = replace(LOCAL_ONLY, read_timeout=2 * PATIENCE, total_timeout=3 * PATIENCE)


class OneHost:
    """The local web server's routes, counting the most requests they were answering at once, and the paths that
    Lede fetched or asked its host's turn to fetch (:meth:`noticed`)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._answering = 0
        self.most_at_once = 0
        self.noticed_paths: set[str] = set()

    def noticed(self, url: str) -> None:
        with self._changed:
            self.noticed_paths.add(urlsplit(url).path)
            self._changed.notify_all()

    def counted(self, route: Route, *, held_until_noticed: frozenset[str] = frozenset(),
                reading: threading.Event | None = None) -> Route:
        """``route``, counted; held, when ``held_until_noticed`` names paths, until Lede noticed them all."""
        def answer(request: Request) -> Reply:
            with self._changed:  # counted before it is noticed: a held request ends only after that
                self._answering += 1
                self.most_at_once = max(self.most_at_once, self._answering)
            self.noticed(request.path)
            if reading is not None:
                reading.set()
            with self._changed:
                self._changed.wait_for(lambda: held_until_noticed <= self.noticed_paths, PATIENCE)
                self._answering -= 1
            return route(request)

        return answer


def test_a_host_is_sent_one_request_at_a_time_by_a_feed_poll_add_ingest_and_a_channel_post_s_link(analyzer, monkeypatch):
    host = OneHost()
    turn = HostTurns.turn

    @contextmanager
    def noted_turn(self: HostTurns, url: str) -> Iterator[None]:
        host.noticed(url)  # asked for, before it is given
        with turn(self, url):
            yield

    monkeypatch.setattr(HostTurns, "turn", noted_turn)
    with LocalWeb() as web:
        lede = Lede.compose(SentenceIndex(analyzer), Store.open(":memory:"), fetch_policy=PATIENT, feed_interval=60)
        web.serve_feed("/polled.xml", big_feed(web.base, 1), etag='"polled"')
        lede.sources.follow_feed(web.url("/polled.xml"), CHAT)
        # One page each for /add, a channel's post of a headline and a link, and --ingest, on the feed's host.
        added_page, linked_page, ingested_page = "/article.html", "/news/levy", "/news/ferry-strike"
        reading = threading.Event()
        web.routes["/polled.xml"] = host.counted(web.routes["/polled.xml"], reading=reading,
                                                 held_until_noticed=frozenset({added_page, linked_page, ingested_page}))
        for path in (added_page, linked_page, ingested_page):
            web.routes[path] = host.counted(web.routes[path])
        poll = threading.Thread(target=lede.poller.poll_due, args=(datetime.now(UTC) + timedelta(days=1),))
        poll.start()
        assert reading.wait(PATIENCE), "the poll read the feed"
        with ThreadPoolExecutor(3) as meanwhile:
            added = meanwhile.submit(lede.sources.add_url, web.url(added_page), CHAT)
            post = Post(Chat(-1001111111111, "Riverton Live", "riverton_live"), 50, datetime.now(UTC),
                        f"Riverton approves its harbour bridge {web.url(linked_page)}")
            received = meanwhile.submit(lede.posts.receive, post)
            ingested = meanwhile.submit(lede.sources.ingest, [web.url(ingested_page)])
            kept_page, kept_post, report = added.result(), received.result(), ingested.result()
        poll.join()
        lede.close()
    assert host.most_at_once == 1, "the host was sent a request while it answered another"
    assert not isinstance(kept_page, Failure) and kept_page.new
    assert kept_post is not None and "The bridge will cost 40 million euros" in kept_post.article.text
    assert (report.added, report.failed) == (1, [])
