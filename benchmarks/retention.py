"""What a pruning costs the running bot: ``LEDE_KEEP_DAYS`` applied to a stored corpus, step by step.

    python -m benchmarks.retention --db STORE --before 1987-03-15

``STORE`` is a store Lede has ingested (e.g. ``run_bot.py --ingest
../shared/data/reuters21578.jsonl.gz --db /tmp/reuters.db``). It is copied
first, with its saved index, so it is never changed. The copy is opened as the
bot opens it, then pruned of the articles dated before ``--before`` through
the bot's own use case (:class:`corpus.retention.Retention`). Printed: the
whole pruning, the part of it under the index's write lock (what a question
may wait for), the first questions after it, and the next start, which
rebuilds the saved index once from the stored sentences.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import load_config
from bot.service import Lede

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ("what did the bank say about interest rates?", "how much did oil prices rise?")


def copied(store: Path, folder: Path) -> Path:
    copy = folder / "lede.db"
    shutil.copyfile(store, copy)
    index = store.with_name(store.name + ".index.npz")
    if index.exists():
        shutil.copyfile(index, copy.with_name(copy.name + ".index.npz"))
    return copy


def seconds_to_start(db: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "run_bot.py"), "--db", str(db), "--ask", QUESTIONS[0]],
                   check=True, capture_output=True)
    return round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the store to copy and prune")
    parser.add_argument("--before", type=date.fromisoformat, required=True, help="remove articles dated before this day")
    options = parser.parse_args()
    keep_days = (datetime.now(UTC).date() - options.before).days
    with tempfile.TemporaryDirectory() as folder:
        db = copied(options.db, Path(folder))
        lede = Lede.from_config(load_config(["--console", "--db", str(db), "--keep-days", str(keep_days)]))
        sentences_before = len(lede.index)
        assert lede.index is not None
        forget = lede.index.forget
        locked: list[float] = []

        def timed_forget(article_ids: Collection[str]) -> None:  # the same shelf, timed
            started = time.perf_counter()
            forget(article_ids)
            locked.append(time.perf_counter() - started)

        lede.index.forget = timed_forget  # type: ignore[method-assign]
        started = time.perf_counter()
        pruned = lede.retention.prune(datetime.now(UTC))
        whole = time.perf_counter() - started
        assert pruned is not None
        asked = []
        for question in QUESTIONS:
            started = time.perf_counter()
            lede.questions.ask(question)
            asked.append(round((time.perf_counter() - started) * 1000, 1))
        figures = {
            "articles_removed": pruned.removed, "sentences_before": sentences_before, "sentences_after": len(lede.index),
            "prune_s": round(whole, 3), "index_removal_under_write_lock_s": round(sum(locked), 3),
            "first_questions_after_ms": asked, "store_mb_before": round(pruned.bytes_before / 1e6, 1),
            "store_mb_after": round(pruned.bytes_after / 1e6, 1),
        }
        lede.close()
        figures["next_start_rebuilding_the_saved_index_s"] = seconds_to_start(db)
        figures["the_start_after_s"] = seconds_to_start(db)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
