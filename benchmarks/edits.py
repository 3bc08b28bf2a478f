"""What an edited post costs the index: replacing an article at Reuters size or at a million sentences.

    python -m benchmarks.edits [--size reuters|1m] [--edits 50]

An edited channel post replaces its article (:meth:`SentenceIndex.replace_article`):
the old sentences leave every posting-list segment that holds them (a copy of
those segments) and the statistics; the new ones are appended. That runs under
the index's write lock, so it is what a question may wait for. Timed here on
the same corpus and headline questions as :mod:`benchmarks.speed`, for random
articles edited by one word, with the first question after each (it pays for
the mean IDF the replacement invalidated), beside adding an unseen article.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from benchmarks.speed import build_lede, corpus, derived_copy, queries, reuters_documents
from corpus.article import Article


def milliseconds(samples: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(samples), 2), "max": round(max(samples), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("reuters", "1m"), default="reuters")
    parser.add_argument("--edits", type=int, default=50)
    options = parser.parse_args()
    reuters = reuters_documents()
    started = time.perf_counter()
    lede = build_lede(corpus(options.size, reuters))
    built = time.perf_counter() - started
    index = lede.index
    questions = queries(reuters, options.edits)
    edited = [document for document in random.Random(5).sample(reuters, options.edits) if document.sentences]
    replaces, answers_after = [], []
    for document, question in zip(edited, questions, strict=False):
        sentences = [document.sentences[0] + " Updated."] + document.sentences[1:]
        started = time.perf_counter()
        index.replace_article(Article(document.article_id, document.title, ()), sentences)
        replaces.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        lede.answer(question)
        answers_after.append((time.perf_counter() - started) * 1000)
    adds = []
    for document in derived_copy(random.Random(3).sample(reuters, options.edits), 999):
        started = time.perf_counter()
        lede.add(document)
        adds.append((time.perf_counter() - started) * 1000)
    print(json.dumps({
        "size": options.size, "sentences": len(index), "build_s": round(built, 1), "edits": len(replaces),
        "replace_ms": milliseconds(replaces), "answer_after_replace_ms": milliseconds(answers_after),
        "add_ms": milliseconds(adds),
    }))


if __name__ == "__main__":
    main()
