"""Lede's log: secrets masked, and the lines an operator reads not buried under other libraries' chatter."""

from __future__ import annotations

import logging

import pytest

from bot.logs import configure_logging


@pytest.fixture(autouse=True)
def restore_logging():
    loggers = {name: logging.getLogger(name).level for name in ("", "httpx", "apscheduler")}
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
