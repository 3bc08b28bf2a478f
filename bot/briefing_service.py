"""Lede's briefings, daily schedules and the follow-ups under an answer.

Mixed into :class:`bot.service.Lede`, so that every front end still calls
one service method per intent, while this part of the engine lives apart
from questions and sources. The deciding is done by plain modules
(:mod:`retrieval.briefing` groups and ranks stories); this layer picks the
chat's articles for the period and remembers what each chat was told.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from collections.abc import Callable
from typing import TYPE_CHECKING

from corpus.schedule import DailySchedule, InvalidSchedule, parse_schedule
from corpus.store import EVERYONE, ScheduleRow, Store
from corpus.visibility import Visibility
from retrieval.answer import Answer, Candidate
from retrieval.briefing import LEAD_SENTENCES, ArticleSentences, Briefing, NewsItem, article_moment, brief
from retrieval.index import Passage, SentenceIndex

if TYPE_CHECKING:
    from bot.service import Outcome

# Without an earlier briefing, "since" is this long ago.
DEFAULT_PERIOD = timedelta(hours=24)
STORIES_PER_BRIEFING = 8
# "Context" shows this many sentences on either side of the answer.
CONTEXT_SENTENCES = 2
# "More" shows up to this many further answers.
MORE_ANSWERS = 3


@dataclass(frozen=True, slots=True)
class Subscribed:
    """A chat's daily briefing as now stored, and when the next one is due."""

    schedule: DailySchedule
    next_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduleRefused:
    reason: str


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """``/settings``: the chat's daily briefing (if any) and its last briefing."""

    subscribed: Subscribed | None
    last_briefing: datetime | None


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A stored daily briefing, as the scheduler re-creates it at start-up."""

    chat: int
    thread: int | None


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer and the number its buttons carry (None when there is nothing to follow up)."""

    outcome: Outcome
    number: int | None


@dataclass(frozen=True, slots=True)
class Context:
    """The sentences around an answer, in reading order, and which one is the answer."""

    passages: tuple[Passage, ...]
    answer_at: int


@dataclass(frozen=True, slots=True)
class Expired:
    """A button whose answer Lede no longer has (or never gave): say so politely."""

    reason: str = "That answer has expired; please ask again."


