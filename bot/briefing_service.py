"""Briefings and daily schedules: what each chat is told, and when.

The deciding is done by plain modules (:mod:`retrieval.briefing` groups and
ranks stories, :mod:`corpus.schedule` says when a briefing is due); this use
case picks the chat's articles for the period from the shared index and
remembers in the store what each chat was told.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.shared_index import SharedIndex
from corpus.errors import InvalidSchedule
from corpus.ingest import Failure
from corpus.loader import without_lone_surrogates
from corpus.schedule import DailySchedule, parse_schedule
from corpus.store import EVERYONE, ScheduleRow, Store
from retrieval.briefing import Briefing, GroupStories, NewestArticle, NewsItem, Story, brief
from retrieval.briefing_replies import ToldBriefing, ToldStory, told_to_json

# Without an earlier briefing, "since" is this long ago.
DEFAULT_PERIOD = timedelta(hours=24)
# An article added after the chat's last briefing but dated before it (a feed polled a few minutes
# late, a publisher that dates an entry when it was written) is still news up to this long before it.
LATE_ARRIVAL = timedelta(hours=24)
STORIES_PER_BRIEFING = 8
# The console has no message ids: the briefing it showed last is kept as message 0, which no Telegram message is.
CONSOLE_BRIEFING = 0
TellStories = Callable[..., Briefing]


@dataclass(frozen=True, slots=True)
class Subscribed:
    """A chat's daily briefing as now stored, and when the next one is due."""

    schedule: DailySchedule
    next_at: datetime
    # The forum topic it is posted in; None: the chat itself (a forum's General topic).
    topic: int | None = None


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """``/settings``: the chat's daily briefing (if any) and its last briefing, and whether the store is read-only
    (no briefing is sent or set then: none could be recorded as told)."""

    subscribed: Subscribed | None
    last_briefing: datetime | None
    read_only: bool


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A stored daily briefing, as the scheduler re-creates it at start-up."""

    chat: int
    thread: int | None


class Briefings:
    """Briefings on demand and on schedule, from the articles each chat may see."""

    def __init__(self, index: SharedIndex, store: Store, tell: TellStories = brief,
                 group: GroupStories | None = None) -> None:
        # ``tell`` groups and ranks the stories (:func:`retrieval.briefing.brief`; tests slow it down);
        # ``group`` is its heaviest step, grouping articles into stories: in this thread unless the
        # composition hands it to another process (see bot.preparing).
        self.index = index
        self.store = store
        self._tell = tell
        self._group = group
        # One briefing at a time per chat: two side by side (/brief sent twice, or with the daily one)
        # would both start from the same "since" and tell the same stories twice.
        self._turns: dict[int, threading.Lock] = {}

    def brief(
        self,
        chat: int = EVERYONE,
        *,
        now: datetime,
        topic: str | None = None,
        since: datetime | None = None,
        messages: Sequence[int] = (),
    ) -> Briefing:
        """``/brief [topic]``: the stories in the chat's sources since its last briefing (else a day).

        A briefing with an explicit ``since`` is a look back: it tells every
        story of that period and changes nothing. Otherwise stories the chat
        was already told are left out unless they have new articles, and what
        is told is remembered; a briefing without a topic also becomes the
        chat's new "since". ``messages`` carry it (:meth:`told`).
        """
        with self._turns.setdefault(chat, threading.Lock()):
            briefing = self.compose(chat, now=now, topic=topic, since=since)
            if since is None:
                self.told(chat, briefing, now=now, messages=messages)
            return briefing

    def compose(self, chat: int = EVERYONE, *, now: datetime, topic: str | None = None,
                since: datetime | None = None) -> Briefing:
        """The briefing :meth:`brief` gives, remembering nothing: :meth:`told` remembers it once it is delivered.

        Remembered before it reached the chat, a briefing Telegram failed to
        deliver would be lost: its stories counted as told, its period as past.
        A caller that composes and then tells takes one chat's briefings one
        at a time itself (two side by side would tell the same stories twice).
        On a read-only store a briefing that is no look back is refused here,
        before any work: it could never be remembered.
        """
        look_back = since is not None
        if not look_back:
            self.store.require_writable()
        last = None if look_back else self.store.last_briefing(chat)
        if since is None:
            since = last or now - DEFAULT_PERIOD
        # A topic from the command line may hold bytes that were not UTF-8, as lone surrogates no reply can show.
        topic = without_lone_surrogates(" ".join(topic.split())) if topic else None
        # The items' sentences are read from the index only for the stories told,
        # and their leads' terms are the index's own: see SharedIndex.news_since and story_terms.
        if last is None:
            items = list(self.index.news_since(since, chat))
        else:
            items = [item for item in self.index.news_since(since - LATE_ARRIVAL, chat) if _new_since(item, since)]
        already_sent = frozenset() if look_back else self.store.briefed_articles(chat)
        briefing = self._tell(items, self.index.analyzer, self.index.specificity, since=since, topic=topic,
                              already_sent=already_sent, limit=STORIES_PER_BRIEFING, story_terms=self.index.story_terms,
                              group=self._group)
        if not briefing.articles:
            newest = self.index.newest_moment(chat)
            if newest is None or newest < since - DEFAULT_PERIOD:
                briefing = replace(briefing, newest=NewestArticle(newest))
        return briefing

    def told(self, chat: int, briefing: Briefing, *, now: datetime, messages: Sequence[int] = ()) -> None:
        """The chat was given ``briefing`` (from :meth:`compose`, at ``now``) in ``messages``: its stories are
        told, one without a topic is the chat's new "since", and a question in reply to one of ``messages``
        is read in the light of its stories (:mod:`retrieval.briefing_replies`)."""
        told_ids = [article_id for story in briefing.stories for article_id in story.article_ids]
        self.store.record_briefing(chat, told_ids, now, complete=briefing.topic is None)
        if messages and briefing.stories:
            told = ToldBriefing(tuple(self._as_told(story) for story in briefing.stories))
            self.store.remember_briefing_messages(chat, messages, told_to_json(told), now)

    def _as_told(self, story: Story) -> ToldStory:
        """``story`` as a reply to its briefing needs it: its articles, and where its quoted sentences stand in them."""
        article_ids = tuple(item.article.article_id for item in story.items)
        wanted = set(story.sentences)
        quoted: dict[str, tuple[str, int]] = {}
        for article_id in article_ids:
            for passage in self.index.article_sentences(article_id):
                if passage.text in wanted and passage.text not in quoted:
                    quoted[passage.text] = passage.key
            if len(quoted) == len(wanted):
                break
        return ToldStory(story.headline, article_ids, tuple(quoted[text] for text in story.sentences if text in quoted))

    # ---- daily briefings -------------------------------------------------------------------

    def subscribe(self, chat: int, args: list[str], *, now: datetime, thread: int | None = None) -> Subscribed | Failure:
        """``/subscribe 08:00 [Europe/Kyiv]``: a daily briefing for the chat (in its forum topic, if any)."""
        try:
            schedule = parse_schedule(args)
        except InvalidSchedule as error:
            return Failure(" ".join(args), error.reason)
        self.store.set_schedule(chat, schedule.at, schedule.timezone, thread, now)
        return Subscribed(schedule, schedule.next_slot(now), thread)

    def unsubscribe(self, chat: int) -> bool:
        """``/subscribe off``, or the chat blocked or removed Lede: no more daily briefings. False if there were none."""
        return self.store.remove_schedule(chat)

    def topic_gone(self, chat: int) -> None:
        """The forum topic the chat's daily briefing was set in was deleted or closed: it goes to the chat's main
        thread now."""
        self.store.set_schedule_thread(chat, None)

    def settings(self, chat: int, *, now: datetime) -> ChatSettings:
        """``/settings``: what the chat has set up."""
        rows = self.store.schedules(chat)
        subscribed = None
        if rows:
            schedule = _schedule(rows[0])
            subscribed = Subscribed(schedule, schedule.next_slot(now), rows[0].thread)
        return ChatSettings(subscribed, self.store.last_briefing(chat), self.store.read_only)

    def scheduled(self, chat: int | None = None) -> list[Scheduled]:
        """Every chat's daily briefing (for the scheduler at start-up), or one chat's."""
        return [Scheduled(row.chat, row.thread) for row in self.store.schedules(chat)]

    def due_briefing(self, chat: int, *, now: datetime) -> Briefing | None:
        """The chat's daily briefing if one is owed at ``now`` (at most one, however long Lede was away).

        The run counts from now on, so a failure to deliver never brings a
        burst; the briefing is composed, not remembered (:meth:`told` does,
        once it is delivered), so what it failed to tell is in the next one.
        """
        rows = self.store.schedules(chat)
        if not rows:
            return None
        row = rows[0]
        if not _schedule(row).is_due(row.last_run or now - timedelta(days=1), now):
            return None
        self.store.record_scheduled_run(chat, now)
        return self.compose(chat, now=now)


def _new_since(item: NewsItem, since: datetime) -> bool:
    """Whether a chat briefed at ``since`` has not yet been told of ``item``: dated since, or added since.

    Telling articles by their date alone would lose for good every one that
    reaches Lede after a briefing dated before it.
    """
    return item.moment >= since or (item.article.fetched is not None and item.article.fetched >= since)


def _schedule(row: ScheduleRow) -> DailySchedule:
    return DailySchedule(row.at, row.timezone)
