"""The console: the same engine and the same replies as Telegram, on a terminal or a pipe.

Lines that start as Telegram's commands do (``/`` and a letter, digit or _) are
its commands (:mod:`bot.console_commands`), run by the same use cases and printed
as the same replies without the markup, or as JSON; everything else is a
question, as is ``/ask <question>``. Where Telegram takes a sent document, the
console's ``/add`` takes the path of a local file. The followed feeds are read
while the console runs, as the bot reads them (:func:`following_feeds`).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bot import source_replies
from bot.briefing_service import CONSOLE_BRIEFING
from bot.console_commands import LatestReply, run_command
from bot.formatting import APOLOGY, briefing_html, briefing_to_json, format_plain, outcome_to_json
from bot.output import Output, OutputFailed
from bot.questions import InvalidQuestion, link_refusal
from bot.service import Lede
from bot.stopping import ending_at_once_on_a_stop_signal
from bot.terminal import typed_lines
from bot.typed_commands import addressed_command
from corpus.errors import StoreGone
from corpus.ingest import IngestReport
from corpus.store import EVERYONE

log = logging.getLogger(__name__)

PROMPT = "? "
GREETING = "Lede: ask a question about the news (/help for the commands, Ctrl-D to quit)."
# The most of one input line the console reads (see _bounded_lines): far more than any question or command.
MAX_LINE_CHARS = 65_536
INGEST_INTERRUPTED = "Interrupted: the summary counts what was stored; the same command again stores the rest."
# A command, as Telegram marks one: a slash, then a letter, digit or _ ("/ who …" and "/🙂" are typed text).
_COMMAND = re.compile(r"/\w", re.ASCII)


def answer_once(
    lede: Lede, question: str, output: Output, *, as_json: bool, in_conversation: bool = True,
    after_briefing: bool = False,
) -> LatestReply | None:
    """Answer one question and print the reply: in the light of the console's conversation, or (``--ask``) on its own.

    ``after_briefing``: the reply before it was a briefing, which the question asks about as a
    Telegram reply to it would. Returns the reply, for /more and the like; None when Lede would
    not look the question up ("thanks", "hello", a link, "which story?" …): the reply before
    stands, as the conversation does.
    """
    number = None
    if in_conversation:
        replying_to = CONSOLE_BRIEFING if after_briefing else None
        now = datetime.now(UTC)
        answered = lede.questions.answer(question, EVERYONE, now=now, replying_to=replying_to)
        # "Which story?" (or "Story 2 … doesn't say") stands in for the briefing: "the first" asks the question of it.
        if answered.briefing:
            lede.questions.note_which_story(EVERYONE, CONSOLE_BRIEFING, answered, now)
        outcome, number = answered.outcome, answered.number
    else:
        outcome = lede.questions.ask(question)
        if isinstance(outcome, InvalidQuestion) and outcome.link:  # a one-shot run has no /add
            outcome = replace(outcome, reason=link_refusal("--ingest <link>"))
    if as_json:
        output.write(json.dumps(outcome_to_json(outcome), ensure_ascii=False) + "\n")
    else:
        output.write(format_plain(outcome, terminal=output.isatty()) + "\n")
    output.flush()
    return None if isinstance(outcome, InvalidQuestion) else LatestReply(number)


def brief_once(
    lede: Lede, output: Output, *, topic: str | None, since: datetime | None, as_json: bool
) -> None:
    """``--brief``: print the briefing, as Telegram shows it without the markup, or as JSON."""
    briefing = lede.briefings.brief(now=datetime.now(UTC), topic=topic, since=since)
    if as_json:
        output.write(json.dumps(briefing_to_json(briefing), ensure_ascii=False) + "\n")
    else:
        output.write(source_replies.to_plain("\n\n".join(briefing_html(briefing))) + "\n")
    output.flush()


def run_console(lede: Lede, input_stream: TextIO, output: Output, *, as_json: bool, tracebacks: bool = False) -> None:
    """Answer each input line until end of input (Ctrl-D) or Ctrl-C.

    In JSON mode every input line, even a blank one, gets exactly one JSON
    line back, so a program on the other end of the pipe can pair them up:
    a question's answer, or a command's result (:mod:`bot.console_commands`).
    A person at a terminal gets a prompt, line editing and history
    (:mod:`bot.terminal`), and blank lines are ignored.

    A line whose handling fails unexpectedly (a bug, a failing disk) gets
    Telegram's apology, and the session goes on; the failure is logged in
    one line, with its traceback when ``tracebacks`` (``--log-level DEBUG``).
    """
    interactive = input_stream.isatty() and not as_json
    latest: LatestReply | None = None  # what /more, /context, /good and /bad act on; None before any question
    if interactive:
        output.write(GREETING + "\n")
        output.flush()
    try:
        for line in typed_lines(PROMPT) if interactive else _bounded_lines(input_stream):
            try:
                lede.follow_store()  # what lede --ingest or --prune changed meanwhile, before it is asked about
                latest = _reply(lede, line, output, latest, as_json=as_json)
            except (BrokenPipeError, OutputFailed, StoreGone):
                # The reader went away (| head), the output is full or closed: no reply can reach it, nor an
                # apology. Or the store's file is gone: nothing from here on could be kept. The session ends
                # (in one line, or silently for | head: bot.main).
                raise
            except Exception as error:  # noqa: BLE001 - one line's failure must not end the session
                log.error("Failed to handle a console line: %s: %s", type(error).__name__, error, exc_info=tracebacks)
                output.write(json.dumps({"error": APOLOGY}) + "\n" if as_json else APOLOGY + "\n\n")
                output.flush()
    except KeyboardInterrupt:
        if interactive:
            output.write("\n")


def _bounded_lines(stream: TextIO) -> Iterator[str]:
    """Each line of ``stream``, of which the first :data:`MAX_LINE_CHARS` characters are kept and the rest read past.

    A line is never held whole: one without end (``< /dev/zero``, a binary file piped in by mistake) would fill
    the memory before its first reply. Kept, the first characters are enough to refuse it (a question is read up
    to 500), and the next line is answered as usual.
    """
    while line := stream.readline(MAX_LINE_CHARS):
        rest = line
        while len(rest) == MAX_LINE_CHARS and not rest.endswith("\n"):
            rest = stream.readline(MAX_LINE_CHARS)
        yield line


@contextmanager
def following_feeds(lede: Lede, interval: float) -> Iterator[None]:
    """While the console runs, read the followed feeds that are due every ``interval`` seconds, as the bot's job does.

    In a thread of its own, so a slow feed never holds up a question; what
    it finds goes to the log (standard error), never between the console's
    replies. At the end a poll under way is let finish the fetches it has
    begun, and read no more (see :meth:`~corpus.feed_poller.FeedPoller.stop`),
    so the store is closed after its last article, not during it; a stop
    signal meanwhile ends the run at once (:mod:`bot.stopping`).
    """
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(interval):
            try:
                lede.poller.poll_due()
            except StoreGone as error:  # no poll can keep anything now; the console's next change ends it
                log.error("Stopped reading the followed feeds: %s", error.reason)
                return
            except Exception:  # noqa: BLE001 - a failed poll must not end the polling (or the console)
                log.exception("Reading the followed feeds failed")

    thread = threading.Thread(target=poll, name="feed-poller", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        with ending_at_once_on_a_stop_signal():
            lede.poller.stop()
            thread.join(timeout=1.0)
            if thread.is_alive():
                print("Finishing the feed poll under way…", file=sys.stderr, flush=True)
                thread.join()


def _reply(lede: Lede, line: str, output: Output, latest: LatestReply | None, *, as_json: bool) -> LatestReply | None:
    """Reply to one line; ``latest`` is the reply to the latest question looked up, returned as the line leaves it."""
    # As Telegram reads a message: trimmed ("  /help" is /help), a command ending at any white space.
    line = " ".join(line.split())
    command, _, question = line.partition(" ")
    name = addressed_command(command)[0].lower()  # as Telegram reads commands: /ASK and /ask@lede_bot are /ask
    after_briefing = latest is not None and latest.briefing
    if name == "/ask":
        latest = answer_once(lede, question, output, as_json=as_json, after_briefing=after_briefing) or latest
    elif _COMMAND.match(line):
        text, data = run_command(lede, line, latest)
        output.write(json.dumps(data, ensure_ascii=False) + "\n" if as_json else text + "\n")
        output.flush()
        latest = _after_command(name, data, latest)
    elif as_json or line:
        latest = answer_once(lede, line, output, as_json=as_json, after_briefing=after_briefing) or latest
    else:
        return latest
    if not as_json:
        output.write("\n")
    return latest


def _after_command(name: str, data: dict[str, Any], latest: LatestReply | None) -> LatestReply | None:
    """The latest reply after command ``name`` answered ``data``: a briefing's stories are what the next
    question asks about, until it is asked or ``/new`` starts afresh; an answer stays the one ``/more`` acts on."""
    answer = latest.answer if latest else None
    if name == "/brief" and data.get("stories"):
        return LatestReply(answer, briefing=True)
    if name == "/new" and latest is not None:
        return LatestReply(answer)
    return latest


def run_ingest(lede: Lede, sources: list[str], output: Output, errors: TextIO, *, as_json: bool) -> int:
    """``--ingest``: store the sources with a progress bar on ``errors``, then print the summary.

    With ``as_json`` the summary is one JSON object on the last line of
    ``output``. Returns the exit status: 1 when any source failed, else 0
    (files of other types skipped in folders are reported, not failures).
    Ctrl-C prints the summary of what was stored until then (each article
    is stored whole or not at all) and a note on ``errors`` that the same
    command stores the rest, then ends the run as Ctrl-C does. A full disk,
    or a store another program keeps locked, prints the summary too before it
    ends the run (see :func:`bot.main.main`).
    """
    report = IngestReport()
    try:
        with progress_bar("Ingesting", lambda: lede.sources.expected_articles(sources), errors) as advance:
            lede.sources.ingest(sources, progress=advance, report=report)
    except KeyboardInterrupt:
        _print_summary(report, output, as_json=as_json)
        print(INGEST_INTERRUPTED, file=errors, flush=True)
        raise
    except sqlite3.OperationalError:  # a full disk, a store locked too long: what was stored until then stays
        _print_summary(report, output, as_json=as_json)
        raise
    _print_summary(report, output, as_json=as_json)
    return 1 if report.failed else 0


def _print_summary(report: IngestReport, output: Output, *, as_json: bool) -> None:
    if as_json:
        output.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    else:
        output.write(source_replies.to_plain(source_replies.ingest_summary(report)) + "\n")
    output.flush()


@contextmanager
def progress_bar(label: str, count_total: Callable[[], int | None], errors: TextIO) -> Iterator[Callable[[], None]]:
    """A bar on ``errors`` counting articles (out of ``count_total()`` when known); the callback counts one more.

    It is drawn only on a terminal (a pipe or a log file gets nothing), and taken away when done. The total is
    counted only for a bar drawn: counting reads the files ahead (most of a second for a large folder), which
    under cron, systemd or a pipe would be for nothing.
    """
    columns = (SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = Console(file=errors)
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=count_total() if console.is_terminal else None)
        yield lambda: progress.advance(task)
