"""Bad input, in the console and in Telegram: each case gets one clear reply, nothing crashes, nothing half-stored.

One table drives both front ends. A case is typed as a line (a question or a
command) or sent as a document — in Telegram a file, in the console ``/add``
with the path of a local file — and names the reply a person sees. Sources
come from a local web server whose hostile routes stall, stream without end,
expand a thousandfold or list 10,000 entries; a fake DNS answer sends a host
name to a private address.
"""

from __future__ import annotations

import gzip
import io
import ipaddress
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.config import Config, Mode
from bot.console import run_console
from bot.service import Lede
from bot.formatting import APOLOGY
from bot.telegram_app import build_application
from corpus.fetch import FetchPolicy, resolve_host
from corpus.errors import UnreadableSource
from corpus.loader import FileLimits, load_file, load_paths
from corpus.store import Store
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer
from tests.support.bot_api import FakeBotApi, polling
from tests.support.web_server import LocalWeb, closed_port

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
VANCE = "U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky"
NO_ANSWER = "I couldn't find that in the articles I have."
INTRANET = "intranet.example"
PUBLIC_RULES = "(Lede only fetches from the public internet)"
FIFTY_MB = 50 * 1024 * 1024
CLOSED_PORT = closed_port()


def hostile_dns(host: str, port: int) -> list[str]:
    """A DNS that answers a private address for one public-looking name."""
    return ["10.0.0.7"] if host == INTRANET else resolve_host(host, port)


# The local server is on 127.0.0.1 and allowed; every other non-public address stays refused.
POLICY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.3,
                     total_timeout=1.0, max_bytes=3_000_000, resolver=hostile_dns)


@dataclass(frozen=True)
class Case:
    """One bad input and the reply it gets; ``{web}`` and ``{host}`` name the local server, ``{closed}`` a port without one."""

    name: str
    reply: str | None  # the reply's first line, or None: no reply at all
    line: str | None = None  # typed: a question or a command
    document: tuple[str, bytes | int] | None = None  # (file name, content or a size to fill with zeros)
    console_reply: str | None = None  # where the console must differ (it has no other bots)
    exact: bool = True  # the reply is exactly ``reply`` (else it contains it)


