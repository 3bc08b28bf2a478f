"""Fetching within limits, against a real local server; and refusing non-public addresses."""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Iterator

import pytest

from corpus.fetch import FEED_TYPES, HTML_TYPES, FetchError, FetchPolicy, address_refusal, fetch
from tests.support.web_server import LocalWeb, closed_port

# The local server is on 127.0.0.1; everything else non-public stays refused.
LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5,
                         max_bytes=1_000_000, max_redirects=3)


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as server:
        yield server


def refusal(url: str, policy: FetchPolicy = LOCAL_ONLY, **options) -> str:
    with pytest.raises(FetchError) as raised:
        fetch(url, policy, accept=options.pop("accept", HTML_TYPES), **options)
    return raised.value.reason


def test_a_normal_page_is_fetched_with_its_type(web):
    page = fetch(web.url("/article.html"), LOCAL_ONLY, accept=HTML_TYPES)
    assert (page.status, page.media_type, page.url) == (200, "text/html", web.url("/article.html"))
    assert b"Harbour Bridge Approved" in page.body


def test_a_redirect_chain_is_followed_to_the_page(web):
    page = fetch(web.url("/redirect/3"), LOCAL_ONLY, accept=HTML_TYPES)
    assert page.url == web.url("/article.html")


def test_too_many_redirects_are_refused(web):
    assert refusal(web.url("/loop")) == f"{web.url('/loop')} redirects more than 3 times"


def test_a_redirect_to_a_non_public_address_is_refused_before_connecting(web):
    before = len(web.requests)
    reason = refusal(web.url("/to-private"))
    assert "was refused: 127.0.0.2 is a loopback address" in reason
    assert [r.path for r in web.requests[before:]] == ["/to-private"]


def test_without_permission_a_local_url_is_refused_with_the_reason(web):
    reason = refusal(web.url("/article.html"), FetchPolicy())
    assert reason == (f"{web.url('/article.html')} was refused: 127.0.0.1 is a loopback address "
                      "(Lede only fetches from the public internet)")


def test_a_host_name_is_checked_after_it_is_resolved(web):
    hostile_dns = FetchPolicy(resolver=lambda host, port: ["93.184.216.34", "10.20.30.40"])
    reason = refusal(web.url("/article.html").replace("127.0.0.1", "intranet.example"), hostile_dns)
    assert "intranet.example resolves to 10.20.30.40, a private address" in reason


def test_a_404_says_so(web):
    assert refusal(web.url("/missing")) == f"{web.url('/missing')} answered 404 Not Found"


def test_a_server_that_refuses_or_drops_the_connection_is_named_in_words_without_error_numbers(web):
    port = closed_port()
    assert refusal(f"http://127.0.0.1:{port}/x") == f"the server at 127.0.0.1:{port} refused the connection"
    assert refusal(web.url("/hang-up")) == f"could not fetch {web.base.removeprefix('http://')}: connection reset by peer"


def test_a_failed_secure_connection_is_named_in_words_without_openssl_s_source_file(web):
    # https to a server that speaks only http: OpenSSL says "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)".
    host = web.base.removeprefix("http://")
    assert refusal(f"https://{host}/article.html") == (
        f"could not fetch {host}: its secure (https) connection failed (wrong version number)")

def test_the_certificates_are_loaded_once_for_every_fetch_not_by_each(web, monkeypatch):
    import corpus.fetch

    loaded = []
    monkeypatch.setattr(corpus.fetch.httpx, "create_ssl_context", lambda: loaded.append(1) or ssl.create_default_context())
    corpus.fetch._tls_context.cache_clear()
    for _ in range(3):
        assert fetch(web.url("/article.html"), LOCAL_ONLY, accept=HTML_TYPES).body
        refusal(f"https://{web.base.removeprefix('http://')}/article.html")
    corpus.fetch._tls_context.cache_clear()
    assert loaded == [1]


def test_a_slow_server_times_out(web):
    started = time.monotonic()
    assert refusal(web.url("/slow")) == f"{web.base.removeprefix('http://')} did not answer within 0.5 s"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/huge", "is 3 MB, over the 1 MB limit"), ("/huge-unannounced", "is larger than the 1 MB limit")],
)
def test_an_oversized_response_is_refused_whether_announced_or_counted(web, path, reason):
    assert refusal(web.url(path)) == f"{web.url(path)} {reason}"


def test_a_type_the_caller_cannot_read_is_refused(web):
    reason = refusal(web.url("/image.png"))
    assert reason == f"{web.url('/image.png')} is image/png, not something I can read (expected application/xhtml+xml, text/html)"


def test_conditional_get_returns_not_modified_for_a_known_etag(web):
    first = fetch(web.url("/feed.xml"), LOCAL_ONLY, accept=FEED_TYPES)
    second = fetch(web.url("/feed.xml"), LOCAL_ONLY, accept=FEED_TYPES, etag=first.etag)
    assert (first.status, first.etag) == (200, '"feed-v1"')
    assert second.not_modified and second.body == b""
    assert web.requests_for("/feed.xml")[-1].headers["if-none-match"] == '"feed-v1"'


def test_only_http_and_https_are_fetched():
    assert "expected http: or https:" in refusal("file:///etc/passwd")
    assert "expected http: or https:" in refusal("ftp://example.com/file")


@pytest.mark.parametrize(
    ("address", "kind"),
    [("127.0.0.1", "a loopback address"), ("::1", "a loopback address"), ("10.1.2.3", "a private address"),
     ("172.16.0.1", "a private address"), ("192.168.1.1", "a private address"),
     ("169.254.169.254", "a link-local address"), ("fe80::1", "a link-local address"),
     ("224.0.0.1", "a multicast address"), ("0.0.0.0", "an unspecified address"),
     ("fc00::1", "a private address"), ("100.64.0.1", "a non-public address"), ("93.184.216.34", None),
     ("2606:4700::1111", None)],
)
def test_address_classes(address, kind):
    assert address_refusal(ipaddress.ip_address(address)) == kind


def test_ipv4_mapped_ipv6_addresses_are_judged_as_ipv4():
    assert FetchPolicy().refusal("::ffff:127.0.0.1") == "a loopback address"


def test_the_setting_allows_everything_or_named_networks():
    assert FetchPolicy.from_setting("1").refusal("10.0.0.1") is None
    assert FetchPolicy.from_setting("").refusal("10.0.0.1") == "a private address"
    named = FetchPolicy.from_setting("127.0.0.1, 10.1.0.0/16")
    assert named.refusal("10.1.2.3") is None and named.refusal("10.2.0.1") == "a private address"
    with pytest.raises(ValueError, match="LEDE_ALLOW_PRIVATE_URLS"):
        FetchPolicy.from_setting("yes please")
