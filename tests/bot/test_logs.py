"""Lede's log: secrets masked, and the lines an operator reads not buried under other libraries' chatter."""

from __future__ import annotations

import logging

import pytest

from bot.logs import configure_logging
from corpus.errors import SourceError
from corpus.loader import load_file


@pytest.fixture(autouse=True)
def restore_logging():
    loggers = {name: logging.getLogger(name).level for name in ("", "httpx", "apscheduler", "trafilatura", "htmldate")}
    handlers = logging.getLogger().handlers[:]
    yield
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger().handlers[:] = handlers


@pytest.mark.parametrize("level", ["INFO", "WARNING"])
def test_the_scheduler_s_every_job_run_and_each_http_request_stay_out_of_the_log(level):
    configure_logging(level)
    assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.WARNING)
    assert logging.getLogger("bot.telegram_app").isEnabledFor(logging.WARNING)


def test_at_debug_level_the_scheduler_s_runs_are_logged():
    configure_logging("DEBUG")
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)


def test_a_secret_is_masked_in_the_finished_line_tracebacks_included(capsys):
    configure_logging("INFO", [("123:SECRET", "<token>")])
    try:
        raise RuntimeError("calling https://api.telegram.org/bot123:SECRET/getMe failed")
    except RuntimeError:
        logging.getLogger("bot.test").exception("request to bot123:SECRET failed")
    err = capsys.readouterr().err
    assert "SECRET" not in err
    assert "request to bot<token> failed" in err and "RuntimeError: calling https://api.telegram.org/bot<token>/getMe" in err


def test_a_page_with_no_article_is_one_line_of_lede_s_not_the_html_extractor_s_errors(tmp_path, capsys):
    # --ingest names the file and why in its summary; the extractor's "empty HTML tree: None" only alarmed.
    page = tmp_path / "page.html"
    page.write_text("<&" * 5000, encoding="utf-8")
    configure_logging("WARNING")
    with pytest.raises(SourceError, match="the page has no article text"):
        list(load_file(page))
    assert capsys.readouterr().err == ""