CASES = [
    # ---- questions ----
    Case("empty /ask", "Ask me a question about the news, for example: what did Zelensky demand?", line="/ask"),
    Case("invisible characters only", "Ask me a question about the news, for example: what did Zelensky demand?",
         line="/ask \u200b \u202e \u2060"),
    Case("a lone emoji", "There are no words in that to search for; ask me a question in words.", line="😀"),
    Case("thanks, which is no question", "You're welcome.", line="Thank you so much! 🙏"),
    Case("a greeting", "Hello! Ask me a question about the news, for example: what did Zelensky demand?",
         line="Hi Lede!"),
    Case("asking for the news itself", "For the latest stories, send /brief (or /brief <topic>); then ask me about "
                                       "any of them.", line="What’s the latest news?"),
    Case("10,000 characters", "That question is 10,000 characters long; please keep it under 500.", line="x" * 10_000),
    Case("only stop words", "That has only common words like “what” and “the”; say who or what you are asking about.",
         line="what is it that they were"),
    Case("a link sent as a question", "That is a link, not a question: /add <link> adds the article it points to, "
                                      "and then you can ask me about it.", line="https://news.example/2025/ferry"),
    Case("mixed scripts", NO_ANSWER, line="Путин и Зеленский: что сказал 習近平?"),
    Case("zero-width and RTL marks inside words", VANCE, line="Who did Van\u200bce\u200f meet?\u202e",
         exact=False),
    Case("HTML and Markdown look-alikes", NO_ANSWER, line="<b>&amp; *x* _y_ [z](http://a)</b>"),
    Case("a command Lede does not have", "Unknown command /schedule. Type /help.", line="/schedule daily 08:00"),
    Case("a feed number in a digit that is no number", "Usage: /feed add <url> | /feed list | /feed remove <n> | "
         "/feed export", line="/feed remove ²"),
    # The console has no other bots: a command addressed to one by name is its own, as Telegram reads /ask@lede_bot.
    Case("another bot's command", None, line="/ask@some_other_bot Who did Vance meet?", console_reply=VANCE),
    # ---- articles ----
    Case("markup, emoji and combining marks", "Added Oil <Srd> & BP > rivals 😀 e\u0301: 1 sentence. Ask me about it.",
         document=("markup.txt", "Oil <Srd> & BP > rivals 😀 e\u0301\n\nMargins at <Srd> rose 5% & costs fell "
                                 "> 2% 😀 at Jose\u0301's refinery in the quarter.\n".encode())),
    Case("an empty file", "I couldn't add that: empty.txt has no text to quote from.", document=("empty.txt", b"")),
    Case("a binary file renamed .txt", "I couldn't add that: photo.txt looks like a binary file, not text.",
         document=("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)),
    Case("a 50 MB file", "I couldn't add that: huge.txt is 52.4 MB; I take documents up to 2 MB.",
         document=("huge.txt", FIFTY_MB)),
    Case("a 3 MB file", "I couldn't add that: big.txt is 3 MB; I take documents up to 2 MB.",
         document=("big.txt", 3_000_000),
         console_reply="I couldn't add that: big.txt is 3 MB; I take documents up to 2 MB "
                       "(lede --ingest stores files up to 10 MB)."),
    Case("an HTML page with no article text", "I couldn't add that: the page has no article text that I could find.",
         document=("menu.html", b"<html><body><nav><a href='/'>Home</a> | <a href='/w'>World</a></nav></body></html>")),
    Case("invalid UTF-8", "I couldn't add that: latin.txt is not UTF-8 text (byte 3 is not valid UTF-8).",
         document=("latin.txt", "Café prices rose on Monday.".encode("latin-1"))),
    Case("a compressed file", "I couldn't add that: wires.jsonl.gz is not a file type I read (send .txt, .md or .html).",
         document=("wires.jsonl.gz", gzip.compress(b"0" * 1_000_000))),
    # ---- URLs and feeds ----
    Case("not a URL", "I couldn't add that: 'hello' is not a web address (it has no scheme; expected http: or https:).",
         line="/add hello"),
    Case("a file: URL", "I couldn't add that: 'file:///etc/passwd' is not a web address (it has file:; expected "
                        "http: or https:).", line="/add file:///etc/passwd"),
    Case("an ftp: URL", "I couldn't add that: 'ftp://example.com/news.txt' is not a web address (it has ftp:; "
                        "expected http: or https:).", line="/add ftp://example.com/news.txt"),
    Case("a name that resolves to a private address",
         f"I couldn't add that: http://{INTRANET}:{{port}}/article.html was refused: {INTRANET} resolves to "
         f"10.0.0.7, a private address {PUBLIC_RULES}.", line=f"/add http://{INTRANET}:{{port}}/article.html"),
    Case("a redirect to a private address",
         f"I couldn't add that: http://127.0.0.2:{{port}}/article.html was refused: 127.0.0.2 is a loopback "
         f"address {PUBLIC_RULES}.", line="/add {web}/to-private"),
    Case("a redirect to an invalid address", "I couldn't add that: could not fetch {host}: Invalid URL in location "
         "header: Invalid port: ':1'.", line="/add {web}/to-nowhere"),
    Case("a dead URL", "I couldn't add that: {web}/missing answered 404 Not Found.", line="/add {web}/missing"),
    Case("a server that refuses the connection", "I couldn't add that: the server at 127.0.0.1:{closed} refused the "
         "connection.", line="/add http://127.0.0.1:{closed}/news"),
    Case("a server that stalls", "I couldn't add that: {host} did not answer within 0.3 s.", line="/add {web}/slow"),
    Case("a server that trickles forever", "I couldn't add that: {web}/trickle took longer than 1 s to download.",
         line="/add {web}/trickle"),
    Case("a server that sends endless data", "I couldn't add that: {web}/endless is larger than the 3 MB limit.",
         line="/add {web}/endless"),
    Case("a gzip bomb", "I couldn't add that: {web}/gzip-bomb is larger than the 3 MB limit.",
         line="/add {web}/gzip-bomb"),
    Case("malformed XML", "I couldn't add that: {web}/broken-feed.xml is not an RSS or Atom feed", exact=False,
         line="/feed add {web}/broken-feed.xml"),
    Case("a feed with 10,000 entries", "100 new articles, 0 already known; 9,900 older feed entries left unread "
         "(I read the first 100 entries of a feed at a time).", line="/feed add {web}/big-feed.xml", exact=False),
]
IDS = [case.name for case in CASES]


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as server:
        yield server


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Lexicon.load())


@pytest.fixture
def lede(analyzer) -> Lede:
    lede = Lede.compose(SentenceIndex(analyzer), Store.open(":memory:"), fetch_policy=POLICY)
    lede.add_articles(load_paths([SEEDS]))
    return lede


def expected(case: Case, web: LocalWeb, reply: str | None) -> str | None:
    if reply is None:
        return None
    host = web.base.removeprefix("http://")
    return (reply.replace("{web}", web.base).replace("{host}", host).replace("{port}", host.rsplit(":", 1)[1])
            .replace("{closed}", str(CLOSED_PORT)))


def stored(lede: Lede) -> tuple[int, int]:
    return lede.store.article_count(), len(lede.sources.feeds())


def check(case: Case, reply: str | None, want: str | None) -> None:
    if want is None:
        assert reply is None, f"{case.name}: expected no reply, got {reply!r}"
        return
    assert reply is not None, f"{case.name}: no reply"
    if case.exact:
        assert reply == want, f"{case.name}: {reply!r}"
    else:
        assert want in reply, f"{case.name}: {reply!r}"
    assert APOLOGY not in reply


# ---- the console -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_console_answers_bad_input_in_one_clear_reply(case, lede, web, tmp_path):
    if case.document is not None:
        name, content = case.document
        path = tmp_path / name
        with open(path, "wb") as file:
            if isinstance(content, int):
                file.truncate(content)  # sparse: the size is real, the disk stays free
            else:
                file.write(content)
        line = f"/add {path}"
    else:
        line = expected(case, web, case.line)
    before = stored(lede)
    output = io.StringIO()
    run_console(lede, io.StringIO(line + "\n"), output, as_json=False)
    reply = output.getvalue().rstrip("\n")
    want = expected(case, web, case.console_reply or case.reply)
    if case.console_reply:
        assert reply.startswith(want), reply
    else:
        check(case, _without_console_url_line(reply), want)
    if want and want.startswith(("I couldn't", "Unknown", "Ask me", "There are", "That ")):
        assert stored(lede) == before, f"{case.name}: a refused input changed the store"


def _without_console_url_line(reply: str) -> str:
    """The console prints an answer's URL on a line of its own; Telegram links the title instead."""
    return "\n".join(line for line in reply.split("\n") if not line.startswith("  http"))


class FailingOn:
    """The questions use case, failing unexpectedly (as a bug or a broken disk would) on one question."""

    def __init__(self, questions, failing: str) -> None:
        self.questions = questions
        self.failing = failing

    def answer(self, question: str, *args, **kwargs):
        if question.strip() == self.failing:
            raise RuntimeError("the disk is on fire")
        return self.questions.answer(question, *args, **kwargs)


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_a_line_that_fails_unexpectedly_gets_an_apology_and_the_session_goes_on(lede, as_json, caplog):
    failing = replace(lede, questions=FailingOn(lede.questions, "what did Vance say?"))
    output = io.StringIO()
    run_console(failing, io.StringIO("what did Vance say?\nwhat did Zelensky demand?\n"), output, as_json=as_json)
    if as_json:
        apology, answer = [json.loads(line) for line in output.getvalue().splitlines()]
        assert apology == {"error": APOLOGY}
        assert answer["answer"].startswith("Kyiv needs")
    else:
        apology, answer = output.getvalue().split("\n\n")[:2]
        assert apology == APOLOGY
        assert answer.startswith("Kyiv needs")
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == "Failed to handle a console line: RuntimeError: the disk is on fire"
    assert not record.exc_info


def test_with_tracebacks_the_failure_is_logged_with_its_traceback(lede, caplog):
    failing = replace(lede, questions=FailingOn(lede.questions, "boom"))
    run_console(failing, io.StringIO("boom\n"), io.StringIO(), as_json=True, tracebacks=True)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


class EndlessLines(io.StringIO):
    """Standard input whose lines may have no end in sight (``lede --console < /dev/zero``, a binary file piped in):
    a line read whole, however long, would fill the memory before its first reply."""

    def __next__(self) -> str:
        raise AssertionError("a line was read whole, however long")

    def readline(self, size: int | None = -1) -> str:
        assert size is not None and 0 < size <= 1_000_000, "a line is read in bounded pieces"
        return super().readline(size)


def test_a_line_longer_than_any_question_is_read_in_pieces_and_refused_and_the_next_line_answered(lede):
    output = io.StringIO()
    run_console(lede, EndlessLines("x" * 3_000_000 + "\nwhat did Zelensky demand?\n"), output, as_json=True)
    too_long, answer = map(json.loads, output.getvalue().splitlines())
    assert too_long["message"].startswith("That question is ") and too_long["message"].endswith(
        " characters long; please keep it under 500.")
    assert answer["answer"].startswith("Kyiv needs")


# ---- Telegram --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", range(len(CASES)), ids=IDS)
async def test_telegram_answers_bad_input_in_one_clear_reply(number, bot_api: FakeBotApi, lede, web):
    case = CASES[number]
    chat = 7000 + number  # a person of their own: the rate limits are per person
    app = build_application(Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url), lede)
    before = stored_for(lede, chat)
    async with polling(app):
        if case.document is not None:
            name, content = case.document
            bot_api.send_user_document(chat, chat, name, b"\0" * content if isinstance(content, int) else content)
        else:
            bot_api.send_user_message(chat, chat, expected(case, web, case.line))
        want = expected(case, web, case.reply)
        if want is None:
            await bot_api.assert_no_messages(chat, within=0.5)
            reply = None
        else:
            [message] = await bot_api.wait_for_messages(chat, timeout=15)
            reply = message.text
    check(case, reply, want)
    if want and want.startswith(("I couldn't", "Ask me", "There are", "That ")):
        assert stored_for(lede, chat) == before, f"{case.name}: a refused input changed the store"


