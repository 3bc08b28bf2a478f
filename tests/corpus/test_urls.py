"""Canonical URLs: the same page always spelled the same way."""

from __future__ import annotations

import pytest

from corpus.urls import InvalidUrl, canonical_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://News.Example.com:443/a/b?id=7#comments", "https://news.example.com/a/b?id=7"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/story?utm_source=tw&utm_medium=social&id=3&fbclid=abc&gclid=x", "https://example.com/story?id=3"),
        ("https://example.com/story?UTM_Campaign=spring&page=2", "https://example.com/story?page=2"),
        ("  https://[2001:db8::1]:8443/x  ", "https://[2001:db8::1]:8443/x"),
    ],
)
def test_fragments_tracking_parameters_and_default_ports_go_the_rest_stays(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "reason"),
    [("ftp://example.com/a", "it has ftp:"), ("file:///etc/passwd", "it has file:"), ("example.com/a", "no scheme"),
     ("http://", "has no host name"), ("http://example.com:port/", "is not a valid web address"),
     ("https://[::1/feed", "is not a valid web address")],
)
def test_what_is_not_a_web_address_says_why(url, reason):
    with pytest.raises(InvalidUrl, match=reason):
        canonical_url(url)
