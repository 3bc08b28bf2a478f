"""Channel posts and forwards through Lede's use case: kept, replaced on edit, seen by the right chats only."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path

from bot.service import Lede
from corpus.fetch import FetchPolicy
from corpus.ingest import Failure
from corpus.store import Store
from corpus.telegram_posts import Chat, Forward, Post, channel_origin, user_origin
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer

LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5)
PUBLIC = Chat(-1001111111111, "Riverton Live", "riverton_live")
PRIVATE = Chat(-1002222222222, "Council Insiders")
ADMIN, DISCUSSION, STRANGER = 4001, -1003333333333, 4002
DATE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BRIDGE = "Harbour bridge approved\nThe Riverton council voted 7 to 2 on Tuesday to build a new bridge across the harbour."


def make_lede(analyzer: Analyzer, path: Path | str = ":memory:") -> Lede:
    lede = Lede.compose(SentenceIndex(analyzer), Store.open(path), fetch_policy=LOCAL_ONLY)
    lede.load_store()
    return lede


def answer(lede: Lede, question: str, chat: int) -> tuple[str, str | None] | None:
    """The sentence quoted and its article's link, or None."""
    best = lede.questions.ask(question, chat).best
    return (best.passage.text, best.passage.article.url) if best else None


def test_a_public_channels_post_answers_every_chat_and_links_the_post(analyzer):
    lede = make_lede(analyzer)
    kept = lede.posts.receive(Post(PUBLIC, 42, DATE, BRIDGE))
    assert kept is not None and kept.new and kept.article.publisher == "Riverton Live"
    assert answer(lede, "how did the council vote on the bridge?", STRANGER) == (
        "The Riverton council voted 7 to 2 on Tuesday to build a new bridge across the harbour.",
        "https://t.me/riverton_live/42")


def test_an_edit_replaces_the_post_in_answers_and_after_a_restart(analyzer, tmp_path):
    make_lede(analyzer, tmp_path / "lede.db").posts.receive(Post(PUBLIC, 42, DATE, BRIDGE))
    lede = make_lede(analyzer, tmp_path / "lede.db")  # its start saved the index, the old version in it
    assert answer(lede, "how did the council vote on the bridge?", STRANGER)[0].startswith("The Riverton council voted 7 to 2")
    edited = BRIDGE.replace("7 to 2", "8 to 1")
    lede.posts.receive(Post(PUBLIC, 42, DATE, edited), edited=True)
    for current in (lede, make_lede(analyzer, tmp_path / "lede.db")):
        assert answer(current, "how did the council vote on the bridge?", STRANGER)[0].startswith(
            "The Riverton council voted 8 to 1")
        assert current.index is not None and len(current.index) == 2
    assert lede.store.article_count() == 1


def test_a_private_channels_posts_reach_only_its_audience(analyzer, tmp_path):
    lede = make_lede(analyzer, tmp_path / "lede.db")
    lede.posts.set_audience(PRIVATE.chat_id, frozenset({ADMIN, DISCUSSION}))
    lede.posts.receive(Post(PRIVATE, 5, DATE, "Budget talks resume on Monday after the mayor and the unions agreed terms."))
    question = "when do budget talks resume?"
    restarted = make_lede(analyzer, tmp_path / "lede.db")
    for current in (lede, restarted):
        assert answer(current, question, ADMIN)[1] == "https://t.me/c/2222222222/5"
        assert answer(current, question, DISCUSSION) is not None
        assert answer(current, question, STRANGER) is None
    lede.posts.set_audience(PRIVATE.chat_id, frozenset({DISCUSSION}))  # the admin stepped down
    assert answer(lede, question, ADMIN) is None


def test_an_albums_captions_make_one_article(analyzer):
    lede = make_lede(analyzer)
    assert lede.posts.receive(Post(PUBLIC, 10, DATE, "", album="g1")) is None  # a photo without a caption
    lede.posts.receive(Post(PUBLIC, 12, DATE, "Ferry crews on the northern routes returned to work on Thursday.", album="g1"))
    lede.posts.receive(Post(PUBLIC, 11, DATE, "The nine-day ferry strike over pay ended with a new agreement.", album="g1"))
    assert lede.store.article_count() == 1
    [article] = lede.store.articles()
    assert article.paragraphs == ("The nine-day ferry strike over pay ended with a new agreement.",
                                  "Ferry crews on the northern routes returned to work on Thursday.")
    assert article.url == "https://t.me/riverton_live/11"


def test_a_headline_and_link_post_brings_the_linked_article_with_the_post_as_its_summary(analyzer, web):
    lede = make_lede(analyzer)
    kept = lede.posts.receive(Post(PUBLIC, 50, DATE, f"Riverton approves its harbour bridge {web.url('/article.html')}"))
    assert kept is not None
    assert kept.article.paragraphs[0].startswith("Riverton approves its harbour bridge")
    assert answer(lede, "what will the bridge cost?", STRANGER) == (
        "The bridge will cost 40 million euros and is due to open in 2027, according to the mayor, Ana Petrova.",
        "https://t.me/riverton_live/50")


def test_posts_without_text_or_news_are_skipped_quietly(analyzer):
    lede = make_lede(analyzer)
    assert lede.posts.receive(Post(PUBLIC, 1, DATE, "")) is None
    assert lede.posts.receive(Post(PUBLIC, 2, DATE, "Good morning, everyone!")) is None
    assert lede.store.article_count() == 0


def test_a_forward_is_kept_for_its_chat_once_and_a_short_one_is_refused(analyzer):
    lede = make_lede(analyzer)
    forward = Forward(channel_origin(PUBLIC, 42), DATE, BRIDGE)
    first, again = lede.posts.add_forward(forward, ADMIN), lede.posts.add_forward(forward, ADMIN)
    assert first.new and not again.new and lede.store.article_count() == 1
    assert answer(lede, "how did the council vote on the bridge?", ADMIN)[1] == "https://t.me/riverton_live/42"
    assert answer(lede, "how did the council vote on the bridge?", STRANGER) is None
    short = lede.posts.add_forward(Forward(user_origin(7, "Ana"), DATE, "lol same"), ADMIN)
    assert isinstance(short, Failure) and "at least 8 words" in short.reason


def test_a_headline_whose_link_fails_is_kept_alone_and_an_edit_of_an_unknown_post_is_kept_as_new(analyzer, web):
    lede = make_lede(analyzer)
    headline = f"Riverton approves its harbour bridge after a decade of debate {web.url('/missing')}"
    kept = lede.posts.receive(Post(PUBLIC, 60, DATE, headline))
    assert kept is not None and kept.article.paragraphs == (headline,)
    edited = lede.posts.receive(Post(PUBLIC, 61, DATE, BRIDGE), edited=True)  # posted before Lede was admin
    assert edited is not None and edited.new and lede.store.article_count() == 2