def stored_for(lede: Lede, chat: int) -> tuple[int, int]:
    return lede.store.article_count(), len(lede.sources.feeds(chat))


async def test_an_article_full_of_markup_is_quoted_back_intact(bot_api, lede):
    text = "Margins at <Srd> rose 5% & costs fell > 2% 😀 at Jose\u0301's refinery in the quarter."
    async with polling(build_application(Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url),
                                         lede)):
        bot_api.send_user_document(42, 42, "markup.txt", f"Oil <Srd> & BP > rivals 😀 e\u0301\n\n{text}\n".encode())
        await bot_api.wait_for_messages(42)
        bot_api.send_user_message(42, 42, "How much did margins at Srd rise?")
        [_, answer] = await bot_api.wait_for_messages(42, 2)
    assert answer.text == f"{text}\n\n— Oil <Srd> & BP > rivals 😀 e\u0301"
    assert answer.parts("bold") == ["Oil <Srd> & BP > rivals 😀 e\u0301"]


# ---- files given to --ingest -----------------------------------------------------------------


def test_a_gzip_bomb_given_to_ingest_stops_at_the_line_cap_and_stores_nothing(tmp_path, lede):
    bomb = tmp_path / "wires.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as file:  # 200 MB of zeros, no line break: about 200 kB
        for _ in range(200):
            file.write(b"0" * 1_000_000)
    report = lede.sources.ingest([str(bomb)])
    assert [failure.reason for failure in report.failed] == [
        "wires.jsonl.gz has a line over 10 MB (line 1); is it really JSON Lines?"]
    assert lede.store.article_count() == 0


