"""A local web server with the pages and feeds the source tests need, on 127.0.0.1 only.

Each route is a fixture of something the real web does: a normal article, a
redirect chain, a redirect to an address Lede must refuse, a 404, a server
that stalls, a server that resets the connection, a page that is too large, a
non-HTML type, feeds with relative links and HTML in their titles, and
conditional GET (a 304 for a known ETag); and what a hostile server does:
data without end, a trickle that never finishes, a gzip bomb, a feed of
10,000 entries. Every stream is bounded, so
the server stops by itself even if its client never hangs up.
Tests may replace ``routes`` entries and read ``requests`` to see what Lede asked.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to stall before answering
    announce_length: bool = True
    # Sent after ``body``, one chunk at a time, ``chunk_delay`` apart (no Content-Length).
    chunks: Callable[[], Iterator[bytes]] | None = None
    chunk_delay: float = 0.0
    hang_up: bool = False  # reset the connection (TCP RST) instead of answering, as a crashing server does


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


Route = Callable[[Request], Reply]

ARTICLE_HTML = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Harbour Bridge Approved | The Riverton Daily</title>
<meta property="og:site_name" content="The Riverton Daily">
<meta property="og:title" content="Harbour Bridge Approved">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2025-02-14T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour Bridge Approved</h1>
<p>The Riverton council voted 7 to 2 on Tuesday to build a new bridge across the harbour, ending a decade of debate.</p>
<p>The bridge will cost 40 million euros and is due to open in 2027, according to the mayor, Ana Petrova.</p>
<p>Critics said the money should have gone to the city's schools, which have not been renovated since 1990.</p>
<p>Construction is expected to start in the spring once the final permits are signed.</p>
</article>
<footer>© The Riverton Daily. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""

FULL_TEXT_HTML = """<!doctype html>
<html lang="en"><head><title>Ferry Strike Ends</title><meta property="og:site_name" content="Coast News"></head>
<body><article><h1>Ferry Strike Ends</h1>
<p>Ferry crews on the northern routes returned to work on Thursday after a nine-day strike over pay.</p>
<p>The union accepted a raise of 6 percent over two years, a spokesman for the operator said.</p>
<p>Services to the islands will run to the normal timetable from Friday morning.</p>
</article></body></html>"""


def rss_feed(base: str, extra_items: str = "") -> bytes:
    """An RSS feed: relative links, HTML in a title, a full-content item, a summary-only item."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Coast &amp; Harbour News</title><link>{base}/</link><description>Local news</description>
<item>
  <title>&lt;b&gt;Oil&lt;/b&gt; &amp;amp; gas: port levy doubles</title>
  <link>/news/levy?utm_source=rss&amp;utm_medium=feed</link>
  <guid>levy-1</guid>
  <pubDate>Fri, 14 Feb 2025 10:00:00 GMT</pubDate>
  <description>The port levy doubles.</description>
  <content:encoded><![CDATA[<p>The port authority doubled the levy on oil and gas tankers on Friday, citing the cost of dredging.</p>
<p>Shipping firms said the <a href="/levy">new levy</a> would add 2 dollars to every tonne of cargo.</p>
<p>The post <a href="{base}/news/levy">Port levy doubles</a> appeared first on <a href="{base}/">Coast News</a>.</p>]]></content:encoded>
</item>
<item>
  <title>Ferry strike ends</title>
  <link>/news/ferry-strike</link>
  <guid>ferry-1</guid>
  <pubDate>Thu, 13 Feb 2025 18:30:00 GMT</pubDate>
  <description>&lt;p&gt;Crews are back at work.&lt;/p&gt;</description>
