"""How long a briefing takes at news scale, and whether finding candidate pairs changes its stories.

    python -m benchmarks.briefing [--sizes day,week,lookback] [--all-pairs day,lookback] [--work DIR]

Three periods, each briefed in a fresh worker process by the real service
(``Lede.briefings.brief``, as ``run_bot.py --brief --since`` calls it); "beyond
start-up" is the briefing alone, after the store and index are open:

* ``day``: all of Reuters (18,696 stored articles) re-dated, in their
  original order, into the last 23 hours, and briefed since a day ago.
  Every article is within 48 hours of every other: the worst case for
  comparing pairs. The same briefing is also timed end to end as a user
  runs it, ``run_bot.py --brief --since <a day ago> --db <that store>``,
  less the same command over an empty period (its start-up).
* ``week``: ~100,000 articles over the last 7 days. Reuters' 19,043 records
  are taken again and again (5.25 times): copy *k* gets the id
  ``<id>-copy<k>``, the timeline of the original dates squeezed into the
  week and shifted by *k*/6 of it (so an article's copies are 28 hours
  apart: follow-ups, not duplicates), and three words of its body changed
  (a per-copy suffix), so no copy is an exact duplicate. The store rejects
  what it always rejects (exact duplicate bodies).
* ``lookback``: the README's look back, all of Reuters with its own dates,
  since 1987-03-01 (18,487 articles).

``near_duplicates`` counts the articles searched for story pairs through
an earlier copy with their headline (:mod:`retrieval.near_duplicates`).

``--all-pairs`` also briefs a period with the exhaustive comparison the
code used before (every pair within 48 hours, a dense product per block
of 256 articles, here in the benchmark as the reference) and reports how
many stories differ. It takes minutes at a day and is not offered for the
week (about half an hour on a 2-core machine, extrapolated from the day).

Stores are built once in ``--work`` (default: a temporary folder named for
this benchmark) by ``run_bot.py --ingest`` and re-dated in place with SQL,
relative to now, at each run. The machine is shared and noisy: figures are
medians of the runs, and both paths run in the same invocation.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from benchmarks.speed import REUTERS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = Path(tempfile.gettempdir()) / "lede-briefing-benchmark"
WEEK_ARTICLES = 100_000
WEEK_COPY_SHIFT = 1 / 6  # of the week, between an article's copies
CHANGED_WORDS = 3
LOOKBACK_SINCE = "1987-03-01T00:00:00+00:00"
BLOCK = 256  # rows per dense product in the exhaustive reference
RUNS = 2


# ---- the stores -----------------------------------------------------------------------------------


def ingest(source: Path, db: Path) -> None:
    """Store ``source`` with the real command, unless that store exists."""
    if db.exists():
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "run_bot.py"), "--ingest", str(source), "--db", str(db), "--json"],
                   check=True, cwd=ROOT, capture_output=True)


def copy_store(source: Path, target: Path) -> None:
    for suffix in ("", ".index.npz"):
        shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def redate(db: Path, start: datetime, span: timedelta) -> int:
    """Spread the dated articles, in their stored date order, evenly over ``[start, start + span)``."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id FROM articles WHERE published IS NOT NULL ORDER BY published, id").fetchall()
        naive = start.astimezone(UTC).replace(tzinfo=None)
        connection.executemany(
            "UPDATE articles SET published = ? WHERE id = ?",
            [((naive + span * number / len(rows)).isoformat(timespec="seconds"), row) for number, (row,) in enumerate(rows)],
        )
    return len(rows)


