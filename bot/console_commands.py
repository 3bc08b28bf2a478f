"""The console's commands: Telegram's commands, run by the same use cases, printed as text or as JSON.

Each command runs one use case of :class:`~bot.service.Lede` and returns its
outcome. The text is the reply Telegram sends (its HTML, which the console
strips: :func:`bot.source_replies.to_plain`); the JSON (``--console --json``)
is the outcome's data, the same objects as the flags that do the same:
``/brief`` prints what ``--brief --json`` prints, and ``/add`` what
``--ingest --json`` prints. ``/help`` is built from :data:`COMMANDS`, so the
console mentions no command it does not have.

Telegram's buttons under an answer are commands here, acting on the answer
the console's latest reply holds: ``/more``, ``/context``, and ``/good`` or
``/bad`` for 👍/👎 (:class:`LatestReply`).

Daily briefings (``/subscribe``) need a chat to be delivered to, so they are
Telegram's alone; ``/settings`` says so on the console.
"""

from __future__ import annotations

import html
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import group_replies, source_replies
from bot.briefing_service import CONSOLE_BRIEFING, ChatSettings
from bot.formatting import briefing_html, briefing_to_json, candidate_to_json, source_to_json, unknown_command
from bot.questions import Context, Expired
from bot.service import Lede
from bot.typed_commands import (
    FEED_USAGE, FeedAdd, FeedExport, FeedList, FeedRemove, add_usage, addressed_command, page_number, parse_feed_command,
)
from corpus.errors import LedeError, StoreGone
from corpus.feed_poller import FeedFollowed
from corpus.ingest import DOCUMENT_SUFFIXES, Failure, IngestReport
from corpus.library import Kept
from corpus.loader import NOTHING_THERE, absence
from corpus.sources import OPML_SUFFIX, FeedsImported, SourcesPage
from corpus.store import EVERYONE, Feed
from corpus.urls import looks_like_url
from retrieval.answer import Candidate

# Telegram's commands the console cannot run, and why: said instead of "Unknown command".
TELEGRAM_ONLY = {
    "/subscribe": "Daily briefings are sent in Telegram chats (/subscribe there); here /brief tells the news.",
}
# /more, /context, /good or /bad before any answer, or with no answers kept.
NOTHING_ANSWERED = "Ask a question first: {command} acts on the latest answer."
NONE_KEPT = "My store is read-only, so I keep no answers for {command} to act on."
# ... and after a question looked up and not answered ("I couldn't find that in the articles I have.").
NO_ANSWER_SHOWN = "My last reply holds no answer for {command} to act on; ask me a question about the news."
# How the console gives /add a file (Telegram's is sent in the chat).
ADD_FILE = "/add &lt;file&gt; for one on this computer"
# How the console's /sources and /feed list, with none, say to add some.
WAYS_TO_ADD = source_replies.WaysToAdd("/add &lt;url or file&gt;", "/feed add &lt;url&gt;")
# What /add reads as a file name even when no such file exists, to say so rather than ask for a web address.
_FILE_SUFFIXES = (*DOCUMENT_SUFFIXES, OPML_SUFFIX)


@dataclass(frozen=True, slots=True)
class Refused:
    """A command typed wrongly or unknown (what to type instead), or one Lede cannot do (why), as Telegram HTML."""

    text: str


@dataclass(frozen=True, slots=True)
class Help:
    """``/help`` and ``/start``: what the console does."""


@dataclass(frozen=True, slots=True)
class FeedDone:
    """What a ``/feed`` subcommand did: the subcommand, and its use case's outcome."""

    command: FeedAdd | FeedList | FeedRemove | FeedExport
    outcome: Any


