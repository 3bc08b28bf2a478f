"""Canonical URLs: one spelling per page, so the same article is never stored twice.

Links to one article differ in ways that do not change the page: a fragment,
campaign parameters appended by newsletters and social sites, the case of the
host, a default port. The canonical form removes exactly those and keeps
everything else (other query parameters can select a different article).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from corpus.errors import InvalidUrl

# Parameters that only say how a reader arrived, never which page they read.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "matomo_")
_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
     "mkt_tok", "_hsenc", "_hsmi", "ref_src", "ref_url", "cmpid", "ncid", "ocid", "spm", "at_medium",
     "at_campaign", "guccounter", "guce_referrer", "guce_referrer_sig", "oref", "smid", "sr_share"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_SCHEMES = frozenset(_DEFAULT_PORTS)


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL; raises :class:`InvalidUrl` otherwise."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # e.g. an unclosed "[" of an IPv6 address
        raise InvalidUrl(f"{url.strip()[:200]!r} is not a valid web address ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise InvalidUrl(f"{url.strip()[:200]!r} is not a web address (it has {shown}; expected http: or https:)")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:  # e.g. a port that is not a number
        raise InvalidUrl(f"{url.strip()[:200]!r} is not a valid web address ({error})") from None
    if not host:
        raise InvalidUrl(f"{url.strip()[:200]!r} has no host name")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = urlencode([(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
                       if not _is_tracking(name)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def looks_like_url(text: str) -> bool:
    """Whether a command-line source names a URL rather than a path."""
    return "://" in text


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_NAMES or name.startswith(_TRACKING_PREFIXES)