def week_records(records: list[dict]) -> list[dict]:
    """Reuters taken again and again up to :data:`WEEK_ARTICLES`, each copy re-dated, re-named and a little changed.

    Dates are placed in a fixed week (1987-03-02 onwards); :func:`redate`
    later moves that week to the last seven days, keeping the order.
    """
    dated = sorted((record["date"], number) for number, record in enumerate(records) if record.get("date"))
    place = {number: rank / len(dated) for rank, (_, number) in enumerate(dated)}
    anchor = datetime(1987, 3, 2)
    copies = []
    for serial in range(WEEK_ARTICLES):
        copy, number = divmod(serial, len(records))
        record = dict(records[number])
        if copy:
            record["id"] = f"{record['id']}-copy{copy}"
            words = record["body"].split(" ")
            chooser = random.Random(f"{record['id']}")
            for position in chooser.sample(range(len(words)), min(CHANGED_WORDS, len(words))):
                words[position] = f"{words[position]}{copy}x" if words[position].strip() else words[position]
            record["body"] = " ".join(words)
        if number in place:
            fraction = (place[number] + copy * WEEK_COPY_SHIFT) % 1.0
            record["date"] = (anchor + timedelta(days=7) * fraction).isoformat(timespec="seconds")
        copies.append(record)
    return copies


def prepare(work: Path, sizes: Sequence[str], now: datetime) -> dict[str, tuple[Path, datetime]]:
    """Each period's store, dated relative to ``now``, and its "since"."""
    reuters = work / "reuters.db"
    ingest(REUTERS, reuters)
    periods: dict[str, tuple[Path, datetime]] = {}
    if "day" in sizes:
        day = work / "day.db"
        copy_store(reuters, day)
        redate(day, now - timedelta(hours=23, minutes=30), timedelta(hours=23))
        periods["day"] = (day, now - timedelta(days=1))
    if "week" in sizes:
        source = work / "week.jsonl.gz"
        if not source.exists():
            with gzip.open(REUTERS, "rt", encoding="utf-8") as file:
                records = [json.loads(line) for line in file]
            with gzip.open(source, "wt", encoding="utf-8") as file:
                file.writelines(json.dumps(record) + "\n" for record in week_records(records))
        stored = work / "week-stored.db"
        ingest(source, stored)
        week = work / "week.db"
        copy_store(stored, week)
        redate(week, now - timedelta(days=7) + timedelta(minutes=30), timedelta(days=7) - timedelta(hours=1))
        periods["week"] = (week, now - timedelta(days=7))
    if "lookback" in sizes:
        periods["lookback"] = (reuters, datetime.fromisoformat(LOOKBACK_SINCE))
    return periods


# ---- one briefing, in a worker process ------------------------------------------------------------


def exhaustive_pairs(vectors, _rarity, moments, publishers, _titles) -> list[tuple[float, int, int]]:
    """Every pair within the window above its threshold, by comparing all of them (the code before candidates)."""
    from retrieval import briefing

    moment = np.asarray(moments)  # microseconds since the epoch
    publisher = np.asarray(publishers)
    window = briefing.STORY_WINDOW // timedelta(microseconds=1)
    pairs: list[tuple[float, int, int]] = []
    for start in range(0, len(moments), BLOCK):
        end = min(start + BLOCK, len(moments))
        first = int(np.searchsorted(moment, moment[start] - window, side="left"))
        block, compared = np.arange(start, end), np.arange(first, end)
        used = np.unique(np.concatenate([vectors.indices[vectors.indptr[row]:vectors.indptr[row + 1]] for row in block]))
        product = _dense(vectors, block, used) @ _dense(vectors, compared, used).T
        block_rows, window_rows = np.nonzero(product)
        similarity = product[block_rows, window_rows]
        later, earlier = block_rows + start, window_rows + first
        threshold = np.where(publisher[earlier] == publisher[later], briefing.SAME_STORY,
                             briefing.SAME_STORY_ACROSS_PUBLISHERS)
        keep = (earlier < later) & (similarity >= threshold) & (moment[later] - moment[earlier] <= window)
        pairs.extend(zip(similarity[keep].tolist(), earlier[keep].tolist(), later[keep].tolist(), strict=True))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    return pairs


