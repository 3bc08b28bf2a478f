"""The preparing process: the same sentences, terms and stories as in the bot's own process, and it survives a crash."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config, Mode
from bot.preparing import PreparingProcess
from bot.service import Lede
from bot.shared_index import new_index
from corpus.article import Article
from corpus.errors import UnreadableSource
from corpus.ingest import prepare, read_document
from corpus.store import EVERYONE
from retrieval.answer import Answer
from retrieval.briefing import Leads, group_into_stories

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


def test_an_upload_is_read_in_the_child_process_exactly_as_here(preparing: PreparingProcess) -> None:
    upload = b"Harbour reopens\n\nThe harbour reopened on Monday.\n\nDockers accepted a 4.5% raise.\n"
    sent = ("harbour.txt", upload, "doc-harbour", "harbour.txt")
    assert preparing.read_document(*sent) == read_document(*sent)


def test_an_upload_the_child_cannot_read_is_refused_with_its_reason(preparing: PreparingProcess) -> None:
    with pytest.raises(UnreadableSource) as here:
        read_document("harbour.txt", b"\x00\x01 binary", "doc-harbour", "harbour.txt")
    with pytest.raises(UnreadableSource) as there:
        preparing.read_document("harbour.txt", b"\x00\x01 binary", "doc-harbour", "harbour.txt")
    assert there.value.reason == here.value.reason


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


NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def wire_article(number: int) -> Article:
    """One of a day's wire stories: every tenth is about the same town's vote, so some stories have several articles."""
    town = f"Town{number % 10}"
    text = (f"The council of {town} voted on the harbour bridge on Monday. "
            f"Officials in {town} said the bridge would cost {number % 10} million euros.")
    return Article(f"wire-{number}", f"{town} council votes on the harbour bridge", (text,),
                   publisher=f"Paper{number % 3}", published=NOW - timedelta(minutes=7 * number + 1))


def day_of_leads() -> Leads:
    """A day's wire stories as a briefing hands them to grouping, read from an index as the bot reads them."""
    lede = Lede.compose(new_index())
    lede.add_articles(wire_article(number) for number in range(60))
    items = sorted(lede.index.news_since(NOW - timedelta(days=1), EVERYONE),
                   key=lambda item: (item.moment, item.article.article_id))
    return Leads.of(items, lede.index.story_terms(items))


def test_stories_are_grouped_in_the_child_process_exactly_as_here(preparing: PreparingProcess) -> None:
    leads = day_of_leads()
    here = group_into_stories(leads)
    assert max(len(story) for story in here) > 1, "the day has no story of several articles to group"
    assert preparing.group_stories(leads) == here


def test_a_child_that_dies_before_a_briefing_leaves_the_grouping_to_the_bot_and_the_next_gets_a_new_process(
        preparing: PreparingProcess) -> None:
    leads = day_of_leads()
    preparing.prepare(ARTICLE)
    for child in multiprocessing.active_children():
        child.kill()
        child.join()
    assert preparing.group_stories(leads) == group_into_stories(leads)
    children_before = set(multiprocessing.active_children())
    assert preparing.group_stories(leads) == group_into_stories(leads)
    assert set(multiprocessing.active_children()) - children_before, "no new child grouped the next briefing"


@pytest.mark.parametrize(("mode", "grouped_in_a_child"), [(Mode.TELEGRAM, True), (Mode.CONSOLE, False)])
def test_a_bot_for_many_chats_groups_briefings_in_its_child_and_a_console_in_its_own_process(
        mode: Mode, grouped_in_a_child: bool) -> None:
    lede = Lede.from_config(Config(mode=mode, token="123:abc"))
    try:
        lede.add_articles(wire_article(number) for number in range(60))
        children_before = set(multiprocessing.active_children())
        briefing = lede.briefings.brief(now=NOW, since=NOW - timedelta(days=1))
        started = set(multiprocessing.active_children()) - children_before
    finally:
        lede.close()
    assert len(briefing.stories[0].items) > 1, "the day gave no story of several articles to group"
    assert bool(started) is grouped_in_a_child


def test_the_child_works_at_a_lower_cpu_priority_than_the_bot_so_that_answers_come_first() -> None:
    process = PreparingProcess(new_index().analyzer)
    try:
        children_before = set(multiprocessing.active_children())
        process.prepare(ARTICLE)
        [child] = set(multiprocessing.active_children()) - children_before
        niceness = os.getpriority(os.PRIO_PROCESS, child.pid)
    finally:
        process.close()
    assert niceness > os.getpriority(os.PRIO_PROCESS, 0)


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