@dataclass(frozen=True, slots=True)
class Command:
    """One console command: its usage line for ``/help``, its use case, its reply and its JSON."""

    usage: str
    run: Callable[[Lede, list[str]], Any]
    reply: Callable[[Any], str]
    to_json: Callable[[Any], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class AnswerCommand:
    """A button under an answer as a console command: its usage line, its use case on the answer, its reply and JSON."""

    usage: str
    act: Callable[[Lede, int], Any]
    reply: Callable[[Any], str]
    to_json: Callable[[Any], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class LatestReply:
    """The console's reply to its latest question looked up: the number of the answer it holds, None when none.

    The commands for an answer's buttons act on that answer, as Telegram's buttons act on the answer they
    are under: a reply without an answer has no buttons, and an answer shown in an earlier run is not on
    the screen, so neither is acted on in its place.
    """

    answer: int | None
    # The latest reply showed a briefing of stories: the next question asks about them, as a question sent
    # in reply to a briefing does in Telegram (the console has no replies to choose a message by).
    briefing: bool = False


def run_command(lede: Lede, line: str, latest: LatestReply | None = None) -> tuple[str, dict[str, Any]]:
    """A command line typed on the console: the reply as plain text, and as JSON.

    ``latest`` is the console's reply to its latest question (None before any), whose answer
    ``/more``, ``/context``, ``/good`` and ``/bad`` act on.
    """
    first, *args = line.split()
    name, _ = addressed_command(first)  # /help@lede_bot is /help, as in a group
    command = COMMANDS.get(name.lower())
    try:
        if isinstance(command, AnswerCommand):
            outcome = _on_latest_answer(lede, name.lower(), command.act, latest)
        elif command:
            outcome = command.run(lede, args)
        else:
            outcome = Refused(TELEGRAM_ONLY.get(name.lower()) or unknown_command(name))
    except StoreGone:  # nothing more can be kept, so the session ends (bot.console)
        raise
    except LedeError as error:  # e.g. a change asked of a read-only store: the session goes on
        outcome = Refused(html.escape(error.reason, quote=False))
    if isinstance(outcome, Refused):
        text = source_replies.to_plain(outcome.text)
        return text, {"error": text}
    assert command is not None
    return source_replies.to_plain(command.reply(outcome)), command.to_json(outcome)


# ---- the use cases --------------------------------------------------------------------------------


def _add(lede: Lede, args: list[str]) -> Kept | Failure | FeedsImported | Refused:
    source = _one_source(" ".join(args))
    if source is None:
        return Refused(add_usage(ADD_FILE))
    if looks_like_url(source) or not _names_a_file(source):
        return lede.sources.add_url(source)  # "example.com/story": the reply says a web address needs https://
    return lede.sources.add_file(_expanded(source))


def _one_source(text: str) -> str | None:
    """The one address or path ``/add`` was given, else None.

    A file name may hold spaces: typed as it is, or quoted or escaped as a
    shell would take it (as a terminal pastes a file dragged into it).
    """
    if not text or _there(_expanded(text)):
        return text or None
    try:
        words = shlex.split(text)
    except ValueError:  # an unclosed quote
        words = text.split()
    return words[0] if len(words) == 1 else None


def _names_a_file(text: str) -> bool:
    """Whether ``/add`` was given a path (which may not exist: the reply then says so) rather than an address."""
    path = _expanded(text)
    return (_there(path) or text.startswith(("/", "~", "./", "../", ".\\", "..\\"))
            or path.suffix.lower() in _FILE_SUFFIXES)


def _there(path: Path) -> bool:
    """Whether something is at ``path``: a link into a folder Lede may not open is (adding it says it cannot be read)."""
    return absence(path) != NOTHING_THERE


def _expanded(text: str) -> Path:
    """``text`` as a path, ``~`` expanded where there is such a home ("~nobody/x.txt" stays as typed)."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        return Path(text)


def _feed(lede: Lede, args: list[str]) -> FeedDone | Refused:
    match command := parse_feed_command(args):
        case FeedAdd(url):
            return FeedDone(command, lede.sources.follow_feed(url))
        case FeedList():
            return FeedDone(command, lede.sources.feeds())
        case FeedRemove(number):
            return FeedDone(command, lede.sources.unfollow_feed(number))
        case FeedExport():
            return FeedDone(command, lede.sources.export_opml())
    return Refused(FEED_USAGE)


def _sources(lede: Lede, args: list[str]) -> SourcesPage | Refused:
    listed = lede.sources.page(page=page_number(args))
    return Refused(source_replies.sources_listed(listed, WAYS_TO_ADD)) if isinstance(listed, Failure) else listed


def _brief(lede: Lede, args: list[str]) -> Any:
    return lede.briefings.brief(now=datetime.now(UTC), topic=" ".join(args) or None, messages=(CONSOLE_BRIEFING,))


@dataclass(frozen=True, slots=True)
class NewConversation:
    """``/new`` was done: the next question is read on its own."""


def _new(lede: Lede, args: list[str]) -> NewConversation:
    lede.questions.new_conversation(EVERYONE)
    return NewConversation()


def _settings(lede: Lede, args: list[str]) -> ChatSettings:
    return lede.briefings.settings(EVERYONE, now=datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Rated:
    """``/good`` or ``/bad`` was noted on the latest answer (Telegram's 👍/👎)."""

    helpful: bool


def _on_latest_answer(lede: Lede, command: str, act: Callable[[Lede, int], Any], latest: LatestReply | None) -> Any:
    """``command`` run on the answer of the latest reply, as Telegram's button under it runs ``act``; else why not."""
    if not lede.questions.keeps_answers:
        refusal = NONE_KEPT
    elif latest is None:
        refusal = NOTHING_ANSWERED
    elif latest.answer is None:
        refusal = NO_ANSWER_SHOWN
    else:
        found = act(lede, latest.answer)
        return Refused(html.escape(found.reason, quote=False)) if isinstance(found, Expired) else found
    return Refused(html.escape(refusal.format(command=command), quote=False))


def _rate(helpful: bool) -> Callable[[Lede, int], Rated | Expired]:
    def rate(lede: Lede, number: int) -> Rated | Expired:
        return Rated(helpful) if lede.questions.feedback(number, EVERYONE, helpful) else Expired()
    return rate


# ---- replies --------------------------------------------------------------------------------------


def _usages() -> list[str]:
    """Each command's usage line once (/good and /bad share one)."""
    return list(dict.fromkeys(command.usage for command in COMMANDS.values()))


def _help_text(_: Help) -> str:
    lines = "\n".join(html.escape(usage, quote=False) for usage in _usages())
    return ("Lede answers questions about the news with the sentence that answers them, and says where it came "
            "from. Type a question, or a command:\n/ask &lt;question&gt;\n" + lines + "\nCtrl-D ends.")


def _added(outcome: Kept | Failure | FeedsImported) -> str:
    return source_replies.feeds_imported(outcome) if isinstance(outcome, FeedsImported) else source_replies.added(outcome)


def _feed_reply(done: FeedDone) -> str:
    match done.command:
        case FeedAdd():
            return source_replies.feed_added(done.outcome)
        case FeedList():
            return source_replies.feed_list(done.outcome, WAYS_TO_ADD)
        case FeedRemove():
            return source_replies.feed_removal(done.outcome)
        case FeedExport() if isinstance(done.outcome, Failure):
            return source_replies.feeds_export_refused(done.outcome, WAYS_TO_ADD)
    return html.escape(done.outcome, quote=False)


# ---- JSON -----------------------------------------------------------------------------------------


def _help_json(outcome: Help) -> dict[str, Any]:
    return {"help": source_replies.to_plain(_help_text(outcome)),
            "commands": ["/ask <question>", *_usages()]}


def _added_json(outcome: Kept | Failure | FeedsImported) -> dict[str, Any]:
    """The ``--ingest --json`` summary of what ``/add`` did."""
    if isinstance(outcome, FeedsImported):
        return outcome.report.to_json()
    if isinstance(outcome, Failure):
        return IngestReport(failed=[outcome]).to_json()
    report = IngestReport()
    report.tally(outcome.article.source or outcome.article.article_id, lambda: outcome)  # as --ingest counts it
    return report.to_json()


def _feed_json(done: FeedDone) -> dict[str, Any]:
    match done.outcome:
        case Failure(reason=reason):
            return {"error": reason}
        case FeedFollowed():
            return {"feed": feed_to_json(done.outcome.feed), "already_followed": done.outcome.already_followed,
                    **done.outcome.report.to_json()}
        case list():
            return {"feeds": [feed_to_json(feed) for feed in done.outcome]}
        case Feed():
            return {"removed": feed_to_json(done.outcome)}
    return {"opml": done.outcome}


def feed_to_json(feed: Feed) -> dict[str, Any]:
    return {"url": feed.url, "title": feed.title, "failures": feed.failures, "last_error": feed.last_error,
            "checked": feed.checked.isoformat() if feed.checked else None}


def _sources_json(page: SourcesPage) -> dict[str, Any]:
    return {"feeds": [feed_to_json(feed) for feed in page.feeds],
            "articles": [source_to_json(article) for article in page.articles],
            "page": page.page, "pages": page.pages, "total_articles": page.total_articles,
            "loaded_at_start": page.loaded_at_start}


def _settings_json(current: ChatSettings) -> dict[str, Any]:
    daily = current.subscribed
    return {"daily_briefing": {"at": daily.schedule.label, "timezone": daily.schedule.timezone,
                               "next": daily.next_at.isoformat()} if daily else None,
            "last_briefing": current.last_briefing.isoformat() if current.last_briefing else None,
            "read_only": current.read_only}


def _more_json(candidates: tuple[Candidate, ...]) -> dict[str, Any]:
    return {"more": [candidate_to_json(candidate) for candidate in candidates],
            "message": None if candidates else group_replies.NO_MORE}


def _rated_json(rated: Rated) -> dict[str, Any]:
    return {"helpful": rated.helpful, "message": group_replies.THANKS}


def _context_json(found: Context) -> dict[str, Any]:
    return {"context": [passage.text for passage in found.passages], "answer_at": found.answer_at,
            "source": source_to_json(found.passages[found.answer_at].article)}


COMMANDS: dict[str, Command | AnswerCommand] = {
    "/help": Command("/help", lambda lede, args: Help(), _help_text, _help_json),
    "/start": Command("/start", lambda lede, args: Help(), _help_text, _help_json),
    "/add": Command("/add <url or file>", _add, _added, _added_json),
    "/feed": Command("/feed add <url> | /feed list | /feed remove <n> | /feed export", _feed, _feed_reply, _feed_json),
    "/sources": Command("/sources [page]", _sources, lambda page: source_replies.sources_page(page, WAYS_TO_ADD),
                        _sources_json),
    "/brief": Command("/brief [topic]", _brief, lambda briefing: "\n\n".join(briefing_html(briefing)), briefing_to_json),
    "/settings": Command("/settings", _settings, lambda current: group_replies.settings(current, daily=False),
                         _settings_json),
    "/new": Command("/new", _new, lambda _: group_replies.NEW_CONVERSATION,
                    lambda _: {"new_conversation": True, "message": group_replies.NEW_CONVERSATION}),
    "/more": AnswerCommand("/more", lambda lede, number: lede.questions.more_answers(number, EVERYONE),
                           group_replies.more_answers, _more_json),
    "/context": AnswerCommand("/context", lambda lede, number: lede.questions.context(number, EVERYONE),
                              group_replies.context, _context_json),
    "/good": AnswerCommand("/good | /bad", _rate(True), lambda _: group_replies.THANKS, _rated_json),
    "/bad": AnswerCommand("/good | /bad", _rate(False), lambda _: group_replies.THANKS, _rated_json),
}
