"""What matching misspelt question words costs in time and memory, at Reuters size and at a million sentences.

    python -m benchmarks.spelling --sizes reuters,1m [--queries 400]

Each size is built in a fresh worker process, on the same corpus and
headline questions as :mod:`benchmarks.speed`. The lookup (every question
term through :meth:`SentenceIndex.close_terms`) is timed on the headlines as
they are, where nearly every word is known and costs a dictionary lookup,
and on the same headlines with one longer word misspelt by a random slip,
where the close terms must be found; "recovered" is the share of those
misspelt words whose term is the intended one or has it among its close terms.
The whole analysis of each misspelt question (close terms, related words, and
the relatives of the words its slips stand for) is timed too.
The structure is built by the first question that needs it; its build time,
its arrays' size and the process's resident memory around it are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time

from benchmarks.speed import SINGLE_THREAD, build_lede, corpus, queries, reuters_documents
from retrieval.spelling import allowed_edits
from retrieval.text import STOP_WORDS, words

SLIPS = ("drop", "double", "replace", "swap")


def misspell(word: str, generator: random.Random, slips: int = 1) -> str:
    """``word`` with ``slips`` random typing slips: a letter dropped, doubled, replaced, or two neighbours swapped."""
    for _ in range(slips):
        at = generator.randrange(len(word) - 1)
        slip = generator.choice(SLIPS)
        if slip == "drop":
            word = word[:at] + word[at + 1 :]
        elif slip == "double":
            word = word[:at] + word[at] + word[at:]
        elif slip == "replace":
            word = word[:at] + generator.choice("abcdefghijklmnopqrstuvwxyz") + word[at + 1 :]
        else:
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def misspelt_questions(questions: list[str], seed: int = 7) -> list[tuple[str, str, str]]:
    """(question with one word misspelt, the word, its misspelling) for each question with a word long enough."""
    generator = random.Random(seed)
    misspelt = []
    for question in questions:
        candidates = [w for w in words(question) if w.isalpha() and w not in STOP_WORDS and allowed_edits(len(w))]
        if candidates:
            word = generator.choice(candidates)
            typed = misspell(word, generator)
            misspelt.append((question.lower().replace(word, typed, 1), word, typed))
    return misspelt


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _lookup_ms(index, question: str, repeats: int = 3) -> float:
    """Milliseconds to match every term of ``question`` against the vocabulary, the median of ``repeats``."""
    terms = index.analyzer.query(question).terms
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for term in terms:
            index.close_terms(term)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _analysis_ms(index, question: str, repeats: int = 3) -> float:
    """Milliseconds to analyse ``question`` whole (terms, close terms, related words and theirs), the median of ``repeats``."""
    analyzer = index.question_analyzer
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        analyzer.query(question)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean_ms": round(statistics.fmean(ordered), 4),
        "p50_ms": round(ordered[len(ordered) // 2], 4),
        "p95_ms": round(ordered[int(0.95 * len(ordered))], 4),
        "max_ms": round(ordered[-1], 4),
    }


def worker(size: str, count: int) -> dict[str, object]:
    reuters = reuters_documents()
    questions = queries(reuters, count)
    index = build_lede(corpus(size, reuters)).index
    before = _resident_mb()
    started = time.perf_counter()
    index.close_terms("qqqqqq")  # an unknown word: builds the structure
    build_ms = (time.perf_counter() - started) * 1000
    after = _resident_mb()
    index.prepare_spelling()  # and the lexicon's, which the bot builds at start
    misspelt = misspelt_questions(questions)
    intended = [(index.analyzer.term(word), index.analyzer.term(typed)) for _, word, typed in misspelt]
    # A slip the stemmer absorbs ("debenturs" → "debentur") needs no matching; one that makes
    # another known word ("rates" → "rate") is left alone by design.
    recovered = sum(term == typed or term in index.close_terms(typed) for term, typed in intended)
    known = sum(term != typed and index.term_number(typed) >= 0 for term, typed in intended)
    return {
        "size": size,
        "sentences": len(index),
        "vocabulary": len(index._vocabulary),
        "structure_mb": round(index._spelling.nbytes / 2**20, 2),
        "build_ms": round(build_ms, 1),
        "resident_mb_before_after": [round(before, 1), round(after, 1)],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "questions_as_typed": {"count": len(questions), **_summary([_lookup_ms(index, q) for q in questions])},
        "one_word_misspelt": {"count": len(misspelt), **_summary([_lookup_ms(index, q) for q, _, _ in misspelt])},
        # What such a question's whole analysis costs, the lexicon's relatives of the words meant included.
        "one_word_misspelt_analysed": {"count": len(misspelt), **_summary([_analysis_ms(index, q) for q, _, _ in misspelt])},
        "recovered": round(recovered / len(misspelt), 3),
        "misspelling_is_a_known_word": round(known / len(misspelt), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="reuters", help="comma-separated: reuters, 1m")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.worker:
        print(json.dumps(worker(arguments.worker, arguments.queries)))
        return 0
    for size in arguments.sizes.split(","):
        command = [sys.executable, "-m", "benchmarks.spelling", "--worker", size, "--queries", str(arguments.queries)]
        environment = {**os.environ, **SINGLE_THREAD}
        completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
        print(completed.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
