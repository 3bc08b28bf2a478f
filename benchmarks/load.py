"""Load test: many private chats asking the real bot at once, through the local Bot API server.

    python -m benchmarks.load [--chats 50] [--seconds 60] [--db PATH]

The bot is ``run_bot.py`` in its own process, long-polling the fake Bot
API server (``tests.support.bot_api``) with the Reuters store, exactly as
an operator runs it. Each chat asks a question, waits for the reply (or a
timeout), thinks for a moment and asks again, so the traffic is bounded
by the number of chats. Nothing leaves 127.0.0.1.

Choices that shape the figures:

* The fake server runs in this process, beside the chats. Its threads
  share a GIL with the chats, not with the bot; the chats mostly sleep and
  are woken by the server rather than polling it, and the harness's own
  CPU use is reported so its share can be judged.
* A think time of 1.5 to 3 s per chat keeps 50 chats near 20 sends a
  second, under the 30 a second the bot's flood limiter allows in all
  (``AIORateLimiter`` puts no per-chat limit on private chats). How full
  the limiter's bucket got is reported: below 30, it made no reply wait.
* ``LEDE_QUESTION_LIMIT`` is raised to 100000 a minute: the per-person
  limiter still counts every question, but no chat reaches it.
* Latency runs from injecting the update to the bot's ``sendMessage``
  reaching the server: long poll, handling, SQLite write and the HTTP send.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from benchmarks.speed import REUTERS
from bot.formatting import NO_ANSWER
from bot.telegram_app import APOLOGY
from tests.support.bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
QA_QUESTIONS = REUTERS.parent / "newsqa" / "reuters-qa-dev.jsonl"
DEFAULT_DB = Path(tempfile.gettempdir()) / "lede-load-reuters.db"
FIRST_CHAT = 700_001
QUESTION_LIMIT = "100000/60"
SLOW_DOWN = "Slow down, please"  # how the per-person limiter's reply begins (bot.access)
THINK_SECONDS = (1.5, 3.0)
WARMUP_SECONDS = 5.0
REPLY_TIMEOUT = 10.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
FLOOD_LIMIT_PER_SECOND = 30
TARGET_P95_MS = 250.0
TARGET_RSS_GROWTH = 0.10


# ---- the server side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A message the bot sent: the question it answers, when it reached the server, what it says."""

    replied_to: int | None
    at: float
    text: str


class TimedBotApi(FakeBotApi):
    """The fake server, stamping each call as it arrives and handing each chat its replies.

    Chats block on their own queue instead of polling the recorded traffic,
    which would copy it under the server's lock and compete for the GIL.
    """

    def __init__(self, chats: Sequence[int]) -> None:
        super().__init__(bot_username="lede_load_bot")
        self._inboxes: dict[int, queue.SimpleQueue[Reply]] = {chat: queue.SimpleQueue() for chat in chats}
        self.http_errors: list[str] = []

    def handle(self, path: str, query: str, content_type: str, body: bytes) -> tuple[int, Any] | None:
        arrived = time.monotonic()
        reply = super().handle(path, query, content_type, body)
        assert reply is not None, "the load test injects no dropped connections"
        status, payload = reply
        method = path.rsplit("/", 1)[-1]
        if status != 200:
            self.http_errors.append(f"{method}: {status} {payload.get('description')}")
        elif method.lower() == "sendmessage":
            message = payload["result"]
            inbox = self._inboxes.get(message["chat"]["id"])
            if inbox is not None:
                inbox.put(Reply(message.get("reply_to_message", {}).get("message_id"), arrived, message["text"]))
        return reply

    def reply_to(self, chat: int, message_id: int, timeout: float) -> Reply | None:
        """The bot's reply to one question, or None after ``timeout``; late replies to earlier questions are skipped."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                reply = self._inboxes[chat].get(timeout=remaining)
            except queue.Empty:
                return None
            if reply.replied_to == message_id:
                return reply
        return None


# ---- the chats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One question and what came of it: no reply (timeout) leaves ``reply`` and ``latency_ms`` None."""

    asked_at: float
    reply: Reply | None

    @property
    def latency_ms(self) -> float | None:
        return None if self.reply is None else (self.reply.at - self.asked_at) * 1000

    @property
    def failure(self) -> str | None:
        """Why this exchange counts as an error: the user got nothing, an apology or a "slow down"."""
        if self.reply is None:
            return "timeout"
        if self.reply.text == APOLOGY:
            return "apology"
        if self.reply.text.startswith(SLOW_DOWN):
            return "slow down"
        return None


def ask(server: TimedBotApi, chat: int, question: str) -> Exchange:
    asked_at = time.monotonic()
    message_id = server.send_user_message(chat, chat, question)["message_id"]
    return Exchange(asked_at, server.reply_to(chat, message_id, REPLY_TIMEOUT))


