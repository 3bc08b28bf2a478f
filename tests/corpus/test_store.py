"""The store: schema and migrations, whole articles, visibility, feeds and chat settings."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone

import pytest

from corpus.article import Article
from corpus.errors import ConfigurationError, StoreGone
from corpus.ingest import content_hash, prepare
from corpus.store import (
    EVERYONE,
    KEEP_BRIEFING_MESSAGES,
    MIGRATIONS,
    SCHEMA_VERSION,
    ConversationTurn,
    NewerSchemaError,
    QuestionReply,
    Store,
)

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
ARTICLE = Article(
    article_id="a-1",
    title="Bridge Approved",
    paragraphs=("The council approved the bridge on Tuesday. It will open in 2027.", "Critics object."),
    publisher="The Daily",
    url="https://daily.example/bridge",
    published=datetime(2025, 2, 14, tzinfo=UTC),
    author="Jane Roe",
    language="en",
    fetched=datetime(2025, 2, 15, 8, tzinfo=UTC),
    source="https://daily.example/bridge",
)


def stored(store: Store, article: Article = ARTICLE, **visibility: int) -> None:
    prepared = prepare(article)
    store.add_article(article, prepared.sentences, prepared.content_hash, **visibility)


def test_a_new_database_is_at_the_latest_schema_in_wal_mode(tmp_path):
    with Store.open(tmp_path / "sub" / "lede.db") as store:
        assert store.schema_version == SCHEMA_VERSION
    connection = sqlite3.connect(tmp_path / "sub" / "lede.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_a_newer_lede_is_refused_not_damaged(tmp_path):
    path = tmp_path / "lede.db"
    Store.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(NewerSchemaError, match="newer than this Lede"):
        Store.open(path)


def test_another_program_s_database_is_refused_and_left_as_it_was(tmp_path):
    # A --db mistyped onto another program's SQLite file: Lede must not add its tables or switch it to WAL.
    path = tmp_path / "crm.db"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript("CREATE TABLE users (id INTEGER, name TEXT); CREATE TABLE orders (id INTEGER);"
                                 "INSERT INTO users VALUES (1, 'Ada');")
    before = path.read_bytes()
    with pytest.raises(ConfigurationError) as refused:
        Store.open(path, setting="--db")
    assert refused.value.reason == (f"--db {path} is not a Lede database (it holds another program's tables: orders, "
                                    "users); give the path of Lede's database, or of a file that does not exist yet")
    assert path.read_bytes() == before
    assert sorted(file.name for file in tmp_path.iterdir()) == ["crm.db"]


def test_an_empty_database_file_becomes_a_store(tmp_path):
    path = tmp_path / "lede.db"
    path.touch()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_an_article_round_trips_with_every_field_and_its_sentences(tmp_path):
    path = tmp_path / "lede.db"
    with Store.open(path) as store:
        stored(store)
    with Store.open(path) as store:  # a restart
        [loaded] = list(store.load_articles())
    assert loaded.article == ARTICLE
    assert loaded.sentences == ("The council approved the bridge on Tuesday.", "It will open in 2027.", "Critics object.")


SECOND = Article("a-2", "Ferry Sinks", ("The ferry sank off Bergen on Tuesday after hitting rocks.",))


def test_a_change_after_the_store_file_was_removed_is_refused_not_lost(tmp_path):
    path = tmp_path / "lede.db"
    with Store.open(path) as store:
        stored(store)
        path.unlink()  # SQLite would go on writing to the file it holds open, which no one can find
        with pytest.raises(StoreGone) as refused:
            stored(store, SECOND)
    assert refused.value.reason == (f"the store at {path} was removed while Lede ran, so nothing more can be kept; "
                                    "start Lede again to use what is at that path now")


def test_a_thread_that_first_reads_after_the_store_file_was_removed_is_refused_and_creates_no_empty_store(tmp_path):
    # Each thread reads through a connection of its own, opened on its first read: opened then, SQLite would
    # create an empty database at the path, which the next start would take for the store.
    path = tmp_path / "lede.db"
    with Store.open(path) as store:
        stored(store)
        path.unlink()
        failures: list[BaseException] = []

        def count() -> None:
            try:
                store.article_count()
            except BaseException as error:  # noqa: BLE001 - handed to the test's thread
                failures.append(error)

        reader = threading.Thread(target=count)
        reader.start()
        reader.join()
    [failure] = failures
    assert isinstance(failure, StoreGone)
    assert not path.exists()


def test_a_change_after_another_file_took_the_store_s_place_is_refused(tmp_path):
    path, restored = tmp_path / "lede.db", tmp_path / "backup.db"
    Store.open(restored).close()
    with Store.open(path) as store:
        restored.replace(path)  # a backup moved into place while Lede runs
        with pytest.raises(StoreGone, match=f"the store at {path} was replaced while Lede ran"):
            stored(store)


def test_known_articles_are_found_by_id_by_url_and_by_text():
    store = Store.open(":memory:")
    stored(store)
    fingerprint = content_hash(ARTICLE.paragraphs)
    assert store.known_article("a-1", None, "other") == "a-1"
    assert store.known_article("other", ARTICLE.url, "other") == "a-1"
    assert store.known_article("other", None, fingerprint) == "a-1"
    assert store.known_article("other", "https://daily.example/else", "other") is None


def test_a_failed_article_leaves_nothing_behind():
    store = Store.open(":memory:")
    stored(store)
    clash = Article("a-2", "Copy", ARTICLE.paragraphs)  # same text: the content hash is unique
    with pytest.raises(sqlite3.IntegrityError):
        stored(store, clash)
    assert store.article_count() == 1
    assert [s.article.article_id for s in store.load_articles()] == ["a-1"]


def test_visibility_records_who_sees_what():
    store = Store.open(":memory:")
    stored(store, chat=42)
    feed, new = store.subscribe(7, "https://daily.example/feed")
    second = Article("a-2", "Second", ("Another story entirely.",))
    stored(store, second, feed=feed.feed_id)
    store.share_article("a-1", chat=EVERYONE)
    chat_articles, feed_articles, chat_feeds = store.visibility_rows()
    assert sorted(chat_articles) == [(EVERYONE, "a-1"), (42, "a-1")]
    assert feed_articles == [(feed.feed_id, "a-2")]
    assert chat_feeds == [(7, feed.feed_id)]
    assert new and not store.subscribe(7, "https://daily.example/feed")[1]


def test_a_chat_lists_its_own_articles_newest_first_in_pages():
    store = Store.open(":memory:")
    for number in range(7):
        stored(store, Article(f"a-{number}", f"Story {number}", (f"Story number {number} happened.",)), chat=5)
    stored(store, Article("x", "Elsewhere", ("Not this chat's story.",)), chat=6)
    first = store.chat_articles(5, limit=3, offset=0)
    last = store.chat_articles(5, limit=3, offset=6)
    assert first.total == 7
    assert [a.title for a in first.articles] == ["Story 6", "Story 5", "Story 4"]
    assert [a.title for a in last.articles] == ["Story 0"]


def test_feeds_keep_their_validators_and_count_failures_for_backoff():
    store = Store.open(":memory:")
    feed, _ = store.subscribe(1, "https://daily.example/feed")
    assert [f.url for f in store.due_feeds(FAR_FUTURE)] == [feed.url]
    store.record_poll(feed.feed_id, next_check=datetime(2030, 1, 1, tzinfo=UTC), title="Daily", etag='"v1"',
                      last_modified="Fri, 14 Feb 2025 10:00:00 GMT")
    store.record_poll(feed.feed_id, next_check=datetime(2030, 1, 1, tzinfo=UTC), error="boom")
    store.record_poll(feed.feed_id, next_check=datetime(2030, 1, 2, tzinfo=UTC), error="boom again")
    polled = store.feed(feed.feed_id)
    assert (polled.title, polled.etag, polled.failures, polled.last_error) == ("Daily", '"v1"', 2, "boom again")
    assert store.due_feeds(datetime(2029, 12, 31, tzinfo=UTC)) == []
    store.unsubscribe(1, feed.feed_id)
    assert store.due_feeds(FAR_FUTURE) == [], "a feed nobody follows is not polled"


def test_the_last_briefing_survives_a_restart_as_a_moment_in_utc(tmp_path):
    kyiv_morning = datetime(2025, 6, 2, 8, 0, 30, 500, tzinfo=timezone(timedelta(hours=3)))
    with Store.open(tmp_path / "lede.db") as store:
        assert store.last_briefing(-100) is None
        store.record_briefing(-100, ["a-1"], kyiv_morning - timedelta(days=1), complete=True)
        store.record_briefing(-100, ["a-2"], kyiv_morning, complete=True)
        store.record_briefing(-100, ["a-3"], kyiv_morning + timedelta(hours=1), complete=False)
    with Store.open(tmp_path / "lede.db") as store:
        assert store.last_briefing(-100) == datetime(2025, 6, 2, 5, 0, 30, tzinfo=UTC)
        assert store.briefed_articles(-100) == {"a-1", "a-2", "a-3"}


def test_a_group_that_became_a_supergroup_takes_everything_kept_for_it_to_its_new_id():
    group, supergroup, channel, moment = -500, -100500, -100900, datetime(2025, 6, 2, 8, tzinfo=UTC)
    store = Store.open(":memory:")
    stored(store, chat=group)
    feed, _ = store.subscribe(group, "https://daily.example/feed")
    store.set_schedule(group, datetime(2025, 1, 1, 8).time(), "Europe/Kyiv", None, moment)
    store.record_briefing(group, ["a-1"], moment, complete=True)
    store.continue_conversation(group, 0, [ConversationTurn("who?", ("who",), (), "a-1", 0, moment)], keep=4)
    store.set_audience(channel, [group, 7])
    store.record_briefing(supergroup, [], moment + timedelta(hours=1), complete=True)  # it wrote before the move

    store.move_chat(group, supergroup)

    chat_articles, _, chat_feeds = store.visibility_rows()
    assert (supergroup, "a-1") in chat_articles and chat_feeds == [(supergroup, feed.feed_id)]
    assert [(row.chat, row.timezone) for row in store.schedules()] == [(supergroup, "Europe/Kyiv")]
    assert store.briefed_articles(supergroup) == {"a-1"}
    assert store.last_briefing(supergroup) == moment + timedelta(hours=1), "its own setting is kept"
    assert [turn.question for turn in store.conversation(supergroup, 0)] == ["who?"]
    assert store.audiences() == {channel: frozenset({supergroup, 7})}
    assert not any(group in pair for pair in chat_articles + chat_feeds)
    assert store.schedules(group) == [] and store.conversation(group, 0) == []
    store.move_chat(group, supergroup)  # Telegram says it twice (in the old chat and the new): nothing left to move


def test_a_group_that_only_asked_takes_its_conversation_and_answers_along():
    group, supergroup, moment = -600, -100600, datetime(2025, 6, 2, 8, tzinfo=UTC)
    store = Store.open(":memory:")
    stored(store)
    number = store.remember_answer(group, "who?", "a-1", 0, moment)
    store.continue_conversation(group, 0, [ConversationTurn("who?", ("who",), (), "a-1", 0, moment)], keep=4)
    store.move_chat(group, supergroup)
    assert store.answer_record(number).chat == supergroup
    assert [turn.question for turn in store.conversation(supergroup, 0)] == ["who?"]


def test_what_was_kept_by_a_groups_message_ids_stays_behind_when_it_becomes_a_supergroup():
    # The supergroup numbers its messages anew: its message 3 is not the group's message 3.
    group, supergroup, moment = -700, -100700, datetime(2025, 6, 2, 8, tzinfo=UTC)
    store = Store.open(":memory:")
    stored(store)
    store.remember_answer_message(group, 3, store.remember_answer(group, "who?", "a-1", 0, moment))
    store.remember_reply(group, 2, QuestionReply(3, "who?", moment))
    store.remember_briefing_messages(group, [4], "[]", moment)
    store.move_chat(group, supergroup)
    assert store.answer_in_message(supergroup, 3) is None and store.reply_to_question(supergroup, 2) is None
    assert store.answer_in_message(group, 3) is None and store.reply_to_question(group, 2) is None
    assert store.briefing_in_message(supergroup, 4) is None and store.briefing_in_message(group, 4) is None


def test_a_chat_keeps_the_stories_of_its_latest_briefing_messages_only(tmp_path):
    sent = datetime(2025, 6, 2, 8, tzinfo=UTC)
    with Store.open(tmp_path / "lede.db") as store:
        for day in range(KEEP_BRIEFING_MESSAGES):  # a briefing a day, in two messages
            store.remember_briefing_messages(42, [2 * day + 1, 2 * day + 2], f"day {day}", sent + timedelta(days=day))
        store.remember_briefing_messages(43, [1], "another chat's", sent)
    with Store.open(tmp_path / "lede.db") as store:  # a restart keeps them
        kept = [message for message in range(1, 2 * KEEP_BRIEFING_MESSAGES + 1) if store.briefing_in_message(42, message)]
        assert kept == list(range(KEEP_BRIEFING_MESSAGES + 1, 2 * KEEP_BRIEFING_MESSAGES + 1))
        assert store.briefing_in_message(42, 2 * KEEP_BRIEFING_MESSAGES) == f"day {KEEP_BRIEFING_MESSAGES - 1}"
        assert store.briefing_in_message(43, 1) == "another chat's"


def test_the_reply_to_a_question_message_is_kept_across_a_restart(tmp_path):
    asked = datetime(2025, 6, 2, 8, 0, 30, 500, tzinfo=UTC)
    with Store.open(tmp_path / "lede.db") as store:
        store.remember_reply(42, 10, QuestionReply(11, "who?", asked))
        store.remember_reply(42, 10, QuestionReply(11, "who won?", asked + timedelta(minutes=1)))  # edited
    with Store.open(tmp_path / "lede.db") as store:
        assert store.reply_to_question(42, 10) == QuestionReply(11, "who won?", asked.replace(microsecond=0) + timedelta(minutes=1))
        assert store.reply_to_question(42, 11) is None and store.reply_to_question(43, 10) is None


def test_a_chat_marked_unreachable_is_remembered_and_its_feeds_are_not_polled_for_it(tmp_path):
    with Store.open(tmp_path / "lede.db") as store:
        feed, _ = store.subscribe(42, "https://example.com/feed.xml")
        store.mark_unreachable(42, "Forbidden: bot was blocked by the user")
        assert store.due_feeds(FAR_FUTURE) == []
    with Store.open(tmp_path / "lede.db") as store:
        assert store.unreachable_chats() == {42: "Forbidden: bot was blocked by the user"}
        store.subscribe(43, "https://example.com/feed.xml")
        assert [due.feed_id for due in store.due_feeds(FAR_FUTURE)] == [feed.feed_id], "a reachable chat still follows it"
        store.mark_reachable(42)
        assert store.unreachable_chats() == {}


def test_a_database_from_before_unreachable_chats_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nPRAGMA user_version = 1;\nCOMMIT;")
    connection.execute("INSERT INTO chats (id, kind, title, added) VALUES (7, 'private', 'Ada', '2025-01-01')")
    connection.commit()
    connection.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.mark_unreachable(7, "gone")
        assert store.unreachable_chats() == {7: "gone"}


def test_reads_of_a_database_file_do_not_wait_for_a_write_in_progress_and_see_what_was_committed(tmp_path):
    store = Store.open(tmp_path / "lede.db")
    stored(store, chat=5)
    writing, done = threading.Event(), threading.Event()

    def long_write() -> None:  # holds the store's write transaction, as a large article being stored does
        with store._transaction() as db:
            db.execute("INSERT INTO chats (id, added) VALUES (6, '2025-01-01T00:00:00+00:00')")
            db.execute("UPDATE chats SET unreachable_since = added, unreachable_reason = 'blocked' WHERE id = 6")
            writing.set()
            done.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    assert writing.wait(10)
    seen = {}
    reader = threading.Thread(target=lambda: seen.update(
        count=store.article_count(), known=store.known_article("-", None, content_hash(ARTICLE.paragraphs)),
        unreachable=store.unreachable_chats()))
    reader.start()
    reader.join(10)
    finished_while_writing = not reader.is_alive()
    done.set()
    writer.join(10)
    assert finished_while_writing, "the read waited for the write"
    assert seen == {"count": 1, "known": ARTICLE.article_id, "unreachable": {}}
    assert store.unreachable_chats() == {6: "blocked"}
    store.close()


def test_an_answer_keeps_how_its_question_was_read_across_a_restart(tmp_path):
    asked = datetime(2025, 6, 2, 8, tzinfo=UTC)
    with Store.open(tmp_path / "lede.db") as store:
        alone = store.remember_answer(42, "who won?", "a-1", 0, asked)
        followed = store.remember_answer(42, "why?", "a-1", 2, asked, follow_up='{"follows": "who won?"}')
    with Store.open(tmp_path / "lede.db") as store:
        assert store.answer_record(alone).follow_up is None
        assert store.answer_record(followed).follow_up == '{"follows": "who won?"}'


def test_an_answer_keeps_the_forum_topic_it_was_given_in(tmp_path):
    asked = datetime(2025, 6, 2, 8, tzinfo=UTC)
    with Store.open(tmp_path / "lede.db") as store:
        in_topic = store.remember_answer(-100, "who won?", "a-1", 0, asked, thread=7)
        outside = store.remember_answer(-100, "who won?", "a-1", 0, asked)
    with Store.open(tmp_path / "lede.db") as store:
        assert (store.answer_record(in_topic).thread, store.answer_record(outside).thread) == (7, 0)


def test_an_answer_kept_before_sentences_were_kept_still_opens_without_its_sentence(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:6], start=1):
        connection.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    connection.execute("INSERT INTO answers (chat, question, article_id, position, asked) "
                       "VALUES (42, 'who won?', 'a-1', 3, '2025-06-02T08:00:00+00:00')")
    connection.commit()
    connection.close()
    with Store.open(path) as store:
        old = store.answer_record(1)
        new = store.remember_answer(42, "why?", "a-1", 4, datetime(2025, 6, 2, 9, tzinfo=UTC), sentence="It rained.")
        assert (old.position, old.sentence) == (3, None)
        assert (store.answer_record(new).position, store.answer_record(new).sentence) == (4, "It rained.")


def test_an_edit_points_answers_and_conversations_at_where_their_sentences_moved(tmp_path):
    asked = datetime(2025, 6, 2, 8, tzinfo=UTC)
    article = Article(article_id="a-1", title="Bridge", paragraphs=("It rained. The vote was 7 to 2. Work starts soon.",))
    edited = Article(article_id="a-1", title="Bridge", paragraphs=(
        "The mayor spoke. It rained. The vote was 8 to 1. Work starts soon.",))
    with Store.open(tmp_path / "lede.db") as store:
        store.add_article(article, ("It rained.", "The vote was 7 to 2.", "Work starts soon."), "h1")
        answers = [store.remember_answer(42, "q", "a-1", position, asked) for position in (0, 1, 2)]
        store.continue_conversation(42, 0, [ConversationTurn(f"q{position}", ("q",), (), "a-1", position, asked)
                                            for position in (0, 1, 2)], keep=4)
        store.replace_article(edited, ("The mayor spoke.", "It rained.", "The vote was 8 to 1.", "Work starts soon."), "h2")
        assert [store.answer_record(number).position for number in answers] == [1, 1, 3]  # the changed one stays
        assert [(turn.article_id, turn.position) for turn in store.conversation(42, 0)] == [
            ("a-1", 1), ("a-1", None), ("a-1", 3)]  # the changed sentence was given no more


def test_an_edit_finds_the_answers_and_conversation_turns_that_quote_its_article_without_reading_them_all(tmp_path):
    article = Article(article_id="a-1", title="Bridge", paragraphs=("It rained. The vote was 7 to 2.",))
    with Store.open(tmp_path / "lede.db") as store:
        store.add_article(article, ("It rained.", "The vote was 7 to 2."), "h1")
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        store.replace_article(article, ("It rained.", "The vote was 8 to 1."), "h2")
        store._db.set_trace_callback(None)
        plans = [" ".join(step[3] for step in store._db.execute(f"EXPLAIN QUERY PLAN {statement}"))
                 for statement in statements if statement.lstrip().upper().startswith(("SELECT", "UPDATE"))]
    whole = [plan for plan in plans if any(f"SCAN {table}" in plan for table in ("answers", "conversation_turns"))]
    assert plans and whole == []


def test_the_state_of_the_articles_changes_with_every_article_stored_or_removed_by_any_connection(tmp_path):
    with Store.open(tmp_path / "lede.db") as store, Store.open(tmp_path / "lede.db") as other:
        empty = store.state()
        assert empty.newest_row == 0
        stored(other)
        grown = store.state()
        assert grown.newest_row > empty.newest_row and grown.replacements == empty.replacements
        other.remove_articles(["a-1"])
        assert store.state().replacements == grown.replacements + 1
        assert store.article_ids() == set()


def test_loading_the_articles_stored_after_a_row_gives_only_the_newer_ones_with_their_sentences(tmp_path):
    second = Article("a-2", "Ferry Fares Rise", ("Ferry fares rise by a tenth from Monday.",), publisher="The Daily")
    with Store.open(tmp_path / "lede.db") as store:
        stored(store)
        seen = store.state().newest_row
        stored(store, second)
        assert [s.article.article_id for s in store.load_articles()] == ["a-1", "a-2"]
        [newer] = store.load_articles(after_row=seen)
        assert newer.article.article_id == "a-2" and newer.sentences == ("Ferry fares rise by a tenth from Monday.",)
        assert store.article_ids() == {"a-1", "a-2"}
