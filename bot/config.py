"""The one configuration object, built from command-line flags and the environment."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import platformdirs

from bot.access import AccessPolicy, Action, RateLimit
from bot.webhook import DEFAULT_LISTEN, DEFAULT_PORT, Webhook
from bot.conversations import DEFAULT_QUIET
from bot.environment import Variable, describe
from bot.output import Replies
from corpus.errors import ConfigurationError
from corpus.feed_poller import DEFAULT_FEED_INTERVAL
from corpus.fetch import FetchPolicy
from corpus.loader import BUNDLED_SEEDS, SUPPORTED_SUFFIXES
from corpus.retention import parse_keep_days
from corpus.sources import DEFAULT_MAX_UPLOAD_BYTES

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

TELEGRAM_API_URL = "https://api.telegram.org/bot"
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The longest feed interval or conversation pause Lede takes. Far beyond it (1e300 seconds) a
# timer or a timedelta overflows: the feed thread or the start-up would fail with a traceback.
LONGEST_DURATION = timedelta(days=365)
# The shortest feed interval Lede takes: 0.001 would fetch every followed feed a thousand times a
# second, hammering its publisher and busying the bot. A second still lets a test or a local feed be
# followed closely.
SHORTEST_FEED_INTERVAL = 1.0
# Per person: nobody asks more than a question every two seconds for long, and
# each source added makes Lede fetch and parse a URL or a file.
RATE_LIMIT_SETTINGS = {
    Action.QUESTION: ("LEDE_QUESTION_LIMIT", "30/60"),
    Action.ADD_SOURCE: ("LEDE_ADD_LIMIT", "10/600"),
}


class Mode(Enum):
    """What a run of ``run_bot.py`` does."""

    TELEGRAM = "telegram"
    CONSOLE = "console"
    ASK = "ask"
    INGEST = "ingest"
    BRIEF = "brief"
    PRUNE = "prune"
    BACKUP = "backup"


def default_db_path() -> Path:
    """The user's data directory (``~/.local/share/lede/lede.db`` on Linux)."""
    return platformdirs.user_data_path("lede") / "lede.db"


@dataclass(frozen=True)
class Config:
    """Everything a run needs to know; nothing else reads flags or the environment."""

    mode: Mode
    token: str | None = field(default=None, repr=False)
    base_url: str = TELEGRAM_API_URL
    question: str | None = None
    brief_topic: str | None = None
    since: datetime | None = None
    json_output: bool = False
    corpus_paths: tuple[Path, ...] = ()
    seeds_dir: Path = BUNDLED_SEEDS
    db_path: Path | str = ":memory:"
    # Where db_path came from, named in its errors; and whether its folder may be created.
    db_setting: str = "the database"
    create_db: bool = True
    ingest_sources: tuple[str, ...] = ()
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    feed_interval: float = DEFAULT_FEED_INTERVAL
    # How often each subscribed chat's job checks whether its daily briefing is due.
    briefing_check_interval: float = 60.0
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    log_level: str = "INFO"  # as given, else the mode's default (see _log_level)
    access: AccessPolicy = field(default_factory=AccessPolicy)
    rate_limits: dict[Action, RateLimit] = field(default_factory=lambda: rate_limits_from({}))
    # Webhook mode instead of long polling (None: poll); see bot/webhook.py.
    webhook: Webhook | None = None
    # Articles older than this many days are removed (None: keep everything); see corpus/retention.py.
    keep_days: int | None = None
    # --prune --dry-run: say what would be removed, remove nothing.
    dry_run: bool = False
    # As typed, not as a Path: a trailing "/" says it names a folder (see bot.operations.run_backup).
    backup_path: str | None = None
    # A conversation quiet this long is over: the next question is read on its own.
    conversation_quiet: timedelta = DEFAULT_QUIET

    @property
    def masked_token(self) -> str:
        """The token as it may appear in logs: the bot id, never the secret."""
        if not self.token:
            return "<none>"
        bot_id, _, _secret = self.token.partition(":")
        return f"{bot_id}:***"

    @property
    def shown_base_url(self) -> str:
        """``base_url`` as it may appear in logs and errors: see :func:`masked_url`."""
        return masked_url(self.base_url)

    @property
    def base_file_url(self) -> str:
        """File downloads live beside the API at ``…/file/bot<token>``."""
        root = self.base_url.removesuffix("/").removesuffix("/bot")
        return f"{root}/file/bot"