def test_a_compressed_file_that_expands_past_the_cap_is_stopped_after_the_records_before_it(tmp_path):
    wires = tmp_path / "wires.jsonl.gz"
    record = {"id": "w", "title": "Wire", "body": "Grain exports rose 5 pct in March, the ministry said."}
    with gzip.open(wires, "wt") as file:
        for number in range(1000):
            file.write(json.dumps({**record, "id": f"w{number}"}) + "\n")
    limits = FileLimits(max_decompressed_bytes=10_000)
    articles = []
    with pytest.raises(UnreadableSource, match=r"wires.jsonl.gz expands to more than 10 kB; I stopped reading it"):
        for article in load_file(wires, limits):
            articles.append(article)
    assert 0 < len(articles) < 1000


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("huge.txt", FIFTY_MB, "huge.txt is 52.4 MB; I read articles up to 10 MB"),
        ("notes.txt", b"", "notes.txt has no text to quote from"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "photo.txt looks like a binary file, not text"),
        ("latin.md", "# Café\n\nCafé prices rose.".encode("latin-1"), "latin.md is not UTF-8 text (byte 5 is not valid UTF-8)"),
        ("cut.jsonl.gz", gzip.compress(json.dumps({"id": "1", "body": "Grain exports rose. " * 20}).encode())[:30],
         "cut.jsonl.gz is a damaged gzip file"),
    ],
    ids=["50 MB", "empty", "binary", "invalid UTF-8", "truncated gzip"],
)
def test_ingest_refuses_bad_files_with_a_reason_before_reading_them_whole(tmp_path, lede, name, content, reason):
    path = tmp_path / name
    with open(path, "wb") as file:
        file.truncate(content) if isinstance(content, int) else file.write(content)
    report = lede.sources.ingest([str(path)])
    assert len(report.failed) == 1 and report.failed[0].reason.startswith(reason), report.failed
    assert lede.store.article_count() == 0