def _dense(vectors, rows: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The rows as a dense matrix over the ``used`` columns (sorted) only."""
    dense = np.zeros((len(rows), len(used)))
    for local, row in enumerate(rows.tolist()):
        start, stop = vectors.indptr[row], vectors.indptr[row + 1]
        columns = vectors.indices[start:stop]
        place = np.searchsorted(used, columns)
        inside = (place < len(used)) & (used[np.minimum(place, len(used) - 1)] == columns)
        dense[local, place[inside]] = vectors.data[start:stop][inside]
    return dense


def worker(db: Path, since: datetime, exhaustive: bool) -> dict[str, object]:
    """Open the store, brief the period, and report the times and every story's article ids."""
    started = time.perf_counter()
    from bot.config import load_config
    from bot.service import Lede
    from retrieval import briefing

    lede = Lede.from_config(load_config(["--brief", "--db", str(db)]))
    opened = time.perf_counter()
    if exhaustive:
        briefing._similar_pairs = exhaustive_pairs  # the reference replaces only how pairs are found
    periods: list[list[str]] = []
    grouped: list[list[list[str]]] = []
    leads_of, group_into_stories = briefing.Leads.of, briefing.group_into_stories

    def remembering(items, terms):
        periods.append([item.article.article_id for item in items])
        return leads_of(items, terms)

    def recording(leads):
        groups = group_into_stories(leads)
        grouped.append([[periods[-1][number] for number in group] for group in groups])
        return groups

    copies: list[int] = []
    representatives = briefing.representatives

    def counting(vectors, *rest):
        representative = representatives(vectors, *rest)
        copies.append(int((representative != np.arange(len(representative))).sum()))
        return representative

    briefing.Leads.of = remembering
    briefing.group_into_stories = recording
    briefing.representatives = counting
    result = lede.briefings.brief(now=datetime.now(UTC), since=since)
    finished = time.perf_counter()
    lede.close()
    return {"articles": result.articles, "stories": result.more + len(result.stories),
            "start_up_s": opened - started, "brief_s": finished - opened, "groups": grouped[-1],
            "near_duplicates": copies[-1] if copies else None}


def run_worker(db: Path, since: datetime, exhaustive: bool) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.briefing", "--worker", str(db), since.isoformat(), str(int(exhaustive))],
        check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def command_seconds(db: Path, since: datetime) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "run_bot.py"), "--brief", "--since", since.isoformat(), "--db", str(db)],
                   check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def differing_stories(before: list[list[str]], after: list[list[str]]) -> dict[str, int]:
    """Stories (as sets of article ids) found by only one of the two groupings, and the articles in them."""
    old, new = {frozenset(group) for group in before}, {frozenset(group) for group in after}
    return {"only_before": len(old - new), "only_after": len(new - old),
            "articles_in_differing_stories": len(set().union(*(old ^ new)))}


# ---- the report -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="day,week,lookback")
    parser.add_argument("--all-pairs", default="", help="periods also briefed by comparing every pair (day, lookback)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.worker:
        db, since, exhaustive = arguments.worker
        print(json.dumps(worker(Path(db), datetime.fromisoformat(since), exhaustive == "1")))
        return 0
    sizes = [size for size in arguments.sizes.split(",") if size]
    all_pairs = {size for size in arguments.all_pairs.split(",") if size} - {"week"}
    now = datetime.now(UTC)
    periods = prepare(arguments.work, sizes, now)
    for size in sizes:
        db, since = periods[size]
        runs = [run_worker(db, since, exhaustive=False) for _ in range(RUNS)]
        line = {"period": size, "articles": runs[0]["articles"], "stories": runs[0]["stories"],
                "start_up_s": round(statistics.median(run["start_up_s"] for run in runs), 2),
                "brief_s": round(statistics.median(run["brief_s"] for run in runs), 2),
                "near_duplicates": runs[0]["near_duplicates"]}
        if size == "day":
            empty = statistics.median(command_seconds(db, now + timedelta(hours=1)) for _ in range(RUNS))
            full = statistics.median(command_seconds(db, since) for _ in range(RUNS))
            line |= {"command_s": round(full, 2), "command_empty_period_s": round(empty, 2),
                     "command_beyond_start_up_s": round(full - empty, 2)}
        if size in all_pairs:
            reference = run_worker(db, since, exhaustive=True)
            line |= {"all_pairs_brief_s": round(reference["brief_s"], 2), "all_pairs_stories": reference["stories"],
                     **differing_stories(reference["groups"], runs[0]["groups"])}
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
