"""Speed and memory of Lede's retrieval beside rank-bm25, bm25s and tantivy, on the same sentences.

    python -m benchmarks.speed --sizes reuters,1m,book [--queries 400] [--repeats 3] [--out FILE]

Every (size, system) pair runs in a fresh worker process, pinned to one
thread, so build time, latency and peak RSS are each system's own. The
corpus is the shared Reuters collection split by Lede's splitter (~125k
sentences) and, for ``1m``, copies of it in which every other word of each
copy carries a per-copy suffix, so the vocabulary grows as a real corpus
would; ``book`` adds to Reuters one document of 100,000 such sentences, a
book-length upload that leads the candidates of many questions. Queries are
Reuters headlines (a fixed random sample), about four content words each. The machine is noisy: compare the systems within one
run, as ratios, rather than across runs.

Peers come from the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REUTERS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "reuters21578.jsonl.gz"
SYSTEMS = ("lede", "rank_bm25", "bm25s", "tantivy")
MILLION = 1_000_000
BOOK_SENTENCES = 100_000
# rank-bm25 scans every sentence in Python: a full query set at a million
# sentences would take the better part of an hour, so it answers a subset.
SLOW_SYSTEM_QUERIES = {"rank_bm25": 60}
SINGLE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS", "RAYON_NUM_THREADS")}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Document:
    """One article of the benchmark corpus, already split into sentences."""

    article_id: str
    title: str
    sentences: list[str]


def reuters_documents() -> list[Document]:
    from corpus.loader import load_file
    from corpus.sentences import split_sentences

    return [
        Document(article.article_id, article.title, [s for p in article.paragraphs for s in split_sentences(p)])
        for article in load_file(REUTERS)
    ]


def derived_copy(documents: list[Document], copy: int) -> Iterator[Document]:
    """A copy of the corpus where every other word carries this copy's suffix."""
    suffix = "q" + "".join(chr(ord("a") + int(digit)) for digit in str(copy))

    def mark(sentence: str) -> str:
        count = iter(range(len(sentence)))
        return _WORD.sub(lambda match: match[0] + suffix if next(count) % 2 else match[0], sentence)

    for document in documents:
        yield Document(f"{document.article_id}~{copy}", document.title, [mark(s) for s in document.sentences])


