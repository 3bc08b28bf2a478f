"""Lede's exceptions: every failure that is the user's input's fault, with the reason to show them.

Every exception Lede raises on purpose is a :class:`LedeError`; each
instance carries :attr:`LedeError.reason`, one sentence fit to show the
person who sent the source or the command, so the shell never builds a
message from an exception's type. Anything else that escapes is a bug,
and is left to propagate (and be logged) rather than shown as a reason.

The hierarchy::

    LedeError
    ├── SourceError          a source (file, upload, web page, feed) Lede cannot add
    │   ├── InvalidUrl       text that is not an http(s) URL Lede may fetch
    │   ├── FetchError       a URL that could not be fetched: network, HTTP status, type, size
    │   └── UnreadableSource a file, upload or page with nothing to quote: binary, not UTF-8, too big, empty
    │       ├── NoArticleText  a web page without article text
    │       └── NotAFeed       a document that is not RSS or Atom
    ├── InvalidSchedule      a /subscribe time or time zone Lede cannot keep
    ├── NoSuchFeed           a /feed remove number the chat does not have
    ├── ReadOnlyStore        a change asked of a store that was opened read-only
    ├── StoreGone            a change asked of a store whose file was removed or replaced while Lede ran
    └── ConfigurationError   a flag, environment variable or path the operator gave that Lede cannot use

A :class:`ConfigurationError`'s reason is the one line the operator sees
before Lede exits (``bot/main.py`` prints it, with no traceback): it names
the flag, variable or path at fault and says what would be right, e.g.
``LEDE_FEED_INTERVAL is 'soon'; give a number of seconds, e.g. 900``.

Catch :class:`SourceError` around anything that reads a source, and
:class:`LedeError` where any user-facing failure may arise.
"""

from __future__ import annotations


class LedeError(Exception):
    """Base class: a failure caused by what the user sent; ``reason`` says why, in one sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SourceError(LedeError):
    """A source Lede cannot add (any of the subclasses below)."""


class InvalidUrl(SourceError):
    """Text that is not an http(s) URL Lede can fetch."""


class FetchError(SourceError):
    """A URL that could not be fetched: unreachable, refused, an error status, the wrong type, too big."""


class UnreadableSource(SourceError):
    """A file, upload or page with nothing Lede can quote, or too big or damaged to read."""


class NoArticleText(UnreadableSource):
    """A web page with no article text to quote from."""


class NotAFeed(UnreadableSource):
    """A document that is not RSS or Atom (or is too broken to read)."""


class InvalidSchedule(LedeError):
    """A daily-briefing time or time zone Lede cannot keep."""


class NoSuchFeed(LedeError):
    """A feed number the chat's list does not have."""


class ReadOnlyStore(LedeError):
    """A change asked of a store opened read-only (a read-only file or mount): questions work, writes are off."""


class StoreGone(LedeError):
    """The store's file was removed or replaced while Lede ran: what Lede writes would go to a file no one finds."""


class ConfigurationError(LedeError):
    """A setting Lede cannot start with: the reason names the flag, variable or path and what would be right."""
