"""How an outcome reads: Telegram HTML, plain console text, and JSON.

All three are built from the same pieces so the console shows exactly what
Telegram would, minus the markup. Everything that comes from an article is
escaped for HTML, because titles like "Standard Oil <Srd>" are real.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit
from typing import Any, TypeGuard

from telegram.constants import MessageLimit

from bot.questions import InvalidQuestion, Outcome
from corpus.article import Article
from retrieval.answer import Candidate
from retrieval.briefing import Briefing, Story

NO_ANSWER = "I couldn't find that in the articles I have."
# Said under an answer whose confidence is low (retrieval.answer.UNSURE_BELOW):
# such answers are right only about a third of the time.
UNSURE = "I'm not sure this is the answer: check the source."
# What a person is told when handling their message failed unexpectedly (the failure is logged).
APOLOGY = "Sorry, something went wrong while answering that. Please try again in a moment."
# Telegram's own limit on a command's name, so an unknown one is echoed whole but never a whole message.
MAX_COMMAND_CHARS = 32
# Telegram's limit per message, in UTF-16 code units of the visible text: the one
# limit every reply is held to.
MAX_MESSAGE_CHARS = MessageLimit.MAX_TEXT_LENGTH
# Telegram refuses messages over 4096 UTF-16 code units. An answer is one
# sentence, but a sentence (or a title) from a badly punctuated page can be
# arbitrarily long, so each part has a budget and the parts fit together.
MAX_ANSWER_CHARS = 3000
# The sentence shown before an answer that spells out what it names ("These included ..."):
# it takes its room from the answer's budget.
MAX_LEAD_IN_CHARS = 500
MAX_TITLE_CHARS = 300
MAX_DETAIL_CHARS = 100
MAX_ALSO_CHARS = 400
_TAG = re.compile(r"<[^>]*>")


def unknown_command(name: str) -> str:
    """The reply to a command Lede does not have, in Telegram and on the console alike."""
    return f"Unknown command {escape(name, MAX_COMMAND_CHARS)}. Type /help."


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """The machine-readable form printed by ``--json``."""
    if isinstance(outcome, InvalidQuestion):
        return {
            "question": outcome.question,
            "answer": None,
            "lead_in": None,
            "confidence": 0.0,
            "source": None,
            "alternatives": [],
            "message": outcome.reason,
            "support": 0,
            "also_reported_by": [],
            "unsure": False,
            "follow_up_of": None,
        }
    best = outcome.best
    return {
        "question": outcome.question,
        "answer": best.passage.text if best else None,
        "lead_in": best.lead_in.text if best and best.lead_in else None,
        "confidence": outcome.confidence,
        "source": source_to_json(best.passage.article) if best else None,
        "alternatives": [candidate_to_json(candidate) for candidate in outcome.alternatives],
        "message": None if best else NO_ANSWER,
        "support": best.support if best else 0,
        "also_reported_by": [source_to_json(p.article) for p in best.also_reported_by] if best else [],
        "unsure": outcome.unsure,
        "follow_up_of": outcome.follow_up_of,
    }


def candidate_to_json(candidate: Candidate) -> dict[str, Any]:
    """A further answer (an alternative, or one "More" shows): the sentence and its source."""
    return {"answer": candidate.passage.text, "source": source_to_json(candidate.passage.article)}


def source_to_json(article: Article) -> dict[str, str | None]:
    return {
        "article_id": article.article_id,
        "title": article.title,
        "publisher": article.publisher,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
    }


def format_html(outcome: Outcome) -> str:
    """The reply to send with Telegram's HTML parse mode."""
    if isinstance(outcome, InvalidQuestion):
        return html.escape(outcome.reason, quote=False)
    if outcome.best is None:
        return html.escape(NO_ANSWER, quote=False)
    lead_in, answer = _answer_texts(outcome.best)
    answer = html.escape(answer, quote=False)
    if lead_in:
        answer = f"{html.escape(lead_in, quote=False)} <b>{answer}</b>"
    reply = f"{answer}\n\n— {source_line(outcome.best.passage.article, as_html=True)}"
    also = _also_reported_by(outcome.best)
    if also:
        reply += f"\n{html.escape(also, quote=False)}"
    return f"{reply}\n<i>{html.escape(UNSURE, quote=False)}</i>" if outcome.unsure else reply


