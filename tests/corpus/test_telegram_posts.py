"""Telegram posts as articles: text links kept, titles, links, ids, and what counts as news."""

from __future__ import annotations

from datetime import UTC, datetime

from corpus.telegram_posts import (
    Chat,
    Forward,
    Original,
    Post,
    TextLink,
    channel_origin,
    chat_origin,
    forward_article,
    headline_link,
    hidden_user_origin,
    is_news,
    post_article,
    user_origin,
    with_links,
)

PUBLIC = Chat(-1001234567890, "Riverton Live", "riverton_live")
PRIVATE = Chat(-1009876543210, "Council Insiders")
DATE = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def test_text_links_are_written_out_after_their_anchor_counting_utf16_like_telegram():
    text = "🚧 Bridge approved, see the vote and the plan."
    # "the vote" starts after the emoji (2 UTF-16 units) and 22 characters.
    links = (TextLink(24, 8, "https://example.com/vote"), TextLink(37, 8, "https://example.com/plan"))
    assert with_links(text, links) == (
        "🚧 Bridge approved, see the vote (https://example.com/vote) and the plan (https://example.com/plan).")


def test_a_public_channels_post_is_cited_to_the_channel_and_linked_to_the_post():
    post = Post(PUBLIC, 42, DATE, "Harbour bridge approved\nThe council voted 7 to 2 on Tuesday to build the bridge.")
    article = post_article(post)
    assert article.title == "Harbour bridge approved"
    assert article.paragraphs == ("Harbour bridge approved", "The council voted 7 to 2 on Tuesday to build the bridge.")
    assert (article.publisher, article.url, article.published) == (
        "Riverton Live", "https://t.me/riverton_live/42", DATE)
    assert article.article_id == "tg-1001234567890-42"


def test_a_private_channels_post_links_to_its_members_only_address():
    assert post_article(Post(PRIVATE, 7, DATE, "Budget talks resume on Monday.")).url == "https://t.me/c/9876543210/7"


def test_an_albums_captions_make_one_article_in_message_order_whichever_arrives_first():
    second = Post(PUBLIC, 11, DATE, "Second caption about the ferry strike ending.", album="g1")
    first = Post(PUBLIC, 10, DATE, "First caption about the ferry strike.", album="g1")
    article = post_article(second, (second, first))
    assert article.paragraphs == ("First caption about the ferry strike.", "Second caption about the ferry strike ending.")
    assert article.url == "https://t.me/riverton_live/10"
    assert article.article_id == "tg-1001234567890-album-g1"


def test_a_channels_repost_is_credited_to_the_original_via_the_channel_and_linked_to_the_original_post():
    wire = Chat(-1005550000001, "Coast Wire", "coast_wire")
    earlier = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    text = "The council voted 7 to 2 on Tuesday to build the bridge."
    article = post_article(Post(PUBLIC, 43, DATE, text, original=Original(channel_origin(wire, 8), earlier)))
    assert (article.publisher, article.published, article.url) == (
        "Coast Wire via Riverton Live", earlier, "https://t.me/coast_wire/8")
    assert (article.source, article.article_id) == ("https://t.me/riverton_live/43", "tg-1001234567890-43")


def test_a_repost_of_a_post_without_a_public_address_links_to_the_repost():
    for origin in (channel_origin(PRIVATE, 3), user_origin(77, "Ana Petrova"), hidden_user_origin("Anonymous Source")):
        article = post_article(Post(PUBLIC, 43, DATE, "Budget talks resume on Monday.", original=Original(origin, DATE)))
        assert (article.publisher, article.url) == (f"{origin.name} via Riverton Live", "https://t.me/riverton_live/43")


def test_a_forward_from_a_channel_is_the_same_article_as_the_post_read_in_the_channel():
    forward = Forward(channel_origin(PUBLIC, 42), DATE, "The council voted 7 to 2 on Tuesday to build the bridge.")
    article = forward_article(forward)
    assert article.article_id == post_article(Post(PUBLIC, 42, DATE, "anything")).article_id
    assert (article.publisher, article.url) == ("Riverton Live", "https://t.me/riverton_live/42")
    assert forward_article(Forward(channel_origin(PRIVATE, 3), DATE, "x")).url is None


def test_forwards_from_a_chat_a_user_or_a_hidden_user_are_cited_to_it_without_a_link():
    for origin, publisher in ((chat_origin(Chat(-100555, "Harbour Watch")), "Harbour Watch"),
                              (user_origin(77, "Ana Petrova"), "Ana Petrova"),
                              (hidden_user_origin("Anonymous Source"), "Anonymous Source")):
        article = forward_article(Forward(origin, DATE, "The mayor said the bridge opens in 2027 as planned."))
        assert (article.publisher, article.url, article.published) == (publisher, None, DATE)
    one = forward_article(Forward(user_origin(77, "Ana"), DATE, "a"))
    later = forward_article(Forward(user_origin(77, "Ana"), DATE.replace(hour=10), "a"))
    assert one.article_id != later.article_id


def test_a_headline_and_one_link_points_to_the_article_and_longer_posts_or_several_links_do_not():
    assert headline_link("Bridge approved https://news.example/bridge", ()) == "https://news.example/bridge"
    assert headline_link("Bridge approved", (TextLink(0, 6, "https://news.example/b"),)) == "https://news.example/b"
    assert headline_link("Bridge approved https://t.me/riverton_live/3", ()) is None
    assert headline_link("Two https://a.example/1 and https://b.example/2", ()) is None
    assert headline_link(" ".join(["word"] * 41) + " https://a.example/1", ()) is None


def test_fewer_than_eight_words_of_its_own_is_not_news():
    assert not is_news("Big news! https://example.com/a/very/long/link/with/many/words/in/it")
    assert is_news("The council voted 7 to 2 on Tuesday.")
