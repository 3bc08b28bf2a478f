"""Concurrency: how long other chats wait for answers while one chat is briefed on a day of news and another uploads 2 MB.

    python -m benchmarks.concurrency [--chats 4] [--idle-seconds 5]

The bot is ``run_bot.py`` in its own process, long-polling the fake Bot API
server (``tests.support.bot_api``) in this one, as in :mod:`benchmarks.load`.
Its store holds every dated Reuters article re-dated into the last 23 hours,
in their original order, so that ``/brief`` (no topic: the last 24 hours)
covers all of them, like a day of a busy news service.

Phases:

1. idle: the asking chats converse for ``--idle-seconds``: the baseline;
2. busy: one chat sends ``/brief`` and another a 2 MB plain-text document
   at the same moment; the asking chats keep conversing until both have
   been answered. Only questions asked during this phase count.

Each asking chat waits for its answer, thinks 0.2 to 0.5 s and asks again.
Latency runs from injecting the update to the bot's ``sendMessage`` reaching
the server. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from benchmarks.load import (
    ROOT,
    Exchange,
    TimedBotApi,
    ask,
    bot_process,
    load_questions,
    percentile,
    stop,
)
from benchmarks.speed import REUTERS
from corpus.store import Store

# New chats on every run, so that a reused store holds no earlier briefing or upload of theirs.
RUN = int(time.time()) % 1_000_000
BRIEFING_CHAT, UPLOADING_CHAT, FIRST_ASKING_CHAT = 10_000_000 + RUN, 20_000_000 + RUN, 30_000_000 + RUN
DAY = timedelta(hours=23)
DOCUMENT_BYTES = 1_990_000  # just under the bot's 2 MB upload limit
THINK_SECONDS = (0.2, 0.5)
HEAVY_TIMEOUT = 600.0
TARGET_P95_MS = 250.0


def redated_reuters(folder: Path, now: datetime) -> tuple[Path, int]:
    """The Reuters file with every dated article moved into the 23 hours before ``now``, order kept."""
    with gzip.open(REUTERS, "rt", encoding="utf-8") as source:
        records = [json.loads(line) for line in source if line.strip()]
    dated = sorted((record for record in records if record.get("date")), key=lambda record: record["date"])
    for rank, record in enumerate(dated):
        record["date"] = (now - DAY + DAY * (rank + 1) / len(dated)).replace(microsecond=0).isoformat()
    target = folder / "reuters-last-day.jsonl.gz"
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(record) + "\n" for record in records)
    return target, len(dated)


def build_store(folder: Path, db: Path, now: datetime) -> None:
    """A fresh store (and its index snapshot) of the re-dated Reuters articles at ``db``."""
    import subprocess

    corpus, dated = redated_reuters(folder, now)
    print(f"… storing {dated:,} re-dated Reuters articles in {db} (about a minute)", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, str(ROOT / "run_bot.py"), "--ingest", str(corpus), "--db", str(db)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=1200)


def large_document() -> bytes:
    """A plain-text report of Reuters sentences, just under the upload limit: real text to split and index."""
    with gzip.open(REUTERS, "rt", encoding="utf-8") as source:
        bodies = (" ".join(json.loads(line).get("body", "").split()) for line in source)
        text, size = ["Wire Digest", f"Run {RUN}."], 0  # a new text each run, never "already known"
        for body in bodies:
            if size >= DOCUMENT_BYTES:
                break
            text.append(body)
            size += len(body.encode()) + 2
    return "\n\n".join(text).encode()[:DOCUMENT_BYTES]


def converse_until(server: TimedBotApi, chat: int, questions: Sequence[str], done: threading.Event,
                   seed: str) -> list[Exchange]:
    """One person asking, waiting for the answer and thinking, until ``done`` is set."""
    rng = random.Random(f"{seed}:{chat}")
    exchanges: list[Exchange] = []
    while not done.wait(rng.uniform(*THINK_SECONDS)):
        exchanges.append(ask(server, chat, rng.choice(questions)))
    return exchanges


def asking_phase(server: TimedBotApi, chats: Sequence[int], questions: Sequence[str], done: threading.Event,
                 seed: str) -> list[Exchange]:
    with ThreadPoolExecutor(max_workers=len(chats)) as pool:
        conversations = list(pool.map(lambda chat: converse_until(server, chat, questions, done, seed), chats))
    return [exchange for conversation in conversations for exchange in conversation]


def heavy_work(server: TimedBotApi, document: bytes, done: threading.Event) -> dict[str, Any]:
    """``/brief`` in one chat and a 2 MB upload in another, at once; seconds until each is answered."""
    started = time.monotonic()
    brief = server.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")["message_id"]
    upload = server.send_user_document(UPLOADING_CHAT, UPLOADING_CHAT, "wire-digest.txt", document,
                                       mime_type="text/plain")["message_id"]
    briefed = server.reply_to(BRIEFING_CHAT, brief, HEAVY_TIMEOUT)
    added = server.reply_to(UPLOADING_CHAT, upload, HEAVY_TIMEOUT)
    done.set()
    return {
        "started": started,
        "upload_done": added.at if added else None,
        "brief_s": None if briefed is None else round(briefed.at - started, 2),
        "upload_s": None if added is None else round(added.at - started, 2),
        "brief_reply": briefed.text.split("\n", 1)[0] if briefed else None,
        "upload_reply": added.text if added else None,
    }


def latency_figures(exchanges: Sequence[Exchange]) -> dict[str, Any]:
    latencies = [e.latency_ms for e in exchanges if e.latency_ms is not None]
    return {
        "questions": len(exchanges),
        "failures": sum(1 for e in exchanges if e.failure),
        **{f"p{share}_ms": _ms(percentile(latencies, share)) for share in (50, 95)},
        "max_ms": _ms(max(latencies, default=None)),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def measure(db: Path, chats: Sequence[int], idle_seconds: float, log: IO[bytes]) -> dict[str, Any]:
    questions = load_questions()
    document = large_document()
    server = TimedBotApi([BRIEFING_CHAT, UPLOADING_CHAT, *chats])
    with server, bot_process(server, db, log) as process:
        idle_done = threading.Event()
        threading.Timer(idle_seconds, idle_done.set).start()
        idle = asking_phase(server, chats, questions, idle_done, "idle")
        busy_done = threading.Event()
        with ThreadPoolExecutor(max_workers=1) as pool:
            heavy = pool.submit(heavy_work, server, document, busy_done)
            busy = asking_phase(server, chats, questions, busy_done, "busy")
            figures = heavy.result()
        exit_code = stop(process)
    # Which questions overlapped the upload (asked before its reply), and which only the briefing.
    upload_done = figures.pop("upload_done") or math.inf
    started = figures.pop("started")
    during_upload = [e for e in busy if started <= e.asked_at < upload_done]
    after_upload = [e for e in busy if e.asked_at >= upload_done]
    return {"idle": latency_figures(idle), "busy": latency_figures(busy),
            "busy_during_upload": latency_figures(during_upload), "busy_after_upload": latency_figures(after_upload),
            **figures, "document_bytes": len(document), "http_errors": server.http_errors, "exit_code": exit_code}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=4, help="chats asking questions meanwhile (default 4)")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="length of the idle baseline (default 5)")
    parser.add_argument("--db", type=Path, help="where to keep the store; built there when missing, reused when "
                        "present (the articles are dated into the day it was built: rebuild it the next day)")
    args = parser.parse_args(argv)
    if not REUTERS.exists():
        print(f"The shared Reuters data is missing ({REUTERS}); nothing to measure.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lede-concurrency-") as folder:
        db = args.db or Path(folder) / "lede.db"
        if not db.exists():
            build_store(Path(folder), db, datetime.now(UTC))
        with Store.open(db) as store:
            stored = store.article_count()
        chats = range(FIRST_ASKING_CHAT, FIRST_ASKING_CHAT + args.chats)
        with tempfile.NamedTemporaryFile(prefix="lede-concurrency-bot-", suffix=".log", delete=False) as log:
            figures = {"articles_stored": stored, "asking_chats": args.chats,
                       **measure(db, list(chats), args.idle_seconds, log), "bot_log": log.name}
    busy = figures["busy"]
    figures["p95_under_250_ms"] = busy["p95_ms"] is not None and busy["p95_ms"] <= TARGET_P95_MS
    print(f"articles in the store, all dated within the day: {figures['articles_stored']:,}")
    print(f"/brief answered after {figures['brief_s']} s: {figures['brief_reply']}")
    print(f"2 MB upload answered after {figures['upload_s']} s: {figures['upload_reply']}")
    for phase in ("idle", "busy", "busy_during_upload", "busy_after_upload"):
        f = figures[phase]
        print(f"{phase:>18}: {f['questions']} questions, {f['failures']} failures; "
              f"answer latency p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, max {f['max_ms']} ms")
    print(json.dumps(figures))
    return 0 if figures["p95_under_250_ms"] and not busy["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
