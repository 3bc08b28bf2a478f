"""An installed Lede (a wheel, not this checkout) answers from the seed it ships, from any directory.

The wheel is built the way ``pip install .`` builds it and installed apart
from the checkout; its ``lede`` command then runs in an empty directory
with an empty store, so the seed article, the lexicon and the ranker can
only come from the package's own data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.test_entry import interrupted_while_importing

ROOT = Path(__file__).resolve().parent.parent
BUILD_SECONDS = 600


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding Lede installed from its wheel (with the running interpreter's dependencies)."""
    wheels, target = tmp_path_factory.mktemp("wheels"), tmp_path_factory.mktemp("installed")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True, timeout=BUILD_SECONDS)
    [wheel] = wheels.glob("lede-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True,
                   timeout=BUILD_SECONDS)
    return target


def run_installed(installed: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed), "LEDE_DB": str(workdir / "empty.db")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([str(installed / "bin" / "lede"), *args], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=BUILD_SECONDS)


def test_the_installed_lede_command_answers_from_the_shipped_seed_in_another_directory(
        installed: Path, tmp_path: Path) -> None:
    done = run_installed(installed, tmp_path, "--ask", "what did Zelensky demand?")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Kyiv needs “real security guarantees” to negotiate with Moscow")
    assert "Foreign Policy" in done.stdout


def test_the_installed_packages_are_the_wheels_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    done = subprocess.run([sys.executable, "-c", "import bot, corpus, retrieval; print(bot.__file__, corpus.__file__,"
                           " retrieval.__file__)"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert all(Path(path).is_relative_to(installed) for path in done.stdout.split())
    assert {path.name for path in (installed / "corpus" / "seeds").iterdir()} >= {
        path.name for path in (ROOT / "seeds").iterdir()}
    assert (installed / "retrieval" / "data" / "ranker.json").is_file()


def test_ctrl_c_while_the_installed_lede_starts_ends_it_with_exit_code_130_and_no_traceback(installed: Path) -> None:
    # The script pip writes imports the entry point's module before it calls it: bot.entry imports the rest later.
    done = interrupted_while_importing([str(installed / "bin" / "lede"), "--ask", "what did Zelensky demand?"],
                                       PYTHONPATH=str(installed))
    assert (done.returncode, done.stderr, done.stdout) == (130, "", "")
