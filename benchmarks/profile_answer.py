"""Where an answer's time goes: cProfile over Lede answering Reuters headlines from a stored corpus.

    python -m benchmarks.profile_answer --db /tmp/r.db [--questions 400]

The store comes from ``run_bot.py --ingest ../shared/data/reuters21578.jsonl.gz --db /tmp/r.db``.
Prints each of Lede's own functions with the share of the total time spent
in it and below it (cumulative), largest first.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

from benchmarks.speed import queries, reuters_documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--rows", type=int, default=20)
    args = parser.parse_args(argv)
    from bot.config import load_config
    from bot.service import Lede

    lede = Lede.from_config(load_config(["--console", "--db", str(args.db)]))
    questions = queries(reuters_documents(), args.questions)
    for question in questions[:20]:  # warm caches, as a running bot has them
        lede.questions.ask(question)
    profile = cProfile.Profile()
    profile.enable()
    for question in questions:
        lede.questions.ask(question)
    profile.disable()
    stats = pstats.Stats(profile)
    own = [
        (cumulative, f"{path.rsplit('/', 2)[-2]}/{path.rsplit('/', 1)[-1]}:{name}")
        for (path, _line, name), (_calls, _primitive, _total, cumulative, _callers) in stats.stats.items()
        if "/retrieval/" in path or "/bot/" in path or "/corpus/" in path
    ]
    print(f"{len(questions)} questions, {1000 * stats.total_tt / len(questions):.1f} ms each under the profiler")
    for cumulative, name in sorted(own, reverse=True)[: args.rows]:
        print(f"{100 * cumulative / stats.total_tt:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
