"""The console: the same engine and the same replies as Telegram, on a terminal or a pipe.

Lines that start with ``/`` are the Telegram commands for sources (``/add``,
``/feed``, ``/sources``), run by the same service functions and printed as
the same replies without the markup; everything else is a question, as is
``/ask <question>``. Where Telegram takes a sent document, the console's
``/add`` takes the path of a local file.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bot import group_replies, source_replies
from bot.feed_command import FEED_USAGE, FeedAdd, FeedExport, FeedList, FeedRemove, parse_feed_command
from bot.formatting import briefing_html, briefing_to_json, format_plain, outcome_to_json
from bot.service import Lede
from corpus.sources import FeedsImported
from corpus.store import EVERYONE
from corpus.urls import looks_like_url

PROMPT = "? "
GREETING = "Lede: ask a question about the news (Ctrl-D to quit)."
COMMANDS_HELP = (
    "Commands: /ask <question>, /add <url or file>, /feed add <url>, /feed list, /feed remove <n>, "
    "/feed export, /sources [page], /brief [topic], /settings, /new"
)


def answer_once(lede: Lede, question: str, output: TextIO, *, as_json: bool, in_conversation: bool = True) -> None:
    """Answer one question and print the reply: in the light of the console's conversation, or (``--ask``) on its own."""
    if in_conversation:
        outcome = lede.questions.answer(question, EVERYONE, now=datetime.now(UTC)).outcome
    else:
        outcome = lede.questions.ask(question)
    if as_json:
        output.write(json.dumps(outcome_to_json(outcome), ensure_ascii=False) + "\n")
    else:
        output.write(format_plain(outcome) + "\n")
    output.flush()


def brief_once(
    lede: Lede, output: TextIO, *, topic: str | None, since: datetime | None, as_json: bool
) -> None:
    """``--brief``: print the briefing, as Telegram shows it without the markup, or as JSON."""
    briefing = lede.briefings.brief(now=datetime.now(UTC), topic=topic, since=since)
    if as_json:
        output.write(json.dumps(briefing_to_json(briefing), ensure_ascii=False) + "\n")
    else:
        output.write(source_replies.to_plain("\n\n".join(briefing_html(briefing))) + "\n")
    output.flush()


def run_console(lede: Lede, input_stream: TextIO, output: TextIO, *, as_json: bool) -> None:
    """Answer each input line until end of input.

    In JSON mode every input line, even a blank one, gets exactly one JSON
    line back, so a program on the other end of the pipe can pair them up.
    A person at a terminal gets a prompt and blank lines are ignored.
    """
    interactive = input_stream.isatty() and not as_json
    if interactive:
        output.write(GREETING + "\n" + COMMANDS_HELP + "\n" + PROMPT)
        output.flush()
    for line in input_stream:
        if line.split(maxsplit=1)[:1] == ["/ask"]:
            answer_once(lede, line.removeprefix("/ask"), output, as_json=as_json)
            if not as_json:
                output.write("\n")
        elif line.split(maxsplit=1)[:1] == ["/new"]:
            lede.questions.new_conversation(EVERYONE)
            output.write(_new_reply(as_json) + "\n")
            output.flush()
        elif line.startswith("/") and not as_json:
            output.write(source_replies.to_plain(run_command(lede, line)) + "\n\n")
        elif as_json or line.strip():
            answer_once(lede, line, output, as_json=as_json)
            if not as_json:
                output.write("\n")
        if interactive:
            output.write(PROMPT)
            output.flush()


def _new_reply(as_json: bool) -> str:
    """What ``/new`` prints: Telegram's words, or one JSON line so that a pipe stays paired."""
    if as_json:
        return json.dumps({"new_conversation": True, "message": group_replies.NEW_CONVERSATION})
    return group_replies.NEW_CONVERSATION + "\n"


def run_command(lede: Lede, line: str) -> str:
    """A source command typed on the console, as Telegram HTML (the caller strips the markup)."""
    command, *args = line.split()
    action = _COMMANDS.get(command.lower())
    if action is None:
        return html.escape(f"Unknown command {command}. {COMMANDS_HELP}", quote=False)
    return action(lede, args)


def _add(lede: Lede, args: list[str]) -> str:
    if len(args) != 1:
        return "Usage: /add &lt;url or file&gt;"
    path = Path(args[0]).expanduser()
    if looks_like_url(args[0]) or not path.is_file():
        return source_replies.added(lede.sources.add_url(args[0]))
    outcome = lede.sources.add_file(path)
    return source_replies.feeds_imported(outcome) if isinstance(outcome, FeedsImported) else source_replies.added(outcome)


def _feed(lede: Lede, args: list[str]) -> str:
    match parse_feed_command(args):
        case FeedAdd(url):
            return source_replies.feed_added(lede.sources.follow_feed(url))
        case FeedList():
            return source_replies.feed_list(lede.sources.feeds())
        case FeedRemove(number):
            return source_replies.feed_removal(lede.sources.unfollow_feed(number))
        case FeedExport():
            return html.escape(lede.sources.export_opml(), quote=False)
    return FEED_USAGE


def _sources(lede: Lede, args: list[str]) -> str:
    page = int(args[0]) if args and args[0].isdigit() else 1
    return source_replies.sources_page(lede.sources.page(page=page))


def _brief(lede: Lede, args: list[str]) -> str:
    return "\n\n".join(briefing_html(lede.briefings.brief(now=datetime.now(UTC), topic=" ".join(args) or None)))


def _settings(lede: Lede, args: list[str]) -> str:
    return group_replies.settings(lede.briefings.settings(EVERYONE, now=datetime.now(UTC)))


# Daily briefings (/subscribe) need a chat to deliver to, so they are Telegram's alone.
_COMMANDS: dict[str, Callable[[Lede, list[str]], str]] = {
    "/add": _add, "/feed": _feed, "/sources": _sources, "/brief": _brief, "/settings": _settings,
}


def run_ingest(lede: Lede, sources: list[str], output: TextIO, errors: TextIO, *, as_json: bool) -> int:
    """``--ingest``: store the sources with a progress bar on ``errors``, then print the summary.

    With ``as_json`` the summary is one JSON object on the last line of
    ``output``. Returns the exit status: 0 unless every source failed.
    """
    console = Console(file=errors)
    columns = (SpinnerColumn(), TextColumn("Ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("ingest", total=None)
        report = lede.sources.ingest(sources, progress=lambda: progress.advance(task))
    if as_json:
        output.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    else:
        output.write(source_replies.to_plain(source_replies.ingest_summary(report)) + "\n")
    output.flush()
    return 1 if report.failed and not (report.added or report.known) else 0
