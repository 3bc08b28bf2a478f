"""``--help`` and ``--version``: what an operator reads before running Lede."""

from __future__ import annotations

import re
from importlib.metadata import version

from corpus.loader import SUPPORTED_SUFFIXES
from tests.bot.test_console import ROOT, run_bot

# A variable name in quotes, as the code reads it: environ.get("LEDE_DB"), ("LEDE_ADD_LIMIT", "10/600").
_READ_VARIABLE = re.compile(r"""["']((?:LEDE|TELEGRAM)_[A-Z_]+)["']""")


def variables_read_by_the_code() -> set[str]:
    return {name for package in ("bot", "corpus", "retrieval") for path in (ROOT / package).rglob("*.py")
            for name in _READ_VARIABLE.findall(path.read_text(encoding="utf-8"))}


def test_help_lists_every_environment_variable_the_code_reads_with_its_default_and_an_example():
    result = run_bot("--help")
    assert result.returncode == 0, result.stderr
    variables = variables_read_by_the_code()
    assert {"TELEGRAM_BOT_TOKEN", "LEDE_DB", "LEDE_LOG_LEVEL", "LEDE_QUESTION_LIMIT"} <= variables, "the scan finds them"
    listed = result.stdout.split("environment variables", 1)[1]
    for name in sorted(variables):
        assert f"\n    {name}\n" in listed, f"{name} is read by the code but not documented in --help"
        assert re.search(rf"default: .+; e\.g\. {name}=\S", listed), f"{name} has no default or example in --help"


def test_help_groups_the_variables_and_says_what_the_exit_status_means():
    text = run_bot("--help").stdout
    groups = ["Telegram:", "Sources and the store:", "Who may use the bot, and how often:", "Logging:"]
    assert [text.index(f"  {group}\n") for group in groups] == sorted(text.index(f"  {group}\n") for group in groups)
    assert "1 --ingest had a source that failed" in text


def test_help_names_every_file_type_corpus_loads():
    # An operator with .html or .rss files reads --help to learn whether --corpus takes them.
    text = " ".join(run_bot("--help").stdout.split())
    listed = re.search(r"--corpus PATH a file or folder of articles \(([^)]*)\)", text)
    assert listed and listed[1].split(", ") == list(SUPPORTED_SUFFIXES), text


def test_version_is_the_installed_package_version():
    result = run_bot("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"run_bot.py {version('lede')}"