class Briefings:
    """The briefing half of :class:`bot.service.Lede` (which provides the attributes below)."""

    index: SentenceIndex | None
    store: Store
    visibility: Visibility
    _lock: threading.RLock
    ask: Callable[[str, int], Outcome]
    _answer_from_visible: Callable[..., Answer]

    def brief(
        self,
        chat: int = EVERYONE,
        *,
        now: datetime,
        topic: str | None = None,
        since: datetime | None = None,
    ) -> Briefing:
        """``/brief [topic]``: the stories in the chat's sources since its last briefing (else a day).

        A briefing with an explicit ``since`` is a look back: it tells every
        story of that period and changes nothing. Otherwise stories the chat
        was already told are left out unless they have new articles, and what
        is told is remembered; a briefing without a topic also becomes the
        chat's new "since".
        """
        look_back = since is not None
        if since is None:
            last = self.store.setting(chat, "last_briefing")
            since = datetime.fromisoformat(last) if last else now - DEFAULT_PERIOD
        topic = " ".join(topic.split()) if topic else None
        assert self.index is not None, "this Lede only stores"
        index = self.index
        with self._lock:
            visible = self.visibility.rule_for(chat)
            items = []
            for article in index.articles:
                moment = article_moment(article)
                if moment is not None and moment >= since and visible(article.article_id):
                    span = index.article_passages(article.article_id)
                    items.append(NewsItem(article, ArticleSentences(lambda number: index.passages[number].text, span), moment))

        def lead_terms(item: NewsItem) -> list[str]:
            """The lead's terms as the index analysed them: analysing 20,000 leads again would take seconds."""
            return [term for number in index.article_passages(item.article.article_id)[:LEAD_SENTENCES]
                    for term in index.ordered_terms(number)]

        already_sent = frozenset() if look_back else self.store.briefed_articles(chat)
        # Outside the lock, as before: the sentences and terms read lazily are
        # those of articles already indexed, which adding articles only appends to.
        briefing = brief(items, index.analyzer, index.specificity, since=since, topic=topic, already_sent=already_sent,
                         limit=STORIES_PER_BRIEFING, lead_terms=lead_terms)
        if not look_back:
            told = [article_id for story in briefing.stories for article_id in story.article_ids]
            self.store.record_briefing(chat, told, now.isoformat(timespec="seconds"), complete=topic is None)
        return briefing

    # ---- daily briefings -------------------------------------------------------------------

    def subscribe(self, chat: int, args: list[str], *, now: datetime, thread: int | None = None) -> Subscribed | ScheduleRefused:
        """``/subscribe 08:00 [Europe/Kyiv]``: a daily briefing for the chat (in its forum topic, if any)."""
        try:
            schedule = parse_schedule(args)
        except InvalidSchedule as error:
            return ScheduleRefused(str(error))
        self.store.set_schedule(chat, f"{schedule.at:%H:%M}", schedule.timezone, thread, now.isoformat(timespec="seconds"))
        return Subscribed(schedule, schedule.next_slot(now))

    def unsubscribe(self, chat: int) -> bool:
        """``/subscribe off``, or the chat blocked or removed Lede: no more daily briefings. False if there were none."""
        return self.store.remove_schedule(chat)

    def settings(self, chat: int, *, now: datetime) -> ChatSettings:
        """``/settings``: what the chat has set up."""
        rows = self.store.schedules(chat)
        subscribed = None
        if rows:
            schedule = _schedule(rows[0])
            subscribed = Subscribed(schedule, schedule.next_slot(now))
        last = self.store.setting(chat, "last_briefing")
        return ChatSettings(subscribed, datetime.fromisoformat(last) if last else None)

    def scheduled(self) -> list[Scheduled]:
        """Every chat's daily briefing, for the scheduler at start-up."""
        return [Scheduled(row.chat, row.thread) for row in self.store.schedules()]

    def due_briefing(self, chat: int, *, now: datetime) -> Briefing | None:
        """The chat's daily briefing if one is owed at ``now`` (at most one, however long Lede was away)."""
        rows = self.store.schedules(chat)
        if not rows:
            return None
        row = rows[0]
        last_run = datetime.fromisoformat(row.last_run) if row.last_run else now - timedelta(days=1)
        if not _schedule(row).is_due(last_run, now):
            return None
        self.store.record_scheduled_run(chat, now.isoformat(timespec="seconds"))
        return self.brief(chat, now=now)

    # ---- follow-ups under an answer --------------------------------------------------------

    def answer(self, question: str, chat: int = EVERYONE, *, now: datetime) -> Answered:
        """A question asked in a chat, remembered so that its buttons ("More", "Context", 👍/👎) work later."""
        outcome = self.ask(question, chat)
        if not isinstance(outcome, Answer) or outcome.best is None:
            return Answered(outcome, None)
        passage = outcome.best.passage
        number = self.store.remember_answer(chat, outcome.question, passage.article.article_id, passage.position,
                                            now.isoformat(timespec="seconds"))
        return Answered(outcome, number)

    def more_answers(self, number: int, chat: int) -> tuple[Candidate, ...] | Expired:
        """"More": the next best distinct answers to the question, from other sentences or sources."""
        record = self.store.answer_record(number)
        if record is None or record.chat != chat:
            return Expired()
        outcome = self._answer_from_visible(record.question, chat, alternatives=MORE_ANSWERS)
        shown = (record.article_id, record.position)
        ranked = (outcome.best, *outcome.alternatives) if outcome.best else ()
        return tuple(c for c in ranked if (c.passage.article.article_id, c.passage.position) != shown)[:MORE_ANSWERS]

    def context(self, number: int, chat: int) -> Context | Expired:
        """"Context": the sentences around the quoted one, from its article."""
        record = self.store.answer_record(number)
        if record is None or record.chat != chat:
            return Expired()
        assert self.index is not None, "this Lede only stores"
        with self._lock:
            sentences = self.index.article_sentences(record.article_id)
        if not sentences or record.position >= len(sentences):
            return Expired("That article is no longer available.")
        start = max(record.position - CONTEXT_SENTENCES, 0)
        window = tuple(sentences[start : record.position + CONTEXT_SENTENCES + 1])
        return Context(window, record.position - start)

    def feedback(self, number: int, chat: int, helpful: bool) -> bool:
        """👍/👎 on an answer, kept with its question; False when the answer is unknown here."""
        record = self.store.answer_record(number)
        if record is None or record.chat != chat:
            return False
        self.store.record_feedback(number, helpful)
        return True

    def inline_answers(self, question: str) -> Answer | None:
        """``@bot question`` in any chat: answers from what every chat may see (None for an unusable question)."""
        outcome = self.ask(question, EVERYONE)
        return outcome if isinstance(outcome, Answer) else None


def _schedule(row: ScheduleRow) -> DailySchedule:
    return DailySchedule(time.fromisoformat(row.at), row.timezone)
