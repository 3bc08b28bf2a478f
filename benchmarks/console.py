"""Answer latency as a console user meets it: questions piped into ``run_bot.py --console --json``.

    python -m benchmarks.console --db /tmp/r.db [--questions 400]

The store comes from ``run_bot.py --ingest ../shared/data/reuters21578.jsonl.gz --db /tmp/r.db --create``.
The console runs in its own process, exactly as a user starts it, and is
sent one Reuters headline at a time; each question's time runs from writing
its line to reading its JSON reply, so it holds the whole path: reading the
line, follow-up detection, the answer, formatting and the pipe. Warm-up
questions (start-up, caches) are not counted. The in-process figure of
:mod:`benchmarks.speed` leaves out the console and the conversation around
the answer; this one is what a person typing questions waits for.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.speed import percentile, queries, reuters_documents

RUN_BOT = Path(__file__).resolve().parent.parent / "run_bot.py"
WARM_UP = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=400)
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"no store at {args.db}: ingest Reuters into it first (see --help)")
    questions = queries(reuters_documents(), args.questions)
    command = [sys.executable, str(RUN_BOT), "--console", "--json", "--db", str(args.db)]
    console = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    assert console.stdin is not None and console.stdout is not None
    times, answered = [], 0
    try:
        for number, question in enumerate(questions[:WARM_UP] + questions):
            started = time.perf_counter()
            console.stdin.write(question.replace("\n", " ") + "\n")
            console.stdin.flush()
            reply = console.stdout.readline()
            elapsed = (time.perf_counter() - started) * 1000
            if not reply:
                raise SystemExit(f"the console stopped after {number} questions (exit code {console.wait()})")
            if number >= WARM_UP:
                times.append(elapsed)
                answered += json.loads(reply)["answer"] is not None
    finally:
        console.stdin.close()
        console.wait()
    times.sort()
    print(
        f"{len(times)} questions through the console, {answered} answered: "
        f"p50 {percentile(times, 0.5):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, mean {statistics.fmean(times):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