def converse(server: TimedBotApi, chat: int, questions: Sequence[str], until: float, phase: str) -> list[Exchange]:
    """One person asking, waiting for the answer and thinking, until ``until``.

    The first question comes after a random pause, so the chats do not all
    start in the same instant (50 at once would be a burst over the flood limit).
    Each chat and phase has its own seed: runs repeat, and the load does not
    replay the warm-up's questions.
    """
    rng = random.Random(f"{phase}:{chat}")
    exchanges: list[Exchange] = []
    pause = rng.uniform(0, THINK_SECONDS[1])
    while _sleep_until(min(time.monotonic() + pause, until)) < until:
        exchanges.append(ask(server, chat, rng.choice(questions)))
        pause = rng.uniform(*THINK_SECONDS)
    return exchanges


def _sleep_until(moment: float) -> float:
    time.sleep(max(0.0, moment - time.monotonic()))
    return time.monotonic()


def run_phase(server: TimedBotApi, chats: Sequence[int], questions: Sequence[str], seconds: float,
              phase: str) -> tuple[list[Exchange], float]:
    """All chats conversing for ``seconds``; returns the exchanges and the time until the last reply."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(chats)) as pool:
        conversations = list(pool.map(lambda chat: converse(server, chat, questions, started + seconds, phase), chats))
    return [exchange for conversation in conversations for exchange in conversation], time.monotonic() - started


def load_questions() -> list[str]:
    """Reuters headlines of three words or more turned into questions, and the hand-written Reuters QA questions.

    Headlines keep their ``<Ticker>`` marks: the replies must escape them.
    """
    from corpus.loader import load_file

    headlines = sorted({article.title for article in load_file(REUTERS) if len(article.title.split()) >= 3})
    written = [json.loads(line)["question"] for line in QA_QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    return [f"What about {headline}?" for headline in headlines] + written


# ---- the bot process ---------------------------------------------------------------------------


@contextmanager
def bot_process(server: TimedBotApi, db: Path, log: IO[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """``run_bot.py`` against ``server``, polling; killed on the way out if still running."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "LEDE_"))}
    environment.update(TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_BASE_URL=server.base_url,
                       LEDE_QUESTION_LIMIT=QUESTION_LIMIT)
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--db", str(db)], cwd=ROOT,
                               env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.requests_for("getUpdates"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start polling (exit code {process.poll()}); see {log.name}")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def stop(process: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM, as an operator stops the bot; its exit code, or None if it had to be killed."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def rss_mb(pid: int) -> float:
    """Resident memory now, from ``/proc``: what the machine actually gives the process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ensure_store(db: Path) -> None:
    """Build the Reuters store (and its index snapshot) once; later runs reuse it."""
    if db.exists():
        return
    print(f"… building the Reuters store at {db} (once, about half a minute)", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, str(ROOT / "run_bot.py"), "--ingest", str(REUTERS), "--db", str(db)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=600)


# ---- figures -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: a latency some question really had."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def flood_bucket_peak(moments: Sequence[float]) -> float:
    """How full the bot's flood limiter got, replaying its leaky bucket on the times the sends arrived.

    ``AIORateLimiter``'s bucket (aiolimiter) holds 30 and drains 30 a second;
    a send waits only when it is full, so a peak well under 30 means no reply
    was held back by the limiter and the latencies are the bot's own.
    """
    level, peak, previous = 0.0, 0.0, None
    for moment in sorted(moments):
        if previous is not None:
            level = max(0.0, level - (moment - previous) * FLOOD_LIMIT_PER_SECOND)
        level, previous = level + 1, moment
        peak = max(peak, level)
    return peak


def summarise(exchanges: Sequence[Exchange], elapsed: float, http_errors: Sequence[str]) -> dict[str, Any]:
    latencies = [e.latency_ms for e in exchanges if e.latency_ms is not None]
    failures = [e.failure for e in exchanges if e.failure]
    replies = [e.reply for e in exchanges if e.reply is not None]
    return {
        "questions": len(exchanges),
        "replies": len(replies),
        "replies_per_s": round(len(replies) / elapsed, 2),
        **{f"p{share}_ms": _ms(percentile(latencies, share)) for share in (50, 95, 99)},
        "max_ms": _ms(max(latencies, default=None)),
        "not_found": sum(reply.text == NO_ANSWER for reply in replies),
        "errors": len(failures) + len(http_errors),
        "timeouts": failures.count("timeout"),
        "apologies": failures.count("apology"),
        "slow_downs": failures.count("slow down"),
        "http_errors": list(http_errors),
        "flood_bucket_peak": round(flood_bucket_peak([reply.at for reply in replies]), 1),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def verdicts(figures: dict[str, Any]) -> dict[str, bool]:
    """The issue's targets: zero errors, p95 under 250 ms, RSS growth of at most 10%."""
    return {
        "zero_errors": figures["errors"] == 0,
        "p95_under_250_ms": figures["p95_ms"] is not None and figures["p95_ms"] < TARGET_P95_MS,
        "rss_growth_at_most_10pct": figures["rss_growth_pct"] <= TARGET_RSS_GROWTH * 100,
    }


def table(figures: dict[str, Any]) -> str:
    rows = [
        ("chats × seconds", f"{figures['chats']} × {figures['seconds']:g} (after a {WARMUP_SECONDS:g} s warm-up)"),
        ("questions / replies", f"{figures['questions']} / {figures['replies']} ({figures['not_found']} 'couldn't find')"),
        ("replies per second", f"{figures['replies_per_s']}"),
        ("latency p50 / p95 / p99 / max", f"{figures['p50_ms']} / {figures['p95_ms']} / {figures['p99_ms']} / {figures['max_ms']} ms"),
        ("errors", f"{figures['errors']} (timeouts {figures['timeouts']}, apologies {figures['apologies']}, "
                   f"slow-downs {figures['slow_downs']}, HTTP errors {len(figures['http_errors'])})"),
        ("flood limiter's bucket, peak", f"{figures['flood_bucket_peak']} of {FLOOD_LIMIT_PER_SECOND} (a send waits only when full)"),
        ("bot RSS before → after", f"{figures['rss_before_mb']} → {figures['rss_after_mb']} MB ({figures['rss_growth_pct']:+} %)"),
        ("bot CPU during the load", f"{figures['bot_cpu_s']} s ({figures['bot_cpu_pct']} % of one core)"),
        ("harness CPU (fake server + chats)", f"{figures['harness_cpu_s']} s ({figures['harness_cpu_pct']} % of one core)"),
        ("load average (1 min) before → after", f"{figures['loadavg_before']} → {figures['loadavg_after']} ({os.cpu_count()} CPUs)"),
        ("bot exit code after SIGTERM", f"{figures['exit_code']}"),
        ("targets", ", ".join(f"{name} {'met' if met else 'MISSED'}" for name, met in figures["targets"].items())),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


# ---- the run -----------------------------------------------------------------------------------


def measure(db: Path, chats: Sequence[int], seconds: float, questions: Sequence[str], log: IO[bytes]) -> dict[str, Any]:
    """Start the server and the bot, warm up, run the load, stop the bot; every figure of one run."""
    server = TimedBotApi(chats)
    with server, bot_process(server, db, log) as process:
        run_phase(server, chats, questions, WARMUP_SECONDS, "warm-up")
        rss_before, bot_cpu, harness_cpu = rss_mb(process.pid), cpu_seconds(process.pid), time.process_time()
        loadavg_before = os.getloadavg()[0]
        exchanges, elapsed = run_phase(server, chats, questions, seconds, "load")
        figures = summarise(exchanges, elapsed, server.http_errors)  # the warm-up's too
        rss_after = rss_mb(process.pid)
        bot_cpu, harness_cpu = cpu_seconds(process.pid) - bot_cpu, time.process_time() - harness_cpu
        figures.update(
            rss_before_mb=round(rss_before, 1), rss_after_mb=round(rss_after, 1),
            rss_growth_pct=round((rss_after / rss_before - 1) * 100, 1),
            bot_cpu_s=round(bot_cpu, 2), bot_cpu_pct=round(bot_cpu / elapsed * 100),
            harness_cpu_s=round(harness_cpu, 2), harness_cpu_pct=round(harness_cpu / elapsed * 100),
            loadavg_before=round(loadavg_before, 2), loadavg_after=round(os.getloadavg()[0], 2),
            exit_code=stop(process),
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=50, help="private chats asking at once (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load lasts (default 60)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"the Reuters store, built there if missing (default {DEFAULT_DB})")
    args = parser.parse_args(argv)
    if args.chats < 1 or args.seconds <= 0:
        parser.error("--chats must be at least 1 and --seconds positive")
    if not REUTERS.exists():
        print(f"The shared Reuters data is missing ({REUTERS}); nothing to measure.", file=sys.stderr)
        return 2
    ensure_store(args.db)
    chats = range(FIRST_CHAT, FIRST_CHAT + args.chats)
    with tempfile.NamedTemporaryFile(prefix="lede-load-bot-", suffix=".log", delete=False) as log:
        figures = {"chats": args.chats, "seconds": args.seconds,
                   **measure(args.db, list(chats), args.seconds, load_questions(), log)}
    figures["targets"] = verdicts(figures)
    figures["bot_log"] = log.name
    print(table(figures))
    print(json.dumps(figures))
    return 0 if all(figures["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
