"""How an outcome reads: Telegram HTML, plain console text, and JSON.

All three are built from the same pieces so the console shows exactly what
Telegram would, minus the markup. Everything that comes from an article is
escaped for HTML, because titles like "Standard Oil <Srd>" are real.
"""

from __future__ import annotations

import html
from datetime import datetime
from urllib.parse import urlsplit
from typing import Any

from bot.service import InvalidQuestion, Outcome
from corpus.article import Article

NO_ANSWER = "I couldn't find that in the articles I have."
# Telegram refuses messages over 4096 UTF-16 code units. An answer is one
# sentence, but a sentence (or a title) from a badly punctuated page can be
# arbitrarily long, so each part has a budget and the parts fit together.
MAX_ANSWER_CHARS = 3000
MAX_TITLE_CHARS = 300
MAX_DETAIL_CHARS = 100


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """The machine-readable form printed by ``--json``."""
    if isinstance(outcome, InvalidQuestion):
        return {
            "question": outcome.question,
            "answer": None,
            "confidence": 0.0,
            "source": None,
            "alternatives": [],
            "message": outcome.reason,
        }
    best = outcome.best
    return {
        "question": outcome.question,
        "answer": best.passage.text if best else None,
        "confidence": outcome.confidence,
        "source": source_to_json(best.passage.article) if best else None,
        "alternatives": [
            {"answer": candidate.passage.text, "source": source_to_json(candidate.passage.article)}
            for candidate in outcome.alternatives
        ],
        "message": None if best else NO_ANSWER,
    }


def source_to_json(article: Article) -> dict[str, str | None]:
    return {
        "article_id": article.article_id,
        "title": article.title,
        "publisher": article.publisher,
        "url": article.url,
        "published": article.published,
    }


def format_html(outcome: Outcome) -> str:
    """The reply to send with Telegram's HTML parse mode."""
    if isinstance(outcome, InvalidQuestion):
        return html.escape(outcome.reason, quote=False)
    if outcome.best is None:
        return html.escape(NO_ANSWER, quote=False)
    article = outcome.best.passage.article
    title = html.escape(clip(article.title, MAX_TITLE_CHARS), quote=False)
    if is_web_link(article.url):
        title = f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    else:
        title = f"<b>{title}</b>"
    details = [html.escape(part, quote=False) for part in _source_details(article)]
    answer = html.escape(clip(outcome.best.passage.text, MAX_ANSWER_CHARS), quote=False)
    return f"{answer}\n\n— {' · '.join([title, *details])}"


def format_plain(outcome: Outcome) -> str:
    """The reply as the console prints it."""
    if isinstance(outcome, InvalidQuestion):
        return outcome.reason
    if outcome.best is None:
        return NO_ANSWER
    article = outcome.best.passage.article
    source = " · ".join([clip(article.title, MAX_TITLE_CHARS), *_source_details(article)])
    lines = [clip(outcome.best.passage.text, MAX_ANSWER_CHARS), "", "— " + source]
    if article.url:
        lines.append(f"  {article.url}")
    return "\n".join(lines)


def _source_details(article: Article) -> list[str]:
    """Publisher and date, each only when known."""
    parts = (article.publisher, _human_date(article.published))
    return [clip(part, MAX_DETAIL_CHARS) for part in parts if part]


def _human_date(published: str | None) -> str | None:
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return published
    return f"{moment.day} {moment:%b %Y}"


def is_web_link(url: str | None) -> bool:
    """Telegram links only absolute http(s) URLs; anything else is shown as plain text."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units (Telegram's measure), with an ellipsis if cut."""
    if len(text.encode("utf-16-le")) <= 2 * limit:
        return text
    units = 0
    for end, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit - 1:
            return text[:end].rstrip() + "…"
    return text