def rate_limits_from(environ: Mapping[str, str]) -> dict[Action, RateLimit]:
    """``LEDE_QUESTION_LIMIT`` and ``LEDE_ADD_LIMIT`` (``30/60``, ``off``), else the defaults."""
    return {action: RateLimit.parse(name, environ.get(name) or default)
            for action, (name, default) in RATE_LIMIT_SETTINGS.items()}


def environment_help() -> str:
    """Every environment variable Lede reads, grouped as the README groups them, with defaults from the code."""
    question_limit, add_limit = (RATE_LIMIT_SETTINGS[action][1] for action in (Action.QUESTION, Action.ADD_SOURCE))
    return describe([
        ("Telegram", [
            Variable("TELEGRAM_BOT_TOKEN", "the bot's token from @BotFather (masked in every log line)",
                     "unset: run_bot.py points to --console", "123456:ABC-DEF1234ghIkl"),
            Variable("TELEGRAM_BASE_URL", "the Bot API server, an http(s) URL ending in /bot",
                     TELEGRAM_API_URL, "http://127.0.0.1:8081/bot"),
        ]),
        ("Sources and the store", [
            Variable("LEDE_DB", "the database, as --db", str(default_db_path()), "/var/lib/lede/lede.db"),
            Variable("LEDE_FEED_INTERVAL", "seconds between feed polls, as --feed-interval",
                     f"{DEFAULT_FEED_INTERVAL:g}", "300"),
            Variable("LEDE_ALLOW_PRIVATE_URLS", "1 lets Lede fetch from loopback and private addresses, or a list of them",
                     "unset: public addresses only", "10.1.0.0/16,127.0.0.1"),
            Variable("LEDE_CONVERSATION_MINUTES", "a conversation quiet this long is over (follow-up questions)",
                     f"{DEFAULT_QUIET.total_seconds() / 60:g}", "30"),
        ]),
        ("Who may use the bot, and how often", [
            Variable("LEDE_ALLOWED_USERS", "Telegram user ids who may use the bot in any chat",
                     "unset (and LEDE_ALLOWED_CHATS unset): everyone", "12345678,87654321"),
            Variable("LEDE_ALLOWED_CHATS", "chat ids in which everyone may use the bot (groups are negative)",
                     "unset", "-1001234567890"),
            Variable("LEDE_QUESTION_LIMIT", "questions per person (More/Context taps and inline queries too), "
                     "COUNT/SECONDS, or off", question_limit, "10/60"),
            Variable("LEDE_ADD_LIMIT", "sources added per person (/add, documents, /feed add), COUNT/SECONDS, or off",
                     add_limit, "off"),
        ]),
        ("Running as a service", [
            Variable("LEDE_KEEP_DAYS", "keep articles this many days by their date, as --keep-days (a whole number)",
                     "unset: keep everything", "30"),
            Variable("LEDE_WEBHOOK_LISTEN", "with --webhook: the address the webhook server listens on",
                     DEFAULT_LISTEN, "0.0.0.0"),
            Variable("LEDE_WEBHOOK_PORT", "with --webhook: its port", str(DEFAULT_PORT), "8443"),
            Variable("LEDE_WEBHOOK_SECRET", "with --webhook: the secret Telegram must send (1-256 of A-Z a-z 0-9 _ -)",
                     "a new random one at every start", "k3y_from-a-vault"),
        ]),
        ("Logging", [
            Variable("LEDE_LOG_LEVEL", f"as --log-level: {', '.join(LOG_LEVELS)}",
                     "INFO for the bot, WARNING for the console and one-shot commands", "DEBUG"),
        ]),
    ])


