"""How schedules, settings and an answer's follow-ups read, in Telegram HTML (the console strips the markup).

Everything quoted from an article is escaped and clipped to a budget, so a
reply is always valid HTML within Telegram's 4096 characters.
"""

from __future__ import annotations

from datetime import datetime

from bot.briefing_service import ChatSettings, Subscribed
from bot.questions import Context
from corpus.ingest import Failure
from bot.formatting import escape, moment_text, source_line
from corpus.article import Article
from retrieval.answer import Candidate

# Each further answer, and the context, stay well inside one message.
MAX_QUOTED_CHARS = 900
# "Context" quotes the answer and up to four sentences around it: at MAX_QUOTED_CHARS each they
# would pass Telegram's 4096, so the sentences around the answer get less room than the answer.
MAX_AROUND_ANSWER_CHARS = 600
NO_MORE = "I have no other answers to that question."
# 👍/👎 under an answer.
THANKS = "Thanks, noted."
# The console's /more, /context, /good or /bad typed in Telegram, where each is a button under an answer.
BUTTON_HERE = "In Telegram, {command} is the {button} button under an answer."
# Why /settings promises and offers no briefing: /brief and /subscribe are refused, and no daily briefing is sent.
_READ_ONLY = "while my store is read-only"
# /new: the conversation is forgotten, so the next question is read on its own.
NEW_CONVERSATION = "New conversation: I'll read your next question on its own."


def subscription(outcome: Subscribed | Failure) -> str:
    """``/subscribe HH:MM [zone]``: confirmed with the next briefing's time (and, set in a forum topic, that it is
    posted there, not in the group's General topic), or why not."""
    if isinstance(outcome, Failure):
        return escape(outcome.reason)
    here = ", posted in this topic" if outcome.topic is not None else ""
    return (f"Daily briefing set for {escape(outcome.schedule.label)}{here}. "
            f"The next one comes {_when(outcome.next_at, outcome)}. /subscribe off stops it.")


def unsubscribed(had_one: bool) -> str:
    return "Daily briefings stopped." if had_one else "This chat has no daily briefing. Set one with /subscribe 08:00."


def settings(current: ChatSettings, *, daily: bool = True, topic: int | None = None, group: bool = False) -> str:
    """``/settings``: the daily briefing and the last briefing; ``daily`` says whether this front end can send one.

    ``topic`` is the forum topic it was asked in: asked elsewhere than where the daily briefing is posted, it says where.
    In a ``group`` only administrators may ``/subscribe``, so a member is not offered it as theirs.
    On a read-only store no briefing is sent or set (none could be recorded as told), so none is promised or offered.
    """
    return f"{_daily_briefing_line(current, daily, topic, group)}\n{_last_briefing_line(current)}"


def _daily_briefing_line(current: ChatSettings, daily: bool, topic: int | None, group: bool) -> str:
    subscribed = current.subscribed
    if subscribed is None and not daily:
        offer = "" if current.read_only else "; here /brief tells the news"
        return f"Daily briefing: none (daily briefings are sent in Telegram chats{offer})."
    if subscribed is None:
        return f"Daily briefing: none ({_how_to_subscribe(current, group)})."
    if current.read_only:
        return f"Daily briefing: {escape(subscribed.schedule.label)}, paused {_READ_ONLY}."
    return (f"Daily briefing: {escape(subscribed.schedule.label)}, next {_when(subscribed.next_at, subscribed)}"
            f"{_where(subscribed, topic)}.")


def _how_to_subscribe(current: ChatSettings, group: bool) -> str:
    if current.read_only:
        return f"none can be set {_READ_ONLY}"
    if group:
        return "an administrator's /subscribe 08:00 [time zone] sets one"
    return "/subscribe 08:00 [time zone] to get one"


def _last_briefing_line(current: ChatSettings) -> str:
    if current.read_only:
        brief = f"/brief is off {_READ_ONLY}"
    elif current.last_briefing is None:
        brief = "/brief covers the last 24 hours"
    else:
        brief = "/brief covers what came since"
    last = "none yet" if current.last_briefing is None else moment_text(current.last_briefing)
    return f"Last briefing: {last}; {brief}."


def more_answers(candidates: tuple[Candidate, ...]) -> str:
    """"More": the answers after the one already shown, each with its source."""
    if not candidates:
        return NO_MORE
    return "\n\n".join(f"{number}. {_quote(candidate)}" for number, candidate in enumerate(candidates, start=1))


def context(found: Context) -> str:
    """"Context": the sentences around the answer, the answer in bold, then its article."""
    parts = []
    for number, passage in enumerate(found.passages):
        if number == found.answer_at:
            parts.append(f"<b>{escape(passage.text, MAX_QUOTED_CHARS)}</b>")
        else:
            parts.append(escape(passage.text, MAX_AROUND_ANSWER_CHARS))
    article = found.passages[found.answer_at].article
    return "… " + " ".join(parts) + " …\n\n— " + _source_line(article)


def _quote(candidate: Candidate) -> str:
    return f"{escape(candidate.passage.text, MAX_QUOTED_CHARS)}\n— {_source_line(candidate.passage.article)}"


def _source_line(article: Article) -> str:
    # The title is not bold: in "Context" the answer is the one bold part.
    return source_line(article, as_html=True, bold_title=False)


def _where(subscribed: Subscribed, asked_in: int | None) -> str:
    """Where the daily briefing is posted, said only to a forum topic it is not posted in."""
    if subscribed.topic == asked_in:
        return ""
    return ", in the topic it was set in" if subscribed.topic is not None else ", in the group's General topic"


def _when(moment: datetime, subscribed: Subscribed) -> str:
    local = moment.astimezone(subscribed.schedule.zone)
    return f"on {local:%a %d %b at %H:%M} ({subscribed.schedule.timezone})"
