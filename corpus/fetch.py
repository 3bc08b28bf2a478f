"""Fetch a URL that a stranger gave us, safely.

Anyone in a chat can make Lede fetch a URL, so every fetch is bounded and
may only reach the public internet:

* the host is resolved first and refused when any of its addresses is
  loopback, private, link-local, multicast or otherwise reserved (the classic
  server-side request forgery targets: cloud metadata at 169.254.169.254,
  admin panels on 10.x, services on localhost). Redirects are followed by
  hand so each hop is checked the same way, and the address the connection
  actually reached is checked again before the body is read, which defeats a
  DNS answer that changes between the check and the connection;
* connect and read timeouts plus a deadline for the whole download, a size
  cap (announced or counted, and counted *after* decompression, which Lede
  does itself in bounded steps so a gzip bomb never expands in memory), a
  redirect cap, and a check that the content type is one the caller can use.

``LEDE_ALLOW_PRIVATE_URLS`` lifts the address check, for the tests' local
server or an intranet news site (see :meth:`FetchPolicy.from_setting`).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import TypedDict, Unpack, cast
from urllib.parse import urljoin, urlsplit

import httpx

from corpus.errors import FetchError, InvalidUrl
from corpus.sizes import megabytes, sizes_apart
from corpus.urls import canonical_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
                        "application/rdf+xml", "application/feed+json"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# "Moved Permanently" and "Permanent Redirect": the old address is not to be used again.
_PERMANENT_REDIRECTS = frozenset({301, 308})
USER_AGENT = "Lede/0.1 (news question bot)"


class FetchLimits(TypedDict, total=False):
    """The limits of a :class:`FetchPolicy` that a setting leaves as they are given."""

    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_bytes: int
    max_redirects: int


@dataclass(frozen=True)
class FetchPolicy:
    """The limits every fetch obeys. Defaults suit news pages and feeds."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False
    # Private networks allowed even so (e.g. an intranet news server).
    allowed_networks: tuple[IPNetwork, ...] = field(default=())
    # How host names become addresses; tests replace it to play a hostile DNS.
    resolver: Resolver = field(default=lambda host, port: resolve_host(host, port), compare=False)

    @classmethod
    def from_setting(cls, value: str | None, **limits: Unpack[FetchLimits]) -> FetchPolicy:
        """``LEDE_ALLOW_PRIVATE_URLS``: ``1`` allows every address; a comma-separated list of
        addresses or networks (``127.0.0.1,10.1.0.0/16``) allows those only."""
        value = (value or "").strip()
        if value.lower() in ("", "0", "false", "no"):
            return cls(**limits)
        if value.lower() in ("1", "true", "yes"):
            return cls(allow_private=True, **limits)
        try:
            networks = tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
        except ValueError as error:
            raise ValueError(f"LEDE_ALLOW_PRIVATE_URLS must be 1 or a list of addresses/networks: {error}") from None
        return cls(allowed_networks=networks, **limits)

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be fetched from, or None when it may."""
        if self.allow_private:
            return None
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self.allowed_networks):
            return None
        return address_refusal(ip)


def address_refusal(ip: IPAddress) -> str | None:
    """Name the kind of non-public address ``ip`` is, or None for a public one."""
    # Order matters: 127.0.0.1 and 169.254.x.x are "private" too, but less precisely named so.
    for test, kind in (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(ip, test):
            return kind
    if not ip.is_global:  # e.g. 100.64.0.0/10, shared address space
        return "a non-public address"
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """Every address a host name resolves to (all must be public, not just the first)."""
    # An IPv4 or IPv6 address comes as (host, port, ...); typeshed's (int, bytes) is for a Python built without IPv6.
    return sorted({cast(str, info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


@dataclass(frozen=True)
class Fetched:
    """A successful response: 200 with a body, or 304 Not Modified without one."""

    url: str  # after redirects, canonical
    status: int
    media_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    # The address every redirect on the way said the resource has moved to for good (301, 308), if any:
    # a feed is followed there, as feed readers do, not at an old address that may stop redirecting.
    moved_to: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    accept: Collection[str],
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` within ``policy``; raise :class:`FetchError` with a reason otherwise.

    ``accept`` lists the media types the caller can use; ``etag`` and
    ``last_modified`` make the request conditional (a 304 returns no body).
    """
    deadline = time.monotonic() + policy.total_timeout
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
               "Accept-Encoding": ", ".join(_DECOMPRESSORS)}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = _checked_url(url)
    permanently = True  # every redirect so far was permanent
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers, trust_env=False,
                      verify=_tls_context()) as client:
        for hop in range(policy.max_redirects + 1):
            _check_host(current, policy)
            try:
                with client.stream("GET", current) as response:
                    _check_peer(response, current, policy)
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        permanently = permanently and response.status_code in _PERMANENT_REDIRECTS
                        current = _checked_url(urljoin(current, response.headers["location"]))
                        continue
                    fetched = _read(response, current, policy, accept, deadline)
                    return replace(fetched, moved_to=current) if hop and permanently else fetched
            except httpx.TimeoutException as error:
                raise FetchError(_timeout_reason(error, current, policy)) from None
            except httpx.HTTPError as error:
                raise FetchError(_failure_reason(error, current)) from None
    raise FetchError(f"{url} redirects more than {policy.max_redirects} times")