def lede_version() -> str:
    """The installed package's version (a checkout that was never installed has none)."""
    try:
        return version("lede")
    except PackageNotFoundError:
        return "unknown (not installed; pip install -e .)"


class _GivenOnce(argparse.Action):
    """A flag that takes one value, which argparse would let a second one replace without a word.

    ``--prune --keep-days 300 … --keep-days 3`` would remove what 3 days keep, ``--db a.db … --db b.db``
    use b.db: which one was meant cannot be known, so two different values are refused. The same value
    twice means one thing, and is taken.
    """

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        earlier = getattr(namespace, self.dest)
        if earlier is not self.default and earlier != values:  # argparse sets the default before any flag
            parser.error(f"{option_string} was given twice ({earlier!r}, then {values!r}); give it once")
        setattr(namespace, self.dest, values)


class _OneLineParser(argparse.ArgumentParser):
    """argparse, except that a mistake in a flag ends in one line, as every other operator mistake does.

    argparse would print its usage (seven lines) before the mistake;
    ``--help`` still prints everything. A flag that takes one value is :class:`_GivenOnce`.
    """

    def __init__(self, **settings: Any) -> None:  # argparse's own keywords, each of its type
        super().__init__(**settings)
        self.register("action", None, _GivenOnce)  # the action of a flag that names none

    def error(self, message: str) -> NoReturn:
        # argparse says "argument --since: …"; the flag's name alone says it, as Lede's other lines do.
        raise ConfigurationError(f"{message.removeprefix('argument ')} (see --help)")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """``--help`` and ``--version``, the only messages argparse still prints itself (see :meth:`error`).

        argparse ignores a failed write (``--help > /dev/full`` exits 0, having written nothing) and sends them
        to standard error when standard output is closed; written as Lede's replies are, the run ends in one line
        on standard error (or silently for ``| head``), with the exit status of any other output that failed.
        Both go to standard output, whichever ``file`` argparse names (None when the shell closed it).
        """
        out = Replies(sys.stdout)
        out.write(message)
        out.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        description="Lede answers questions about the news with the sentence that answers them, "
        "and says where it came from. Starts the Telegram bot when TELEGRAM_BOT_TOKEN is set.",
        epilog=environment_help() + "\n\nexit status: 0 done; 1 --ingest had a source that failed, or a change "
        "was asked of a read-only store, or the store is damaged (--backup copies it all the same); 2 a flag, variable "
        "or path is wrong (one line on standard error says which)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {lede_version()}")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--console", action="store_true", help="answer questions typed on standard input")
    modes.add_argument("--ask", metavar="QUESTION", type=_not_empty("the question to answer"),
                       help="answer one question and exit")
    modes.add_argument(
        "--ingest",
        metavar="PATH_OR_URL",
        nargs="+",
        action="extend",  # --ingest A --ingest B stores both, not only B
        type=_not_empty("the files, folders or URLs to store"),
        help="store articles from files, folders (recursively), .opml feed lists, web pages or feeds, then exit",
    )
    modes.add_argument(
        "--brief",
        metavar="TOPIC",
        nargs="?",
        const="",
        help="print a briefing of the news since --since (else the last briefing, else 24 hours), "
        "optionally only the stories about TOPIC, then exit",
    )
    modes.add_argument("--prune", action="store_true",
                       help="remove the articles older than --keep-days (or $LEDE_KEEP_DAYS) and give the disk space back, then exit")
    parser.add_argument("--dry-run", action="store_true",
                        help="with --prune: say how many articles it would remove and how many would stay, remove nothing")
    modes.add_argument("--backup", metavar="PATH", type=_not_empty("the file or folder to copy the store to"),
                       help="copy the store to PATH (a file, or a folder to copy it into) with SQLite's online backup (safe while the bot runs), then exit")
    parser.add_argument(
        "--since",
        metavar="DATE",
        type=_moment,
        help="with --brief: look back from this date or time (ISO 8601, e.g. 1987-03-01 or 2025-05-01T08:00; UTC "
        "unless it says otherwise)",
    )
    parser.add_argument("--json", action="store_true", help="print answers (or the --ingest summary, the briefing, what --prune removed, or where --backup copied the store) as JSON")
    parser.add_argument(
        "--corpus",
        metavar="PATH",
        action="append",
        type=_not_empty("a file or folder of articles"),
        default=[],
        help=f"a file or folder of articles ({', '.join(SUPPORTED_SUFFIXES)}) to load for this run only "
        "(--ingest stores them); repeatable",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        type=_not_empty("the database file"),
        help=f"the SQLite database Lede keeps its sources in (default: $LEDE_DB, else {default_db_path()})",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="create the folder of --db (or $LEDE_DB) when it does not exist; without it a missing folder is an "
        "error, so a typo in the path never starts an empty store",
    )
    parser.add_argument(
        "--feed-interval",
        metavar="SECONDS",  # read with LEDE_FEED_INTERVAL, so that a mistake in either reads alike
        help="how often the followed feeds are read, by the bot and the console (default: $LEDE_FEED_INTERVAL or 900)",
    )
    parser.add_argument("--log-level", default=None,
                        help=f"logging level: {', '.join(LOG_LEVELS)} (default: $LEDE_LOG_LEVEL, else INFO for the "
                        "bot and WARNING for the console and one-shot commands); "
                        "DEBUG also shows the traceback behind an error message")
    parser.add_argument("--webhook", metavar="URL", type=_not_empty("the public https URL Telegram posts updates to"),
                        help="take updates as webhooks at this public https URL (behind a reverse proxy) instead of polling")
    parser.add_argument("--webhook-listen", metavar="ADDRESS",
                        help="with --webhook: the address to listen on (default: $LEDE_WEBHOOK_LISTEN or 127.0.0.1)")
    parser.add_argument("--webhook-port", metavar="PORT",
                        help="with --webhook: the port to listen on (default: $LEDE_WEBHOOK_PORT or 8080)")
    parser.add_argument("--keep-days", metavar="DAYS",
                        help="keep articles this many days, by their date (default: $LEDE_KEEP_DAYS, else keep everything)")
    return parser


