"""Lede's briefings: what happened in a chat's sources, on demand and on a schedule.

Mixed into :class:`bot.service.Lede`, so that every front end still calls
one service method per intent, while this part of the engine lives apart
from questions and sources. The deciding is done by plain modules
(:mod:`retrieval.briefing` groups and ranks stories); this layer picks the
chat's articles for the period and remembers what each chat was told.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from corpus.store import EVERYONE, Store
from corpus.visibility import Visibility
from retrieval.briefing import Briefing, NewsItem, article_moment, brief
from retrieval.index import SentenceIndex

# Without an earlier briefing, "since" is this long ago.
DEFAULT_PERIOD = timedelta(hours=24)
STORIES_PER_BRIEFING = 8


class Briefings:
    """The briefing half of :class:`bot.service.Lede` (which provides the attributes below)."""

    index: SentenceIndex | None
    store: Store
    visibility: Visibility
    _lock: threading.RLock

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
        with self._lock:
            visible = self.visibility.rule_for(chat)
            items = []
            for article in self.index.articles:
                moment = article_moment(article)
                if moment is not None and moment >= since and visible(article.article_id):
                    sentences = tuple(passage.text for passage in self.index.article_sentences(article.article_id))
                    items.append(NewsItem(article, sentences, moment))
        already_sent = frozenset() if look_back else self.store.briefed_articles(chat)
        briefing = brief(items, self.index.analyzer, self.index.specificity, since=since, topic=topic, already_sent=already_sent,
                         limit=STORIES_PER_BRIEFING)
        if not look_back:
            told = [article_id for story in briefing.stories for article_id in story.article_ids]
            self.store.record_briefing(chat, told, now.isoformat(timespec="seconds"), complete=topic is None)
        return briefing