def corpus(size: str, reuters: list[Document]) -> Iterator[Document]:
    """The documents of one benchmark size, derived copies made as they are consumed.

    Streaming keeps the benchmark's own copy of a million sentences out of the
    measured process's peak memory: only what the system under test keeps counts.
    """
    if size not in ("reuters", "1m", "book"):
        raise ValueError(f"unknown size {size!r} (expected reuters, 1m or book)")
    yield from reuters
    if size == "book":
        # One upload of a book's length beside the news: 100,000 sentences in a single "article",
        # which leads the candidates of many questions (its text is a derived copy of Reuters).
        copied = (sentence for document in derived_copy(reuters, 1) for sentence in document.sentences)
        yield Document("book", "One long upload", list(itertools.islice(copied, BOOK_SENTENCES)))
    if size == "1m":
        per_copy = sum(len(document.sentences) for document in reuters)
        for copy in range(1, -(-MILLION // per_copy)):
            yield from derived_copy(reuters, copy)


def queries(reuters: list[Document], count: int) -> list[str]:
    """Headlines as questions: short, specific, and answerable from the corpus."""
    headlines = sorted({d.title for d in reuters if len(_WORD.findall(d.title)) >= 3})
    return random.Random(20261127).sample(headlines, count)


# ---- systems ----------------------------------------------------------------------------------


@dataclass
class LedeUnderTest:
    """Lede's index with the three operations the benchmark times."""

    index: object

    def retrieve(self, query: str) -> object:
        return self.index.top(dict.fromkeys(self.index.analyzer.query(query).terms, 1.0), 10)

    def answer(self, query: str) -> object:
        from retrieval.answer import answer_question

        return answer_question(self.index, query)

    def add(self, document: Document) -> None:
        from corpus.article import Article

        self.index.add_article(Article(document.article_id, document.title, ()), document.sentences)


def build_lede(documents: Iterable[Document]) -> LedeUnderTest:
    from bot.shared_index import new_index

    lede = LedeUnderTest(new_index())
    for document in documents:
        lede.add(document)
    return lede


def time_additions(lede: LedeUnderTest, reuters: list[Document], questions: list[str]) -> dict[str, float]:
    """Milliseconds to add one unseen article to the built index, and to answer right after.

    The answer after an addition pays for refreshing the statistics the
    addition invalidated, so it is timed too.
    """
    newcomers = list(derived_copy(random.Random(3).sample(reuters, 50), 999))
    adds, answers = [], []
    for document, question in zip(newcomers, questions, strict=False):
        started = time.perf_counter()
        lede.add(document)
        adds.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        lede.answer(question)
        answers.append((time.perf_counter() - started) * 1000)
    return {"add_p50_ms": round(statistics.median(adds), 3), "add_max_ms": round(max(adds), 3),
            "answer_after_add_p50_ms": round(statistics.median(answers), 3)}


def _plain_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@dataclass
class PeerUnderTest:
    """A peer system: it only retrieves."""

    retrieve: Callable[[str], object]
    answer = None


def build_rank_bm25(documents: Iterable[Document]) -> PeerUnderTest:
    import numpy as np
    from rank_bm25 import BM25Okapi

    bm25 = BM25Okapi([_plain_tokens(s) for d in documents for s in d.sentences])

    def retrieve(query: str) -> object:
        scores = bm25.get_scores(_plain_tokens(query))
        return np.argpartition(scores, -10)[-10:]

    return PeerUnderTest(retrieve)


def build_bm25s(documents: Iterable[Document]) -> PeerUnderTest:
    import bm25s

    sentences = [s for d in documents for s in d.sentences]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(sentences, stopwords="en", show_progress=False), show_progress=False)

    def retrieve(query: str) -> object:
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        return retriever.retrieve(tokens, k=10, show_progress=False, n_threads=1)

    return PeerUnderTest(retrieve)


def build_tantivy(documents: Iterable[Document]) -> PeerUnderTest:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=500_000_000, num_threads=1)
    for document in documents:
        for sentence in document.sentences:
            writer.add_document(tantivy.Document(text=sentence))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def retrieve(query: str) -> object:
        parsed, _errors = index.parse_query_lenient(" ".join(_plain_tokens(query)), ["text"])
        return searcher.search(parsed, 10).hits

    return PeerUnderTest(retrieve)


BUILDERS = {"lede": build_lede, "rank_bm25": build_rank_bm25, "bm25s": build_bm25s, "tantivy": build_tantivy}


# ---- measuring --------------------------------------------------------------------------------


