"""The preparing process: the same sentences and terms as preparing in the bot's own process, and it survives a crash."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.preparing import PreparingProcess
from bot.service import Lede
from bot.shared_index import new_index
from corpus.article import Article
from corpus.errors import UnreadableSource
from corpus.ingest import prepare
from corpus.store import EVERYONE
from retrieval.answer import Answer

ARTICLE = Article(
    article_id="harbour",
    title="Harbour reopens",
    paragraphs=(
        "The harbour reopened on Monday after a three-week strike. Dockers accepted a 4.5% raise.",
        "Shipping lines said Mr. Smith's agreement would clear the backlog by March.",
    ),
    source="harbour.txt",
)


@pytest.fixture(scope="module")
def preparing() -> Iterator[PreparingProcess]:
    process = PreparingProcess(new_index().analyzer)
    yield process
    process.close()


def test_an_article_is_split_in_the_child_process_exactly_as_here(preparing: PreparingProcess) -> None:
    assert preparing.prepare(ARTICLE) == prepare(ARTICLE)


def test_sentences_get_the_terms_the_index_analyzer_gives(preparing: PreparingProcess) -> None:
    analyzer = new_index().analyzer
    sentences = prepare(ARTICLE).sentences
    analysed = preparing.analyse(sentences)
    assert [analysed.sentence(number) for number in range(len(analysed))] == [analyzer.terms(s) for s in sentences]


def test_a_child_that_dies_fails_that_source_with_its_name_and_the_next_gets_a_new_process(
        preparing: PreparingProcess) -> None:
    preparing.prepare(ARTICLE)
    for child in multiprocessing.active_children():
        child.kill()
        child.join()
    with pytest.raises(UnreadableSource, match="harbour.txt could not be read"):
        preparing.prepare(ARTICLE)
    assert preparing.prepare(ARTICLE) == prepare(ARTICLE)


def test_an_article_kept_through_the_process_is_answered_from(preparing: PreparingProcess) -> None:
    lede = Lede.compose(new_index(), preparing=preparing)
    kept = lede.sources.library.keep(ARTICLE, chat=EVERYONE)
    answer = lede.questions.ask("What raise did the dockers accept?")
    assert kept.sentences == 3
    assert isinstance(answer, Answer) and answer.best is not None
    assert answer.best.passage.text == "Dockers accepted a 4.5% raise."


def test_a_process_started_ahead_runs_its_child_before_the_first_source_comes() -> None:
    process = PreparingProcess(new_index().analyzer)
    try:
        children_before = set(multiprocessing.active_children())
        process.start()
        assert set(multiprocessing.active_children()) - children_before, "no child was started"
        assert process.prepare(ARTICLE) == prepare(ARTICLE)
    finally:
        process.close()


BOT_WITH_A_CHILD = """
import multiprocessing, time
from bot.preparing import PreparingProcess
from bot.shared_index import new_index
from corpus.article import Article
preparing = PreparingProcess(new_index().analyzer)
preparing.prepare(Article("a", "A", ("The child is up and has split this.",)))
print(*[child.pid for child in multiprocessing.active_children()], flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (an exited child that nobody reaped yet counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process states from /proc (Linux)")
def test_the_child_ends_when_the_bot_is_killed_without_a_chance_to_close_it() -> None:
    bot = subprocess.Popen([sys.executable, "-c", BOT_WITH_A_CHILD], stdout=subprocess.PIPE, text=True,
                           cwd=Path(__file__).resolve().parents[2])
    try:
        children = [int(pid) for pid in bot.stdout.readline().split()]
        assert children and all(_running(pid) for pid in children)
    finally:
        bot.kill()
        bot.wait()
    deadline = time.monotonic() + 60
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in children), "the preparing process outlived the killed bot"