def _moment(text: str) -> datetime:
    """A --since value: an ISO 8601 date or date-time, in UTC unless it names its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 1987-03-01 or 2025-05-01T08:00") from None
    try:
        # In UTC, as the briefing says it: an offset at either end of the calendar (0001-01-01T00:00+05:00)
        # would otherwise reach past year 1 or 9999 only when the briefing is written.
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r} is before year 1 or after year 9999 in UTC") from None
    # Nothing is new since a moment to come: the briefing said "Nothing new since 31 Dec 9999". A local time given
    # without its offset is read as UTC, and may lie ahead of UTC's now: the line says how to give the offset.
    now = datetime.now(UTC)
    if moment > now:
        raise argparse.ArgumentTypeError(f"{text!r} is later than now ({now:%Y-%m-%d %H:%M} UTC); give a moment past, "
                                         "in UTC unless it names its offset, e.g. 2025-05-01T08:00+02:00")
    return moment


def _not_empty(meaning: str) -> Callable[[str], str]:
    """The type of a flag that takes a path, a URL or a question: an empty value (an unset shell variable) is refused.

    Read as a path, it would be ".", the whole current folder: ``--ingest "$DIR"`` would store every
    file under it, ``--corpus`` load them all, ``--backup`` copy into it; an empty ``--webhook``
    would start the bot polling instead. An empty ``--ask`` has nothing to answer, as an empty
    ``--ingest`` has nothing to store (the console's empty line is another matter: it asks for a question).
    """
    def given(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"give {meaning}; it is empty")
        return text
    return given


def load_config(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration: flags win over the environment, which wins over defaults."""
    environ = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.since is not None and args.brief is None:
        parser.error("--since goes with --brief")
    if args.dry_run and not args.prune:
        parser.error("--dry-run goes with --prune")
    # Without --webhook the bot polls, and a listening address or port given for it would be ignored.
    for flag, value in (("--webhook-listen", args.webhook_listen), ("--webhook-port", args.webhook_port)):
        if value is not None and not args.webhook:
            parser.error(f"{flag} goes with --webhook")
    one_shot = (args.ask is not None or bool(args.ingest) or args.brief is not None or args.prune
                or args.backup is not None)
    # Only the bot prunes on a schedule, and --prune once; anywhere else the flag would keep nothing.
    if args.keep_days is not None and (args.console or (one_shot and not args.prune)):
        parser.error("--keep-days goes with the Telegram bot or --prune")
    # The bot answers in Telegram and prints nothing: "lede --json" (without --console) would start it.
    if args.json and not (args.console or one_shot):
        parser.error("--json goes with --console, --ask, --ingest, --brief, --prune or --backup")
    # Only the bot and the console follow feeds; a one-shot command would ignore the interval.
    if args.feed_interval is not None and one_shot:
        parser.error("--feed-interval goes with the Telegram bot or --console")
    # --corpus loads articles into the index of a run that answers; --ingest stores them instead.
    if args.corpus and (args.ingest or args.prune or args.backup is not None):
        parser.error("--corpus goes with --console, --ask, --brief or the Telegram bot (--ingest stores articles)")
    if args.ingest:
        mode = Mode.INGEST
    elif args.brief is not None:
        mode = Mode.BRIEF
    elif args.ask is not None:
        mode = Mode.ASK
    elif args.prune:
        mode = Mode.PRUNE
    elif args.backup is not None:
        mode = Mode.BACKUP
    elif args.console:
        mode = Mode.CONSOLE
    else:
        mode = Mode.TELEGRAM
    db, db_setting, create_db = _database(args, environ)
    if args.webhook:  # taken into the URL, a space would give Telegram an address no proxy serves
        _without_stray_space("--webhook", args.webhook, "URL")
    try:
        fetch_policy = FetchPolicy.from_setting(environ.get("LEDE_ALLOW_PRIVATE_URLS"))
        access = AccessPolicy.from_settings(environ.get("LEDE_ALLOWED_USERS"), environ.get("LEDE_ALLOWED_CHATS"))
        rate_limits = rate_limits_from(environ)
        webhook = (Webhook.from_settings(args.webhook, args.webhook_listen, args.webhook_port, environ)
                   if args.webhook else None)
        keep_days = parse_keep_days(args.keep_days or environ.get("LEDE_KEEP_DAYS"))
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    feed_interval = _feed_interval(args.feed_interval, environ.get("LEDE_FEED_INTERVAL"))
    if webhook is not None and mode is not Mode.TELEGRAM:
        raise ConfigurationError("--webhook goes with the Telegram bot; leave it out of --console, --ask, --brief and --ingest")
    if mode is Mode.PRUNE and keep_days is None:
        raise ConfigurationError("--prune needs --keep-days DAYS or LEDE_KEEP_DAYS: without either, Lede keeps every article")
    if mode is Mode.INGEST and str(db) == ":memory:":
        # It would say "Added 1" and keep nothing past the run's end.
        raise ConfigurationError(f"{db_setting} is :memory:, where --ingest would store for nothing (it is gone when "
                                 "the run ends); give the path of a database file")
    base_url = environ.get("TELEGRAM_BASE_URL") or TELEGRAM_API_URL
    # A token pasted from a file or a secret store often brings its line break along.
    token = (environ.get("TELEGRAM_BOT_TOKEN") or "").strip() or None
    if mode is Mode.TELEGRAM:
        check_base_url(base_url)
        if token is not None:  # none at all: bot.main explains how to get one, or to use the console
            check_token(token)
    minutes = environ.get("LEDE_CONVERSATION_MINUTES")
    conversation_quiet = _conversation_minutes(minutes) if minutes else DEFAULT_QUIET
    return Config(
        mode=mode,
        token=token,
        base_url=base_url,
        question=args.ask,
        # Blank, as "/brief   " on the console, it names no topic: a briefing of every story.
        brief_topic=(args.brief or "").strip() or None,
        since=args.since,
        json_output=args.json,
        corpus_paths=tuple(Path(path) for path in args.corpus),
        db_path=db,
        db_setting=db_setting,
        create_db=create_db,
        ingest_sources=tuple(args.ingest or ()),
        fetch_policy=fetch_policy,
        feed_interval=feed_interval,
        log_level=_log_level(args.log_level, environ.get("LEDE_LOG_LEVEL"),
                             default="INFO" if mode is Mode.TELEGRAM else "WARNING"),
        access=access,
        rate_limits=rate_limits,
        webhook=webhook,
        keep_days=keep_days,
        dry_run=args.dry_run,
        backup_path=None if args.backup is None else _home_expanded_text(args.backup),
        conversation_quiet=conversation_quiet,
    )


def _conversation_minutes(text: str) -> timedelta:
    """``LEDE_CONVERSATION_MINUTES``: how long a conversation may stay quiet and go on (a positive number, up to a year)."""
    longest = LONGEST_DURATION.total_seconds() / 60
    try:
        minutes = float(text)
    except ValueError:
        minutes = 0.0
    if not 0 < minutes <= longest:  # also refuses nan and inf
        raise ConfigurationError(f"LEDE_CONVERSATION_MINUTES is {text!r}; give a positive number of minutes "
                                 f"up to {longest:.0f} (a year), e.g. 15")
    return timedelta(minutes=minutes)


def _database(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[Path, str, bool]:
    """The database path, the setting it came from, and whether its folder may be created.

    The default location is Lede's own, created on first use; a path the
    operator typed is created only with ``--create``.
    """
    if args.db:
        return _database_path(args.db, "--db"), "--db", args.create
    if environ.get("LEDE_DB"):
        # Blank, it would be a store named " " in the current folder, as an empty --db would be ".".
        if not environ["LEDE_DB"].strip():
            raise ConfigurationError(f"LEDE_DB is {environ['LEDE_DB']!r}; give the path of a database file, or unset it")
        return _database_path(environ["LEDE_DB"], "LEDE_DB"), "LEDE_DB", args.create
    return default_db_path(), "the default database", True


def _database_path(text: str, setting: str) -> Path:
    """The database file ``text`` names (``setting`` says where it came from), refused when it cannot mean one.

    A path ending in ``/`` names a folder, and a space at either end is an env file's stray one: taken as they
    are, a store would be started in a file named as the folder meant to hold it, or as the store plus a space.
    """
    _without_stray_space(setting, text, "path")
    if text.endswith(("/", os.sep)):
        raise ConfigurationError(f"{setting} {text} names a folder (it ends in /); give the path of a database file, "
                                 f"e.g. {_home_expanded(text) / 'lede.db'}")
    return _home_expanded(text)


def _without_stray_space(setting: str, text: str, what: str) -> None:
    """Refuse ``text`` (the ``what`` given by ``setting``) when a space or a line break begins or ends it, as an env
    file may leave one (a line written on Windows ends in \\r): no path or URL Lede takes means it."""
    if text != text.strip():
        raise ConfigurationError(f"{setting} {text!r} begins or ends with a space; give the {what} without it")


def _home_expanded(text: str) -> Path:
    """``text`` as a path, a leading ``~`` expanded as a shell would (see :func:`_home_expanded_text`)."""
    return Path(_home_expanded_text(text))


def _home_expanded_text(text: str) -> str:
    """``text`` with a leading ``~`` expanded as a shell would, and a trailing ``/`` kept (it names a folder).

    No shell expands it in a unit file's ``Environment=LEDE_DB=~/lede.db`` or ``ExecStart=… --backup ~/backups/``,
    nor in a quoted ``--db "~/lede.db"``; taken as it is, ``--create`` would make a folder named "~" in the current
    one, and ``--backup`` was refused for want of it. ``~someone`` with no such user is left as typed, and refused as
    a folder that does not exist.
    """
    return os.path.expanduser(text)


def _feed_interval(flag: str | None, setting: str | None) -> float:
    """``--feed-interval``, else ``LEDE_FEED_INTERVAL``, else the default: a number of seconds from 1 to a year."""
    name, value = ("--feed-interval", flag) if flag is not None else ("LEDE_FEED_INTERVAL", setting or None)
    if value is None:
        return DEFAULT_FEED_INTERVAL
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigurationError(f"{name} is {value!r}; give a number of seconds, e.g. 900") from None
    longest = LONGEST_DURATION.total_seconds()
    if not SHORTEST_FEED_INTERVAL <= seconds <= longest:  # also refuses nan and inf
        raise ConfigurationError(f"{name} is {value!r}; give a number of seconds from {SHORTEST_FEED_INTERVAL:.0f} "
                                 f"to {longest:.0f} (a year), e.g. 900")
    return seconds


def _log_level(flag: str | None, setting: str | None, *, default: str) -> str:
    """``--log-level``, else ``LEDE_LOG_LEVEL``, else ``default``: one of logging's level names, in any case.

    The bot's default is INFO; the console's and the one-shot commands' is WARNING, since their
    answers go to standard output and only warnings belong beside them unless more is asked for.
    """
    # An empty flag is refused, as a blank variable is; an empty variable is unset, as an empty LEDE_DB is.
    name, value = ("--log-level", flag) if flag is not None else ("LEDE_LOG_LEVEL", setting or None)
    level = (default if value is None else value).strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigurationError(f"{name} is {value!r}; use one of {', '.join(LOG_LEVELS)}")
    return level


def check_token(token: str) -> None:
    """A token as @BotFather gives it: the bot's id, a colon, the secret.

    Anything else would only fail later, after retries against Telegram.
    """
    if not _TOKEN_SHAPE.fullmatch(token):
        # The value is a secret even when mistyped: the message never repeats it.
        raise ConfigurationError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then the secret, "
                                 "e.g. 123456789:AAH...); copy it again from @BotFather")


def url_password(url: str) -> str | None:
    """The password in ``url``, if any: a Bot API server behind a proxy may take one (``https://lede:…@host/bot``)."""
    try:
        return urlsplit(url).password
    except ValueError:  # an unclosed "[": no password can be read from it either
        return None


def masked_url(url: str) -> str:
    """``url`` with its password (:func:`url_password`) masked."""
    password = url_password(url)
    return url.replace(f":{password}@", ":***@", 1) if password else url


def check_base_url(url: str) -> None:
    """``TELEGRAM_BASE_URL`` must be an http(s) URL ending in ``/bot``: python-telegram-bot appends the token to it."""
    # urlsplit drops a stray space or line break, so the URL looked right; the Bot API client does not, and the bot
    # took Telegram for unreachable and tried again for ever. (Masking the password leaves the URL's ends as they are.)
    _without_stray_space("TELEGRAM_BASE_URL", masked_url(url), "URL")
    try:
        parts = urlsplit(url)
        # Reading the port raises ValueError when it is out of range or no number.
        valid = (parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
                 and parts.path.endswith("/bot"))
    except ValueError:  # also an unclosed "[" of an IPv6 address
        valid = False
    if not valid:
        raise ConfigurationError(f"TELEGRAM_BASE_URL is {masked_url(url)!r}; it must be an http(s) URL ending in /bot, "
                                 f"e.g. {TELEGRAM_API_URL} or http://127.0.0.1:8081/bot")
