"""Run Lede: the Telegram bot, the console, or a single question.

``run_bot.py`` in a checkout and the ``lede`` command of an installed Lede both call :func:`main`, through
:mod:`bot.entry`, which handles a Ctrl-C while this module is imported.

    python run_bot.py                 # Telegram bot (needs TELEGRAM_BOT_TOKEN)
    python run_bot.py --console       # questions on standard input
    python run_bot.py --ask "…"       # one question
    python run_bot.py --ingest PATH_OR_URL [...]   # store articles and feeds, then exit
    python run_bot.py --brief [TOPIC] [--since DATE] [--json]   # a briefing of the stored news
    python run_bot.py --webhook https://bot.example.org/lede   # Telegram bot, updates as webhooks
    python run_bot.py --prune --keep-days 30       # remove older articles, give the space back
    python run_bot.py --backup PATH                # copy the store, safely while the bot runs
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sqlite3
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from bot.config import Config, Mode, load_config, url_password
from bot.console import answer_once, brief_once, following_feeds, progress_bar, run_console, run_ingest
from bot.heap import settle_loaded_objects
from bot.logs import configure_logging
from bot.operations import require_store, run_backup, run_prune
from bot.output import OutputFailed, Replies
from bot.service import Lede
from bot.stopping import ending_at_once_on_a_stop_signal
from corpus.errors import ConfigurationError, LedeError
from corpus.loader import expected_articles

# The standard descriptors, for those the shell closed, where sys.stdin, sys.stdout or sys.stderr is None.
STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO = 0, 1, 2
NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set, so the Telegram bot cannot start.\n"
    "Get a token from @BotFather and export TELEGRAM_BOT_TOKEN, or try Lede locally with:\n"
    "    python run_bot.py --console"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run Lede; every operator mistake ends here as one line on standard error (see :mod:`corpus.errors`)."""
    _hold_closed_standard_descriptors()
    try:
        config = load_config(argv)
    except ConfigurationError as error:
        return _refuse(error, debug=False)
    except (OutputFailed, BrokenPipeError) as error:  # --help or --version, which standard output did not take
        return _output_ended(error, debug=False)
    masked = [(config.token or "", config.masked_token)]
    # python-telegram-bot logs the Bot API URL at DEBUG, and other lines may name it too.
    masked.append((url_password(config.base_url) or "", "***"))
    if config.webhook is not None:
        masked.append((config.webhook.secret, "***"))
    configure_logging(config.log_level, masked)
    if config.mode is Mode.TELEGRAM and not config.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        return run(config)
    except (OutputFailed, BrokenPipeError) as error:
        return _output_ended(error, debug=config.log_level == "DEBUG")
    except LedeError as error:
        return _refuse(error, debug=config.log_level == "DEBUG")
    except sqlite3.DatabaseError as error:
        reason = _store_trouble(error, config.db_path)
        if reason is None:
            raise
        trouble = LedeError(reason)
        trouble.__cause__ = error
        return _refuse(trouble, debug=config.log_level == "DEBUG")
    except Terminated:
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:  # Ctrl-C before the console's prompt, or during a one-shot command
        return 0 if config.mode is Mode.CONSOLE else 130


def _hold_closed_standard_descriptors() -> None:
    """Open /dev/null on standard input, output and error where the shell closed them (``2>&-``), as daemons do.

    Python leaves ``sys.stderr`` None then, and ``print(…, file=None)`` writes to standard output: an error line
    landed among the answers (``--ask … --json > answer.json 2>&-``). And the next file opened would take the
    free descriptor, where anything written to it (a library's message, a child's) would land in that file.
    Standard error is then /dev/null: the exit status still says how the run ended. A closed standard
    input or output stays None to Python, which :func:`run` and :class:`~bot.output.Replies` name in one line.
    """
    for descriptor in (STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO):
        try:
            os.fstat(descriptor)
        except OSError:
            # The lowest free descriptor is this one: the ones before it are open, or were just opened here.
            os.open(os.devnull, os.O_RDWR)
    if sys.stderr is None:
        sys.stderr = open(STDERR_FILENO, "w", encoding="utf-8", errors="backslashreplace", closefd=False)


def _output_ended(error: OutputFailed | BrokenPipeError, *, debug: bool) -> int:
    """Standard output failed: one line saying so, or, when its reader went away (| head), stop silently,
    as a Unix tool stopped by SIGPIPE does."""
    _discard_output()
    if isinstance(error, BrokenPipeError):
        return 128 + signal.SIGPIPE
    return _refuse(error, debug=debug)


def _discard_output() -> None:
    """Let nothing more reach standard output, which failed: Python's own flush at exit would fail again on what
    is still buffered, and complain in a traceback."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), STDOUT_FILENO)


class Terminated(KeyboardInterrupt):
    """SIGTERM during an ingestion, a pruning or a backup (systemd stopping its unit, ``timeout``): it stops as
    Ctrl-C does, with the summary of what was stored and the note that the same command stores the rest, the
    note on what was pruned, or the half-written copy removed and a note on whether the copy was made."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextmanager
