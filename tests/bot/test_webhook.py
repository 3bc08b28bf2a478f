"""Webhook mode, end to end: the real bot process behind a "reverse proxy", against the local Bot API.

Telegram calls the public https URL; the proxy forwards it to the address
Lede listens on (loopback, plain http). Only requests that carry the secret
token Lede gave ``setWebhook`` are handled; anyone else gets 403.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from bot.config import load_config
from bot.webhook import Webhook
from corpus.errors import ConfigurationError
from tests.bot.test_console import ROOT
from tests.bot.test_durability import VANCE, wait_until
from tests.support.bot_api import SECRET_HEADER, FakeBotApi
from tests.support.processes import clean_environment

TOKEN = "987654321:SECRET-webhook-token"
USER = 6006
PUBLIC_URL = "https://lede.example.org/telegram/updates"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN, bot_username="lede_test_bot") as fake:
        yield fake
    assert not fake.internal_errors, fake.internal_errors


def test_updates_with_the_secret_are_answered_and_updates_without_it_are_refused(server, tmp_path):
    port = free_port()
    log = tmp_path / "bot.log"
    environment = clean_environment(TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_BASE_URL=server.base_url,
                                    LEDE_DB=str(tmp_path / "lede.db"), LEDE_LOG_LEVEL="DEBUG", LEDE_WEBHOOK_PORT=str(port))
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--webhook", PUBLIC_URL], cwd=ROOT,
                                   env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: server.webhook and accepts_connections(port), process, what="the webhook to be set")
        webhook = server.webhook
        assert webhook["url"] == PUBLIC_URL
        secret = webhook["secret_token"]
        assert len(secret) >= 32, "a secret token is always set, generated when LEDE_WEBHOOK_SECRET is not"

        server.send_user_message(USER, USER, "Who did Vance meet?")
        [update] = server.pending_updates()
        listener = f"http://127.0.0.1:{port}/telegram/updates"
        for headers in ({}, {SECRET_HEADER: "guessed-secret"}):  # a stranger who found the URL
            assert httpx.post(listener, json=update, headers=headers, timeout=10).status_code == 403
        assert server.deliver_webhook_updates(via=f"http://127.0.0.1:{port}") == [200]
        [reply] = wait_for_replies(server, process, 1)
        assert reply.text.startswith(VANCE)
        assert len(server.sent_messages(USER)) == 1, "the refused copies of the update were not handled"
        assert not server.requests_for("getUpdates"), "a webhook bot does not poll"

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert secret not in log.read_text(), "the secret token is never logged, even at DEBUG"


def wait_for_replies(server: FakeBotApi, process: subprocess.Popen, count: int) -> list:
    wait_until(lambda: len(server.sent_messages(USER)) >= count, process, what=f"{count} replies")
    return server.sent_messages(USER)


def test_the_secret_comes_from_lede_webhook_secret_or_is_new_at_every_start():
    given = load_config(["--webhook", PUBLIC_URL], {"LEDE_WEBHOOK_SECRET": "kept-between-restarts_1"})
    assert given.webhook == Webhook(PUBLIC_URL, "127.0.0.1", 8080, "kept-between-restarts_1")
    first, second = (load_config(["--webhook", PUBLIC_URL], {}).webhook for _ in range(2))
    assert first.secret != second.secret
    assert "kept-between-restarts_1" not in repr(given), "the secret stays out of reprs (and so out of logs)"
    listening = load_config(["--webhook", PUBLIC_URL, "--webhook-port", "9000"], {"LEDE_WEBHOOK_LISTEN": "0.0.0.0"})
    assert (listening.webhook.listen, listening.webhook.port, listening.webhook.path) == ("0.0.0.0", 9000,
                                                                                         "telegram/updates")


@pytest.mark.parametrize(
    ("argv", "environ", "named"),
    [(["--webhook", "http://lede.example.org/hook"], {}, "--webhook"),
     (["--webhook", PUBLIC_URL, "--webhook-port", "99999"], {}, "LEDE_WEBHOOK_PORT"),
     (["--webhook", PUBLIC_URL], {"LEDE_WEBHOOK_PORT": "http"}, "LEDE_WEBHOOK_PORT"),
     (["--webhook", PUBLIC_URL], {"LEDE_WEBHOOK_SECRET": "has spaces"}, "LEDE_WEBHOOK_SECRET"),
     (["--console", "--webhook", PUBLIC_URL], {}, "--webhook")],
)
def test_a_wrong_webhook_setting_is_one_line_naming_it(argv, environ, named):
    with pytest.raises(ConfigurationError) as refused:
        load_config(argv, environ)
    assert named in refused.value.reason and "has spaces" not in refused.value.reason
    assert "\n" not in refused.value.reason