def latencies(function: Callable[[str], object], questions: list[str], repeats: int) -> dict[str, float]:
    """Per-query median over ``repeats`` runs, then p50/p95/p99 over queries, in milliseconds."""
    function(questions[0])  # first-call set-up (caches, lazy statistics) is not a query's cost
    runs: list[list[float]] = []
    for _ in range(repeats):
        run = []
        for question in questions:
            started = time.perf_counter()
            function(question)
            run.append((time.perf_counter() - started) * 1000)
        runs.append(run)
    per_query = sorted(statistics.median(times) for times in zip(*runs, strict=True))
    return {f"p{share}_ms": round(percentile(per_query, share / 100), 3) for share in (50, 95, 99)}


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value ``share`` (0 to 1) of the way up ``ordered`` (sorted, not empty): the one the benchmarks quote."""
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def worker(system: str, size: str, query_count: int, repeats: int) -> dict[str, object]:
    reuters = reuters_documents()
    questions = queries(reuters, query_count)[: SLOW_SYSTEM_QUERIES.get(system, query_count)]
    sentences = 0

    def counted() -> Iterator[Document]:
        nonlocal sentences
        for document in corpus(size, reuters):
            sentences += len(document.sentences)
            yield document

    started = time.perf_counter()
    built = BUILDERS[system](counted())
    build_seconds = time.perf_counter() - started
    result: dict[str, object] = {
        "system": system,
        "size": size,
        "sentences": sentences,
        "queries": len(questions),
        "build_s": round(build_seconds, 2),
        "retrieval": latencies(built.retrieve, questions, 1 if system in SLOW_SYSTEM_QUERIES else repeats),
    }
    if built.answer is not None:
        result["answer"] = latencies(built.answer, questions, repeats)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if isinstance(built, LedeUnderTest):
        result["incremental"] = time_additions(built, reuters, questions)
    return result


def run_worker(system: str, size: str, query_count: int, repeats: int) -> dict[str, object]:
    command = [sys.executable, "-m", "benchmarks.speed", "--worker", system, "--sizes", size,
               "--queries", str(query_count), "--repeats", str(repeats)]
    environment = {**os.environ, **SINGLE_THREAD}
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if completed.returncode != 0:
        return {"system": system, "size": size, "error": completed.stderr.strip().splitlines()[-1:]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def ingestion_and_cold_start(question: str, runs: int = 3) -> dict[str, float]:
    """Lede as a user runs it: ``--ingest`` all of Reuters into a fresh store, then cold ``--ask``.

    Ingestion includes reading, cleaning, splitting, storing and indexing
    (the saved index); each cold start is a new process answering one question.
    """
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "reuters.db"
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "run_bot.py", "--ingest", str(REUTERS), "--db", str(database), "--json"],
            capture_output=True, text=True, check=True, env={**os.environ, **SINGLE_THREAD},
        )
        ingest_seconds = time.perf_counter() - started
        summary = json.loads(completed.stdout.strip().splitlines()[-1])
        cold = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "run_bot.py", "--db", str(database), "--ask", question],
                           capture_output=True, check=True, env={**os.environ, **SINGLE_THREAD})
            cold.append(time.perf_counter() - started)
        files = [database, *database.parent.glob(database.name + "*")]
        return {
            "articles_read": summary["added"] + summary["known"],
            "articles_stored": summary["added"],
            "ingest_s": round(ingest_seconds, 2),
            "ingest_articles_per_s": round((summary["added"] + summary["known"]) / ingest_seconds, 1),
            "database_mb": round(database.stat().st_size / 2**20, 1),
            "store_and_index_mb": round(sum(f.stat().st_size for f in set(files)) / 2**20, 1),
            "cold_start_first_answer_s": round(statistics.median(cold), 2),
        }


def table(results: list[dict[str, object]]) -> str:
    header = f"{'size':8} {'system':10} {'sentences':>10} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'answer p50':>11} {'add ms':>7} {'RSS MB':>8} {'p50 vs Lede':>12}"
    lines = [header, "-" * len(header)]
    lede_p50 = {r["size"]: r["retrieval"]["p50_ms"] for r in results if r["system"] == "lede" and "retrieval" in r}
    for r in results:
        if "error" in r:
            lines.append(f"{r['size']:8} {r['system']:10} failed: {r['error']}")
            continue
        retrieval = r["retrieval"]
        answer = r.get("answer", {}).get("p50_ms", "")
        add = r.get("incremental", {}).get("add_p50_ms", "")
        ratio = retrieval["p50_ms"] / lede_p50[r["size"]] if lede_p50.get(r["size"]) else float("nan")
        lines.append(
            f"{r['size']:8} {r['system']:10} {r['sentences']:>10,} {r['build_s']:>8} {retrieval['p50_ms']:>8} "
            f"{retrieval['p95_ms']:>8} {retrieval['p99_ms']:>8} {answer!s:>11} {add!s:>7} {r['peak_rss_mb']:>8} {ratio:>11.1f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="reuters", help="comma-separated: reuters, 1m, book")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ", ".join(SYSTEMS))
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/speed-results.json"))
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not REUTERS.exists():
        print(f"The shared Reuters data is missing ({REUTERS}); nothing to measure.", file=sys.stderr)
        return 2
    if args.worker:
        print(json.dumps(worker(args.worker, args.sizes, args.queries, args.repeats)))
        return 0
    results = []
    for size in args.sizes.split(","):
        for system in args.systems.split(","):
            print(f"… {size} / {system}", file=sys.stderr, flush=True)
            results.append(run_worker(system, size, args.queries, args.repeats))
    print(table(results))
    report: dict[str, object] = {"retrieval": results}
    if "reuters" in args.sizes.split(",") and "lede" in args.systems.split(","):
        print("… reuters / lede as a program: --ingest, then cold --ask", file=sys.stderr, flush=True)
        program = ingestion_and_cold_start(queries(reuters_documents(), 1)[0])
        report["program"] = program
        print("\nLede as a program (Reuters): " + ", ".join(f"{key} {value}" for key, value in program.items()))
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