def _stopped_as_by_ctrl_c() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` meanwhile, so that what is under way is wound up as on Ctrl-C."""
    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _store_trouble(error: sqlite3.DatabaseError, db_path: Path | str) -> str | None:
    """What the operator can do about a store that failed for a reason outside Lede; None for anything else (a bug).

    Each article, each pruning step is one transaction: what was done stays done, and the same command again
    does the rest.
    """
    if error.sqlite_errorcode == sqlite3.SQLITE_FULL:
        return f"the disk holding {db_path} is full (SQLite: {error}); free some space, then run the same command again"
    if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:  # e.g. --prune giving the space back holds the write lock
        return (f"{db_path} stayed locked by another program (SQLite: {error}); run the same command again when "
                "that program is done with it")
    if error.sqlite_errorcode == sqlite3.SQLITE_CORRUPT:  # a disk fault, a copy taken without --backup
        return f"{db_path} is damaged (SQLite: {error}); restore it from a backup (see --backup)"
    return None


def _refuse(error: LedeError, *, debug: bool) -> int:
    """One line naming what is wrong (and, at ``--log-level DEBUG``, the traceback before it); the exit status."""
    if debug:
        traceback.print_exception(error)
    print(f"lede: {error.reason}", file=sys.stderr)
    return 2 if isinstance(error, ConfigurationError) else 1


def run(config: Config) -> int:
    """Do what ``config.mode`` says; returns the exit status."""
    out = Replies(sys.stdout)
    if config.mode is Mode.BACKUP:
        assert config.backup_path is not None
        with _stopped_as_by_ctrl_c():  # so that the half-written copy is removed
            return run_backup(config.db_path, config.backup_path, out, sys.stderr, setting=config.db_setting,
                              as_json=config.json_output)
    if config.mode is Mode.CONSOLE and sys.stdin is None:  # ``<&-``: Python found no standard input
        raise ConfigurationError("--console reads questions on standard input, which is closed; "
                                 "give it a terminal, a file or a pipe")
    if config.mode is Mode.PRUNE:
        # A mistyped --db must not become a new, empty store.
        require_store(config.db_path, config.db_setting, "prune")
    if config.mode is Mode.TELEGRAM:
        from bot.telegram_startup import wait_for_telegram  # imports python-telegram-bot, which --ask never needs

        if not wait_for_telegram(config):
            return 0  # stopped by a signal while Telegram was unreachable
    lede = open_lede(config)
    try:
        if config.mode is Mode.INGEST:
            with _stopped_as_by_ctrl_c():  # so that the summary says what was stored
                status = run_ingest(lede, list(config.ingest_sources), out, sys.stderr, as_json=config.json_output)
            lede.save_index()
            return status
        if config.mode is Mode.ASK:
            answer_once(lede, config.question or "", out, as_json=config.json_output, in_conversation=False)
        elif config.mode is Mode.BRIEF:
            brief_once(lede, out, topic=config.brief_topic, since=config.since, as_json=config.json_output)
        elif config.mode is Mode.PRUNE:
            with _stopped_as_by_ctrl_c():  # so that the note says whether anything was removed
                return run_prune(lede, out, sys.stderr, as_json=config.json_output, dry_run=config.dry_run)
        elif config.mode is Mode.CONSOLE:
            # Bytes that are not UTF-8 (a Latin-1 file piped in) read as U+FFFD, not as lone surrogates
            # that would fail the line's reply when it is written out.
            cast(io.TextIOWrapper, sys.stdin).reconfigure(errors="replace")
            with following_feeds(lede, config.feed_interval):
                run_console(lede, sys.stdin, out, as_json=config.json_output,
                            tracebacks=config.log_level == "DEBUG")
        else:
            run_telegram(config, lede)
    finally:
        with ending_at_once_on_a_stop_signal():
            lede.close()
    return 0


def open_lede(config: Config) -> Lede:
    """Lede for this run; loading ``--corpus`` shows a progress bar on standard error, as it can take a while."""
    if not config.corpus_paths or config.mode is Mode.INGEST:
        return Lede.from_config(config)
    with progress_bar("Loading --corpus", lambda: expected_articles(config.corpus_paths), sys.stderr) as advance:
        return Lede.from_config(config, progress=advance)


def run_telegram(config: Config, lede: Lede) -> None:
    from bot.telegram_app import ALLOWED_UPDATES, build_application, take_stop_signals

    settle_loaded_objects()  # many chats at once: see bot.heap
    if lede.preparing is not None:
        lede.preparing.start()
    application = build_application(config, lede)
    # The loop run_polling and run_webhook run on (they take the current one), with Lede's stop signals.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    take_stop_signals(application, loop)
    if config.webhook is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None)
    else:
        webhook = config.webhook
        application.run_webhook(listen=webhook.listen, port=webhook.port, url_path=webhook.path,
                                webhook_url=webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES,
                                stop_signals=None)
    if application.bot_data.stopped_by is not None:  # the store was removed or replaced: see error_handler
        raise application.bot_data.stopped_by