def _checked_url(url: str) -> str:
    try:
        return canonical_url(url)
    except InvalidUrl as error:
        raise FetchError(str(error)) from None


def _check_host(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list(policy.resolver(host, parts.port or (443 if parts.scheme == "https" else 80)))
        except (OSError, UnicodeError):
            raise FetchError(f"the host name {host} could not be resolved") from None
    for address in addresses:
        if kind := policy.refusal(address):
            raise FetchError(
                f"{url} was refused: {host} resolves to {address}, {kind} "
                "(Lede only fetches from the public internet)"
                if host != address else
                f"{url} was refused: {address} is {kind} (Lede only fetches from the public internet)"
            )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The certificates every https fetch checks against, loaded once: a client of its own loads them for
    each fetch (about 25 ms of CPU: 86 s for an OPML list of 3,000 feeds). A context is safe to share."""
    return httpx.create_ssl_context()


def _check_peer(response: httpx.Response, url: str, policy: FetchPolicy) -> None:
    """The address actually connected to, in case DNS answered differently the second time."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and (kind := policy.refusal(str(peer[0]))):
        raise FetchError(f"{url} was refused: the connection reached {peer[0]}, {kind}")


def _read(response: httpx.Response, url: str, policy: FetchPolicy, accept: Collection[str], deadline: float) -> Fetched:
    validators = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}
    if response.status_code == 304:
        return Fetched(url, 304, "", b"", **validators)
    if response.status_code != 200:
        raise FetchError(f"{url} answered {response.status_code} {response.reason_phrase}".rstrip())
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in accept:
        raise FetchError(f"{url} is {media_type or 'of no declared type'}, not something I can read "
                         f"(expected {', '.join(sorted(accept))})")
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > policy.max_bytes:
        shown, limit = sizes_apart(int(announced), policy.max_bytes)
        raise FetchError(f"{url} is {shown}, over the {limit} limit")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in _DECOMPRESSORS and encoding != "identity":
        raise FetchError(f"{url} is compressed as {encoding}, which I do not read")
    decompressor = _DECOMPRESSORS[encoding]() if encoding in _DECOMPRESSORS else None
    body = bytearray()
    for raw in response.iter_raw():
        if decompressor is None:
            body += raw
        else:
            try:
                _inflate(decompressor, raw, body, policy.max_bytes)
            except zlib.error:
                raise FetchError(f"{url} sent a damaged {encoding} stream") from None
        if len(body) > policy.max_bytes:
            raise FetchError(f"{url} is larger than the {megabytes(policy.max_bytes)} limit")
        if time.monotonic() > deadline:
            raise FetchError(f"{url} took longer than {policy.total_timeout:g} s to download")
    return Fetched(url, 200, media_type, bytes(body), **validators)


def _inflate(decompressor: zlib._Decompress, data: bytes, body: bytearray, max_bytes: int) -> None:
    """Decompress ``data`` into ``body``, never more than one byte past ``max_bytes``.

    Each step is bounded (zlib's ``max_length``), so a stream that would
    expand a thousandfold stops at the cap instead of filling memory first.
    """
    while data and len(body) <= max_bytes:
        body += decompressor.decompress(data, max_bytes + 1 - len(body))
        data = decompressor.unconsumed_tail


# Content encodings Lede asks for and decodes itself (gzip: RFC 1952 header; deflate: zlib stream).
_DECOMPRESSORS: dict[str, Callable[[], zlib._Decompress]] = {
    "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "deflate": lambda: zlib.decompressobj(),
}


def _timeout_reason(error: httpx.TimeoutException, url: str, policy: FetchPolicy) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"could not connect to {_host(url)} within {policy.connect_timeout:g} s"
    return f"{_host(url)} did not answer within {policy.read_timeout:g} s"


def _failure_reason(error: httpx.HTTPError, url: str) -> str:
    """Why a request failed, in words a person in a chat can read: "[Errno 111] Connection refused" says it in code."""
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, OSError):  # httpx wraps httpcore's error, which wraps the system's
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ConnectionRefusedError):
        return f"the server at {_host(url)} refused the connection"
    if isinstance(cause, ssl.SSLError):
        # OpenSSL's own words name its source file ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)").
        detail = f" ({cause.reason.replace('_', ' ').lower()})" if cause.reason else ""
        return f"could not fetch {_host(url)}: its secure (https) connection failed{detail}"
    if isinstance(cause, OSError) and cause.strerror:
        return f"could not fetch {_host(url)}: {cause.strerror[:1].lower()}{cause.strerror[1:]}"
    return f"could not fetch {_host(url)}: {error or type(error).__name__}"


def _host(url: str) -> str:
    return urlsplit(url).netloc
