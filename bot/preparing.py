"""Heavy work on new articles and briefings, in a process of its own so that questions keep the GIL.

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

A briefing's grouping of a day's ~18,700 articles into stories is the
same kind of work: two seconds of CPU, much of it in numpy steps that
hold the GIL for tens of milliseconds each, and nothing of the bot's
state but arrays (:class:`retrieval.briefing.Leads`). The bot gathers
the period's articles and their terms from its index, the child groups
them, and the bot tells the few stories chosen.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import numpy as np

from corpus.article import Article
from corpus.errors import UnreadableSource
from corpus.ingest import Prepared, prepare, read_document
from retrieval.briefing import Leads, group_into_stories
from retrieval.sentence_terms import SentenceTerms, analyse
from retrieval.text import Analyzer

T = TypeVar("T")

# How much lower the child's CPU priority is than the bot's (a nice value; 19 is the lowest priority).
CHILD_NICENESS = 10

# The child's own analyzer, set once when the process starts.
_analyzer: Analyzer | None = None


def _adopt(analyzer: Analyzer) -> None:
    """Set the child up: its analyzer, a lower CPU priority than the bot's, and an end with the bot.

    The child's work can wait; a question cannot. On a small or shared
    machine the child's seconds of CPU would otherwise take their share of
    the cores from the bot's answers; at a lower priority it gets whatever
    the answers leave.
    """
    global _analyzer  # noqa: PLW0603 - the one piece of state a pool's worker process can hold
    _analyzer = analyzer
    os.nice(CHILD_NICENESS)
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


def _group(leads: Leads) -> tuple[np.ndarray, np.ndarray]:
    """The stories as two arrays: every article number, story after story, and where each story ends.

    As a list of lists, a day's 14,000 stories took the bot up to 80 ms to
    unpickle, all in one call that holds the GIL.
    """
    stories = group_into_stories(leads)
    return (np.array([number for story in stories for number in story], dtype=np.int64),
            np.cumsum([len(story) for story in stories], dtype=np.int64))


def _ready() -> bool:
    return _analyzer is not None


def _analyse(sentences: Sequence[str]) -> SentenceTerms:
    assert _analyzer is not None, "the process was started without an analyzer"
    return analyse(_analyzer, sentences)


class PreparingProcess:
    """A child process that reads uploads, splits articles, analyses sentences and groups briefings' stories.

    :meth:`close` it at the end.
    """

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._pool: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()

    def read_document(self, name: str, data: bytes, article_id: str, source: str) -> Article:
        """What :func:`corpus.ingest.read_document` gives (or raises), computed in the child process."""
        return self._read(name, read_document, name, data, article_id, source)

    def prepare(self, article: Article) -> Prepared:
        """What :func:`corpus.ingest.prepare` gives, computed in the child process."""
        return self._read(article.source or article.article_id, prepare, article)

    def analyse(self, sentences: Sequence[str]) -> SentenceTerms:
        """The sentences' index terms, as the index's analyzer gives them, computed in the child process.

        They come back compact (:class:`SentenceTerms`): as lists of strings,
        unpickling a 2 MB upload's terms held the GIL ~110 ms in one go.
        """
        return self._read("the article", _analyse, sentences)

    def group_stories(self, leads: Leads) -> list[list[int]]:
        """What :func:`retrieval.briefing.group_into_stories` gives, computed in the child process.

        A briefing waits its turn behind sources being prepared. Should the
        child stop meanwhile (killed, out of memory), the stories are grouped
        here: the briefing slows other chats down then, but it is not lost.
        """
        try:
            numbers, ends = self._run(_group, leads)
        except BrokenProcessPool:
            return group_into_stories(leads)
        every = numbers.tolist()
        return [every[start:end] for start, end in itertools.pairwise([0, *ends.tolist()])]

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

    def _read(self, what: str, call: Callable[..., T], *args: object) -> T:
        """``call`` in the child for the source ``what``, which cannot be read if the child stops."""
        try:
            return self._run(call, *args)
        except BrokenProcessPool as broken:
            raise UnreadableSource(f"{what} could not be read: the process preparing it stopped") from broken

    def _run(self, call: Callable[..., T], *args: object) -> T:
        pool = self._started()
        try:
            return pool.submit(call, *args).result()
        except BrokenProcessPool:
            # The child died (killed, out of memory) on this task: the next one gets a new process.
            with self._starting:
                if self._pool is pool:
                    self._pool = None
            raise

    def _started(self) -> ProcessPoolExecutor:
        with self._starting:
            if self._pool is None:
                # Spawned, not forked: the bot's threads may hold locks a fork would copy held.
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_adopt, initargs=(self._analyzer,))
            return self._pool
