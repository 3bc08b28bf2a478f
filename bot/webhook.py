"""Webhook mode: Telegram POSTs each update to Lede, behind a reverse proxy that terminates TLS.

Long polling needs no public address and stays the default. A service behind
a reverse proxy (see ``deploy/``) can take updates as webhooks instead:
Telegram calls the public https URL given to ``--webhook``, the proxy
forwards the request to python-telegram-bot's own webhook server on
``LEDE_WEBHOOK_LISTEN``:``LEDE_WEBHOOK_PORT`` (loopback by default, so only
the proxy reaches it), and that server accepts only requests that carry the
secret token given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``.
Anyone else who finds the URL gets 403, and nothing they send is handled.

The secret is ``LEDE_WEBHOOK_SECRET`` when set (several instances behind one
proxy, or a proxy that checks it too), else a new random one at every
start: ``setWebhook`` tells Telegram the new one each time, so nothing needs
to remember it. It is never logged (the log formatter masks it).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_LISTEN = "127.0.0.1"
DEFAULT_PORT = 8080
# The only ports Telegram sends webhooks to (Bot API, setWebhook).
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)
# Telegram's rule for secret_token: 1–256 characters, letters, digits, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Webhook:
    """Where Telegram sends updates (``url``), where Lede listens for them, and the secret they must carry."""

    url: str
    listen: str = DEFAULT_LISTEN
    port: int = DEFAULT_PORT
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @property
    def path(self) -> str:
        """The path Lede serves: the public URL's, so the proxy forwards the request unchanged."""
        return urlsplit(self.url).path.lstrip("/")

    @classmethod
    def from_settings(cls, url: str, listen: str | None, port: str | int | None, environ: Mapping[str, str]) -> Webhook:
        """Check the flags and ``LEDE_WEBHOOK_*`` variables; a ValueError names the one at fault."""
        try:
            parts = urlsplit(url)
            scheme, host, public_port = parts.scheme, parts.hostname, parts.port
        except ValueError:  # an unclosed "[", a port that is no number
            scheme, host, public_port = None, None, None
        if scheme != "https" or not host:
            raise ValueError(f"--webhook must be the public https:// URL Telegram will call, got {url!r}")
        if public_port not in (None, *TELEGRAM_WEBHOOK_PORTS):
            raise ValueError(f"--webhook's port must be one Telegram calls ({', '.join(map(str, TELEGRAM_WEBHOOK_PORTS))}), "
                             f"got {public_port}")
        listen = listen or environ.get("LEDE_WEBHOOK_LISTEN") or DEFAULT_LISTEN
        if not _is_address(listen):
            raise ValueError(f"LEDE_WEBHOOK_LISTEN (or --webhook-listen) must be an address of this machine to listen on, "
                             f"e.g. 127.0.0.1 or 0.0.0.0, got {listen!r}")
        port_text = str(port or environ.get("LEDE_WEBHOOK_PORT") or DEFAULT_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"LEDE_WEBHOOK_PORT (or --webhook-port) must be a port number from 1 to 65535, "
                             f"got {port_text!r}")
        secret = environ.get("LEDE_WEBHOOK_SECRET")
        if secret is None or secret == "":
            return cls(url, listen, int(port_text))
        if not SECRET_PATTERN.fullmatch(secret):
            raise ValueError("LEDE_WEBHOOK_SECRET must be 1 to 256 letters, digits, _ or - (Telegram's rule)")
        return cls(url, listen, int(port_text), secret)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text == "localhost"
    return True
