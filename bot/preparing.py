"""Splitting and analysing new articles in a process of their own, so that questions keep the GIL.

Worker threads keep heavy work off the event loop, but they share one GIL:
while a thread splits a 2 MB upload into sentences (NLTK's Punkt, pure
Python) and turns 14,000 sentences into index terms, every question waits
its turn for the interpreter, and answers that take 10 ms alone take a
second or more. Preparing an article needs nothing of the bot's state but
the analyzer, so it runs in a child process: the thread that asked only
waits for the result, and the questions run meanwhile.

One process is enough on a small machine and keeps a core for the answers;
sources prepared at once queue for it. It starts on first use (a run that
only answers never pays for it) and its analyzer is a copy of the index's,
so the terms it returns are exactly the ones the index would compute.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from corpus.article import Article
from corpus.errors import UnreadableSource
from corpus.ingest import Prepared, prepare
from retrieval.sentence_terms import SentenceTerms, analyse
from retrieval.text import Analyzer

T = TypeVar("T")

# The child's own analyzer, set once when the process starts.
_analyzer: Analyzer | None = None


def _adopt(analyzer: Analyzer) -> None:
    global _analyzer  # noqa: PLW0603 - the one piece of state a pool's worker process can hold
    _analyzer = analyzer
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), name="exit-with-parent", daemon=True).start()


def _exit_with(parent_sentinel: int) -> None:
    """End this process when the bot's ends, however it ended.

    A bot stopped cleanly shuts the pool down; one killed (SIGKILL, the OOM
    killer, a crash) cannot, and its idle child would otherwise live on,
    adopted by init, for good.
    """
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(0)


def _ready() -> bool:
    return _analyzer is not None


def _analyse(sentences: Sequence[str]) -> SentenceTerms:
    assert _analyzer is not None, "the process was started without an analyzer"
    return analyse(_analyzer, sentences)


class PreparingProcess:
    """A child process that splits articles and analyses sentences for the index; :meth:`close` at the end."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._pool: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()

    def prepare(self, article: Article) -> Prepared:
        """What :func:`corpus.ingest.prepare` gives, computed in the child process."""
        return self._run(article.source or article.article_id, prepare, article)

    def analyse(self, sentences: Sequence[str]) -> SentenceTerms:
        """The sentences' index terms, as the index's analyzer gives them, computed in the child process.

        They come back compact (:class:`SentenceTerms`): as lists of strings,
        unpickling a 2 MB upload's terms held the GIL ~110 ms in one go.
        """
        return self._run("the article", _analyse, sentences)

    def start(self) -> None:
        """Start the child now rather than on first use: a bot that will take sources starts it before chats wait.

        Started on first use, the child imports its modules (a second or more
        of CPU) while the first upload is being answered, on a small machine
        the core the questions run on. The pool spawns its child with the
        first task, so a task is sent, and not waited for.
        """
        self._started().submit(_ready)

    def close(self) -> None:
        with self._starting:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _run(self, what: str, call: Callable[..., T], *args: object) -> T:
        pool = self._started()
        try:
            return pool.submit(call, *args).result()
        except BrokenProcessPool as broken:
            # The child died (killed, out of memory) on this source: the next one gets a new process.
            with self._starting:
                if self._pool is pool:
                    self._pool = None
            raise UnreadableSource(f"{what} could not be read: the process preparing it stopped") from broken

    def _started(self) -> ProcessPoolExecutor:
        with self._starting:
            if self._pool is None:
                # Spawned, not forked: the bot's threads may hold locks a fork would copy held.
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_adopt, initargs=(self._analyzer,))
            return self._pool
