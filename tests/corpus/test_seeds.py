"""The seed articles ship inside the package, and are the checkout's ``seeds/`` folder, file for file."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, Mode
from corpus.loader import BUNDLED_SEEDS, load_paths

CHECKOUT_SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_the_packaged_seeds_are_the_checkouts_seeds_folder_byte_for_byte():
    packaged = {path.name: path.read_bytes() for path in BUNDLED_SEEDS.iterdir() if path.is_file()}
    checkout = {path.name: path.read_bytes() for path in CHECKOUT_SEEDS.iterdir() if path.is_file()}
    assert packaged and packaged == checkout


def test_lede_answers_from_the_packaged_seeds_by_default():
    assert Config(mode=Mode.ASK).seeds_dir == BUNDLED_SEEDS
    assert [article.title for article in load_paths([BUNDLED_SEEDS])] == [
        "Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia"]
