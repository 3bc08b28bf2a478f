"""How an outcome reads: Telegram HTML, plain console text, and JSON.

All three are built from the same pieces so the console shows exactly what
Telegram would, minus the markup. Everything that comes from an article is
escaped for HTML, because titles like "Standard Oil <Srd>" are real.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from bot.service import InvalidQuestion, Outcome
from corpus.article import Article
from retrieval.index import Passage

NO_ANSWER = "I couldn't find that in the articles I have."
# Telegram refuses messages over 4096 characters; an answer is one sentence,
# but a sentence from a badly punctuated page can be arbitrarily long.
MAX_ANSWER_CHARS = 3000


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
            "support": 0,
            "also_reported_by": [],
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
        "support": best.support if best else 0,
        "also_reported_by": [source_to_json(p.article) for p in best.also_reported_by] if best else [],
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
    title = html.escape(article.title, quote=False)
    if article.url:
        title = f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    else:
        title = f"<b>{title}</b>"
    details = [html.escape(part, quote=False) for part in _source_details(article)]
    reply = f"{html.escape(_clip(outcome.best.passage.text), quote=False)}\n\n— {' · '.join([title, *details])}"
    also = _also_reported_by(outcome.best.also_reported_by)
    return f"{reply}\n{html.escape(also, quote=False)}" if also else reply


def format_plain(outcome: Outcome) -> str:
    """The reply as the console prints it."""
    if isinstance(outcome, InvalidQuestion):
        return outcome.reason
    if outcome.best is None:
        return NO_ANSWER
    article = outcome.best.passage.article
    lines = [_clip(outcome.best.passage.text), "", "— " + " · ".join([article.title, *_source_details(article)])]
    if article.url:
        lines.append(f"  {article.url}")
    also = _also_reported_by(outcome.best.also_reported_by)
    if also:
        lines.append(also)
    return "\n".join(lines)


# Naming every copy of a wire story would bury the answer.
MAX_NAMED_SOURCES = 3


def _also_reported_by(passages: tuple[Passage, ...]) -> str:
    """"Also reported by: A · Reuters; B (and 2 more)", or "" when one article says it."""
    if not passages:
        return ""
    named = [" · ".join([p.article.title, *filter(None, [p.article.publisher])]) for p in passages[:MAX_NAMED_SOURCES]]
    more = len(passages) - len(named)
    return "Also reported by: " + "; ".join(named) + (f" (and {more} more)" if more else "")


def _source_details(article: Article) -> list[str]:
    """Publisher and date, each only when known."""
    return [part for part in (article.publisher, _human_date(article.published)) if part]


def _human_date(published: str | None) -> str | None:
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return published
    return f"{moment.day} {moment:%b %Y}"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ANSWER_CHARS else text[: MAX_ANSWER_CHARS - 1].rstrip() + "…"

