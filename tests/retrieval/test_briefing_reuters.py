"""The README's example briefings over all of Reuters, reproduced by the real command.

Slow (it stores all of Reuters first, as the README does), and skipped
without the shared data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.bot.test_console import ROOT, run_bot

REUTERS = ROOT.parent / "shared" / "data" / "reuters21578.jsonl.gz"
pytestmark = pytest.mark.skipif(not REUTERS.exists(), reason=f"shared Reuters data not found at {REUTERS}")


@pytest.fixture(scope="module")
def reuters_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("reuters") / "r.db"
    result = run_bot("--ingest", str(REUTERS), "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["added"] == 18695
    return db


def readme_block_after(marker: str) -> str:
    """The first fenced block of README.md after ``marker``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"```\w*\n(.*?)```", readme[readme.index(marker) :], re.DOTALL)[1]


def test_the_look_back_since_march_tells_the_readmes_crude_oil_postings_story(reuters_db):
    result = run_bot("--brief", "--since", "1987-03-01", "--db", str(reuters_db), "--json")
    assert result.returncode == 0, result.stderr
    briefing = json.loads(result.stdout.splitlines()[-1])
    assert briefing["articles"] == 18486
    story = briefing["stories"][1]
    shown = readme_block_after("Its second story, abridged:")
    assert f'"headline": "{story["headline"]}"' in shown
    assert all(json.dumps(sentence, ensure_ascii=False) in shown for sentence in story["sentences"])
    assert [source["article_id"] for source in story["sources"]] == [
        "reuters-21363", "reuters-21267", "reuters-21067", "reuters-20936",
        "reuters-20919", "reuters-20420", "reuters-20709", "reuters-20721",
    ]


def test_the_briefing_since_black_monday_tells_the_readmes_stories_word_for_word(reuters_db):
    result = run_bot("--brief", "--since", "1987-10-19", "--db", str(reuters_db))
    assert result.returncode == 0, result.stderr
    assert "(1112 more not shown)" in result.stdout.splitlines()[0]
    assert readme_block_after("and `--brief --since 1987-10-19` prints").strip() in result.stdout