</item>
{extra_items}
</channel></rss>""".encode()


def big_feed(base: str, entries: int) -> bytes:
    """An RSS feed of ``entries`` short text items without links (so nothing more is fetched), newest first."""
    items = "".join(
        f"<item><title>Bulletin {number}</title><guid isPermaLink='false'>bulletin-{number}</guid>"
        f"<description>Bulletin number {number} reports that the harbour pilots held meeting {number} on Monday."
        f"</description></item>"
        for number in range(entries, 0, -1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Harbour Bulletins</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


@cache
def gzip_bomb() -> bytes:
    """50 MB of one byte, gzipped to about 50 kB: a thousandfold expansion."""
    return gzip.compress(b"<p>" + b"0" * 50_000_000, compresslevel=9)


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="Local"><outline type="rss" text="Coast" xmlUrl="{base}/feed.xml"/></outline>
<outline type="rss" text="Broken" xmlUrl="{base}/missing"/>
</body></opml>"""


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago), for a server that refuses to connect."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalWeb:
    """The server; ``url(path)`` gives an address on it. Use as a context manager."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.routes: dict[str, Route] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LocalWeb:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                request = Request(urlsplit(self.path).path, {k.lower(): v for k, v in self.headers.items()})
                web.requests.append(request)
                route = web.routes.get(request.path)
                reply = route(request) if route else Reply(404, b"<h1>Not Found</h1>")
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hang_up:
                    # Lingering for 0 s makes close() send a reset, not the orderly end of the stream.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.announce_length and reply.chunks is None:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    for chunk in reply.chunks() if reply.chunks else ():
                        time.sleep(reply.chunk_delay)
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # Lede gave up, as it should for oversized or slow replies

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet; ``requests`` is the log."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._install_fixtures()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    @property
    def base(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests_for(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def _install_fixtures(self) -> None:
        base = self.base
        page = Reply(body=ARTICLE_HTML.encode())
        bomb = gzip_bomb()  # made before any request, so serving it never stalls
        self.routes.update({
            "/article.html": lambda r: page,
            "/news/levy": lambda r: page,
            "/news/ferry-strike": lambda r: Reply(body=FULL_TEXT_HTML.encode()),
            "/redirect/1": lambda r: Reply(302, headers={"Location": "/article.html"}),
            "/redirect/2": lambda r: Reply(301, headers={"Location": f"{base}/redirect/1"}),
            "/redirect/3": lambda r: Reply(307, headers={"Location": "/redirect/2"}),
            "/loop": lambda r: Reply(302, headers={"Location": "/loop"}),
            # 127.0.0.2 is loopback but not this server: tests allow 127.0.0.1 only.
            "/to-nowhere": lambda r: Reply(302, headers={"Location": "http://[::1/article.html"}),
            "/to-private": lambda r: Reply(302, headers={"Location": f"http://127.0.0.2:{base.rsplit(':', 1)[1]}/article.html"}),
            "/slow": lambda r: Reply(body=ARTICLE_HTML.encode(), delay=2.0),
            "/hang-up": lambda r: Reply(hang_up=True),
            "/huge": lambda r: Reply(body=b"<p>" + b"x" * 3_000_000 + b"</p>"),
            "/huge-unannounced": lambda r: Reply(body=b"<p>" + b"x" * 3_000_000 + b"</p>", announce_length=False),
            "/image.png": lambda r: Reply(body=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
            "/empty.html": lambda r: Reply(body=b"<html><body><nav>Home</nav></body></html>"),
            # A site's front page that names its feed, as most news sites' do.
            "/": lambda r: Reply(body=b'<html><head><title>Coast News</title><link rel="stylesheet" href="/s.css">'
                                      b'<link rel="alternate" type="application/rss+xml" title="Coast News" '
                                      b'href="/feed.xml"></head><body><nav>Home</nav></body></html>'),
            "/feed.xml": self._conditional(rss_feed(base), etag='"feed-v1"'),
            "/sitemap.xml": lambda r: Reply(body=b'<?xml version="1.0"?><urlset><url><loc>/a</loc></url></urlset>',
                                            content_type="application/xml"),
            "/broken-feed.xml": lambda r: Reply(body=b"<rss><channel><item>", content_type="application/rss+xml"),
            "/feeds.opml": lambda r: Reply(body=OPML.format(base=base).encode(), content_type="text/x-opml"),
            # Hostile servers.
            "/endless": lambda r: Reply(body=b"<p>", chunks=lambda: (b"news " * 13_000 for _ in range(20_000))),
            "/trickle": lambda r: Reply(body=b"<p>", chunks=lambda: (b"x" for _ in range(300)), chunk_delay=0.2),
            "/gzip-bomb": lambda r: Reply(body=bomb, headers={"Content-Encoding": "gzip"}),
            "/big-feed.xml": lambda r: Reply(body=big_feed(base, 10_000), content_type="application/rss+xml"),
        })

    def serve_feed(self, path: str, body: bytes, etag: str) -> None:
        """Serve ``body`` at ``path`` with conditional GET on ``etag``."""
        self.routes[path] = self._conditional(body, etag)

    @staticmethod
    def _conditional(body: bytes, etag: str) -> Route:
        def route(request: Request) -> Reply:
            if request.headers.get("if-none-match") == etag:
                return Reply(304, headers={"ETag": etag}, content_type="application/rss+xml", announce_length=False)
            return Reply(body=body, content_type="application/rss+xml; charset=utf-8", headers={"ETag": etag})
        return route