def format_plain(outcome: Outcome, *, terminal: bool = False) -> str:
    """The reply as the console prints it; on a ``terminal`` the answer after a lead-in is in bold, as in Telegram.

    Without the bold the reader cannot tell the answer from the sentence
    shown before it ("… appeared to offer concessions. These included …").
    """
    if isinstance(outcome, InvalidQuestion):
        return outcome.reason
    if outcome.best is None:
        return NO_ANSWER
    article = outcome.best.passage.article
    lead_in, answer = _answer_texts(outcome.best)
    if lead_in and terminal:
        answer = f"{BOLD}{answer}{NORMAL}"
    lines = [f"{lead_in} {answer}" if lead_in else answer, "", "— " + source_line(article, as_html=False)]
    if article.url:
        lines.append(f"  {article.url}")
    also = _also_reported_by(outcome.best)
    if also:
        lines.append(also)
    if outcome.unsure:
        lines.append(UNSURE)
    return "\n".join(lines)


# The terminal's Select Graphic Rendition codes for bold and back to normal.
BOLD, NORMAL = "\x1b[1m", "\x1b[22m"


def _answer_texts(best: Candidate) -> tuple[str | None, str]:
    """The answer's lead-in (None without one) and the answer, clipped to share the answer's budget."""
    if best.lead_in is None:
        return None, clip(best.passage.text, MAX_ANSWER_CHARS)
    return clip(best.lead_in.text, MAX_LEAD_IN_CHARS), clip(best.passage.text, MAX_ANSWER_CHARS - MAX_LEAD_IN_CHARS)


# Naming every copy of a wire story would bury the answer.
MAX_NAMED_SOURCES = 3


def _also_reported_by(best: Candidate) -> str:
    """"Also reported by: A · Reuters; B (and 2 more)", or "" when no other source says it.

    A copy under the answer's own title and publisher (a story a feed carries
    twice, a wire story run again) is not another source: naming it would only
    repeat the source line above. Several copies from one source are named once.
    """
    own = _source_name(best.passage.article)
    others = [name for name in dict.fromkeys(_source_name(p.article) for p in best.also_reported_by) if name != own]
    if not others:
        return ""
    named = others[:MAX_NAMED_SOURCES]
    more = len(others) - len(named)
    return clip("Also reported by: " + "; ".join(named) + (f" (and {more} more)" if more else ""), MAX_ALSO_CHARS)


def _source_name(article: Article) -> str:
    return source_line(article, as_html=False, title_limit=None, dated=False)


def source_line(
    article: Article,
    *,
    as_html: bool,
    title_limit: int | None = MAX_TITLE_CHARS,
    bold_title: bool = True,
    dated: bool = True,
    after_title: str = " · ",
    between_details: str = " · ",
) -> str:
    """Where a sentence came from, in one line: the article's title, publisher and date.

    The one renderer of a source, for Telegram HTML and for plain text alike.
    In HTML everything is escaped, and the title links to the article when it
    has a web address (else it is bold, unless ``bold_title`` is off).
    """
    details = source_details(article) if dated else [clip(article.publisher, MAX_DETAIL_CHARS)] if article.publisher else []
    if as_html:
        details = [html.escape(part, quote=False) for part in details]
    title = source_title(article, as_html=as_html, limit=title_limit, bold=bold_title)
    return title + (after_title + between_details.join(details) if details else "")


def source_title(article: Article, *, as_html: bool, limit: int | None = MAX_TITLE_CHARS, bold: bool = True) -> str:
    """An article's title, clipped; in HTML escaped and linked to the article (else bold, if ``bold``)."""
    title = article.title if limit is None else clip(article.title, limit)
    if not as_html:
        return title
    title = html.escape(title, quote=False)
    if is_web_link(article.url):
        return f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    return f"<b>{title}</b>" if bold else title


def source_details(article: Article) -> list[str]:
    """Publisher and date, each only when known."""
    parts = (article.publisher, _human_date(article.published))
    return [clip(part, MAX_DETAIL_CHARS) for part in parts if part]


def _human_date(published: datetime | None) -> str | None:
    return f"{published.day} {published:%b %Y}" if published else None


def escape(text: object, limit: int | None = None) -> str:
    """A piece of a reply that came from outside (a title, a reason, a URL): clipped to ``limit`` if given, escaped."""
    text = str(text)
    return html.escape(text if limit is None else clip(text, limit), quote=False)


def is_web_link(url: str | None) -> TypeGuard[str]:
    """Telegram links only absolute http(s) URLs; anything else is shown as plain text (and None is no link)."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[" : no URL Telegram could open
        return False
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



# ---- briefings ---------------------------------------------------------------------------------

# A story's parts have budgets too, so that any one story fits a message with the header.
MAX_KEY_SENTENCE_CHARS = 900
MAX_SOURCE_TITLE_CHARS = 150
LISTED_SOURCES = 5


def briefing_to_json(briefing: Briefing) -> dict[str, Any]:
    """``--brief --json``: the stories with their key sentences and every source."""
    return {
        "since": briefing.since.isoformat(),
        "topic": briefing.topic,
        "articles": briefing.articles,
        "stories": [
            {
                "headline": story.headline,
                "sentences": list(story.sentences),
                "sources": [source_to_json(item.article) for item in story.items],
            }
            for story in briefing.stories
        ],
        "more": briefing.more,
        "message": None if briefing.stories else _nothing_new(briefing),
    }


def briefing_html(briefing: Briefing, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """A briefing as Telegram messages: split between stories, each message within ``limit``."""
    if not briefing.stories:
        return [html.escape(_nothing_new(briefing), quote=False)]
    count = len(briefing.stories)
    head = f"<b>Briefing</b>: {count} {'story' if count == 1 else 'stories'} since {moment_text(briefing.since)}"
    if briefing.topic:
        head += f" about “{html.escape(clip(briefing.topic, MAX_DETAIL_CHARS), quote=False)}”"
    if briefing.more:
        head += f" ({briefing.more} more not shown)"
    blocks = [head] + [_story_html(number, story) for number, story in enumerate(briefing.stories, start=1)]
    return pack_messages(blocks, limit)


def pack_messages(blocks: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join HTML blocks (each whole, never cut) into as few messages of at most ``limit`` visible characters."""
    messages: list[str] = []
    for block in blocks:
        if messages and _visible_length(messages[-1]) + 2 + _visible_length(block) <= limit:
            messages[-1] += "\n\n" + block
        else:
            messages.append(block)
    return messages


def _story_html(number: int, story: Story) -> str:
    lines = [f"<b>{number}. {html.escape(clip(story.headline, MAX_TITLE_CHARS), quote=False)}</b>"]
    lines += [html.escape(clip(sentence, MAX_KEY_SENTENCE_CHARS), quote=False) for sentence in story.sentences]
    count = len(story.items)
    lines.append(f"<i>{count} source{'s' if count != 1 else ''}:</i>")
    # A wire story sent again the same day reads the same as its first sending: one line says both.
    sources = Counter(
        source_line(item.article, as_html=True, title_limit=MAX_SOURCE_TITLE_CHARS, bold_title=False,
                    after_title=" — ", between_details=", ")
        for item in story.items
    )
    listed = list(sources.items())[:LISTED_SOURCES]
    lines += [f"• {line}" + (f" (sent {_times(copies)})" if copies > 1 else "") for line, copies in listed]
    shown = sum(copies for _, copies in listed)
    if count > shown:
        lines.append(f"• … and {count - shown} more")
    return "\n".join(lines)


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def _nothing_new(briefing: Briefing) -> str:
    if not briefing.searchable:
        return (f"“{clip(briefing.topic or '', MAX_DETAIL_CHARS)}” gives me no word to search the news by "
                "(words such as “the” or “who” are too common); name the topic in other words.")
    about = f" about “{clip(briefing.topic, MAX_DETAIL_CHARS)}”" if briefing.topic else ""
    text = f"Nothing new{about} since {moment_text(briefing.since)}."
    if briefing.newest is None:
        return text
    if briefing.newest.moment is None:  # every article added has a time: when it was added, if not its date
        return (f"{text} I have only undated articles loaded when I started, and a briefing tells articles "
                "by their date or by when they were added.")
    return f"{text} The newest article I have is dated {_human_date(briefing.newest.moment)}."


def moment_text(moment: datetime) -> str:
    """A moment as every reply writes one: "19 Oct 1987, 00:00 UTC"."""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _visible_length(html_text: str) -> int:
    """Telegram's length of an HTML message: UTF-16 code units of the text once tags and entities are parsed."""
    return len(html.unescape(_TAG.sub("", html_text)).encode("utf-16-le")) // 2
