"""Replies read the same everywhere, and article text can never break Telegram's HTML."""

from __future__ import annotations

from datetime import UTC, datetime

import html
import re
from dataclasses import replace

from bot.formatting import MAX_ANSWER_CHARS, NO_ANSWER, UNSURE, format_html, format_plain, outcome_to_json
from bot.questions import InvalidQuestion
from corpus.article import Article
from retrieval.answer import UNSURE_BELOW, UNSURE_FOLLOW_UP_BELOW, Answer, Candidate
from retrieval.index import Passage

HOSTILE = Article(
    article_id="x-1",
    title="Standard Oil <Srd> & BP > rivals",
    paragraphs=("Profits rose <5% & costs fell > 2%.",),
    publisher="Wire & Co",
    url="https://example.com/a?x=1&y=<2>",
    published=datetime(1987, 2, 26, 15, 2, 20, tzinfo=UTC),
)


def _answer(article: Article, text: str, alternatives: tuple[Candidate, ...] = ()) -> Answer:
    return Answer("q?", Candidate(Passage(article, 0, text), 3.0, 0.9), 0.9, alternatives)


def test_html_escapes_everything_from_the_article():
    markup = format_html(_answer(HOSTILE, HOSTILE.paragraphs[0]))
    assert "Profits rose &lt;5% &amp; costs fell &gt; 2%." in markup
    assert "Standard Oil &lt;Srd&gt; &amp; BP &gt; rivals" in markup
    assert '<a href="https://example.com/a?x=1&amp;y=&lt;2&gt;">' in markup
    assert "Wire &amp; Co" in markup
    assert "<Srd>" not in markup


def test_answer_comes_first_then_the_source_with_publisher_and_date():
    answer, source = format_html(_answer(HOSTILE, HOSTILE.paragraphs[0])).split("\n\n")
    assert answer.startswith("Profits rose")
    assert source.endswith("Wire &amp; Co · 26 Feb 1987")


def test_a_title_without_url_is_bold_not_a_link():
    article = Article("s", "Plain Title", ("Text.",), publisher="Foreign Policy")
    assert "<b>Plain Title</b> · Foreign Policy" in format_html(_answer(article, "Text."))


def test_no_answer_and_invalid_questions_are_plain_sentences():
    assert format_html(Answer("q?", None, 0.1)) == NO_ANSWER
    assert format_html(InvalidQuestion("", "Ask <me> & go")) == "Ask &lt;me&gt; &amp; go"
    assert format_plain(Answer("q?", None, 0.1)) == NO_ANSWER


def test_a_huge_sentence_is_clipped_to_fit_a_telegram_message():
    markup = format_html(_answer(HOSTILE, "&" * 10_000))
    visible = html.unescape(re.sub(r"<[^>]+>", "", markup))
    assert len(visible) <= 4096
    assert format_plain(_answer(HOSTILE, "a" * 10_000)).startswith("a" * (MAX_ANSWER_CHARS - 1) + "…")


def test_plain_text_shows_source_and_url_unescaped():
    text = format_plain(_answer(HOSTILE, HOSTILE.paragraphs[0]))
    assert text.splitlines() == [
        "Profits rose <5% & costs fell > 2%.",
        "",
        "— Standard Oil <Srd> & BP > rivals · Wire & Co · 26 Feb 1987",
        "  https://example.com/a?x=1&y=<2>",
    ]


def test_json_has_the_documented_shape():
    alternative = Candidate(Passage(HOSTILE, 1, "Another."), 1.0, 0.5)
    data = outcome_to_json(_answer(HOSTILE, HOSTILE.paragraphs[0], (alternative,)))
    assert data["answer"] == HOSTILE.paragraphs[0]
    assert data["confidence"] == 0.9
    assert data["source"] == {
        "article_id": "x-1",
        "title": HOSTILE.title,
        "publisher": "Wire & Co",
        "url": HOSTILE.url,
        "published": "1987-02-26T15:02:20+00:00",
    }
    assert data["alternatives"] == [{"answer": "Another.", "source": data["source"]}]


def test_json_for_no_answer_has_nulls_and_a_message():
    data = outcome_to_json(Answer("capital?", None, 0.0))
    assert (data["answer"], data["source"], data["alternatives"], data["message"]) == (None, None, [], NO_ANSWER)


COPIES = [
    Article(f"wire-{n}", f"Rates <up> {n}", ("The bank raised rates.",), publisher=publisher)
    for n, publisher in enumerate(["Reuters", "AP & Co", "AFP", "DPA", "Kyodo"])
]


def _supported(copies: int) -> Answer:
    others = tuple(Passage(article, 0, "The bank raised rates.") for article in COPIES[1 : 1 + copies])
    return Answer("q?", Candidate(Passage(COPIES[0], 0, "The bank raised rates."), 3.0, 0.9, 0.9, others), 0.9)


def test_a_report_carried_by_other_articles_says_who_else_reported_it():
    plain = format_plain(_supported(2))
    assert plain.splitlines()[-1] == "Also reported by: Rates <up> 1 · AP & Co; Rates <up> 2 · AFP"
    markup = format_html(_supported(2))
    assert markup.splitlines()[-1] == "Also reported by: Rates &lt;up&gt; 1 · AP &amp; Co; Rates &lt;up&gt; 2 · AFP"


def test_many_copies_are_counted_not_all_named():
    assert format_plain(_supported(4)).splitlines()[-1].endswith("Rates <up> 3 · DPA (and 1 more)")


def test_a_copy_under_the_answers_own_title_and_publisher_is_not_named_as_another_source():
    rerun = Article("wire-0-again", "Rates <up> 0", ("The bank raised rates.",), publisher="Reuters")
    others = (Passage(rerun, 0, "The bank raised rates."),)
    alone = Answer("q?", Candidate(Passage(COPIES[0], 0, "The bank raised rates."), 3.0, 0.9, 0.9, others), 0.9)
    assert "Also reported by" not in format_plain(alone)
    assert "Also reported by" not in format_html(alone)
    assert outcome_to_json(alone)["support"] == 2  # the JSON still counts every article that says it


def test_several_copies_from_one_other_source_are_named_once():
    again = Article("wire-1-again", "Rates <up> 1", ("The bank raised rates.",), publisher="AP & Co")
    others = tuple(Passage(article, 0, "The bank raised rates.") for article in (COPIES[1], again, COPIES[2]))
    answer = Answer("q?", Candidate(Passage(COPIES[0], 0, "The bank raised rates."), 3.0, 0.9, 0.9, others), 0.9)
    assert format_plain(answer).splitlines()[-1] == "Also reported by: Rates <up> 1 · AP & Co; Rates <up> 2 · AFP"


def test_an_answer_from_one_article_says_nothing_about_support():
    assert "Also reported by" not in format_plain(_supported(0))
    assert "Also reported by" not in format_html(_supported(0))


def test_json_adds_support_without_changing_the_existing_keys():
    data = outcome_to_json(_supported(2))
    assert data["support"] == 3
    assert [source["article_id"] for source in data["also_reported_by"]] == ["wire-1", "wire-2"]
    assert {"question", "answer", "confidence", "source", "alternatives", "message"} <= set(data)
    empty = outcome_to_json(Answer("capital?", None, 0.0))
    assert (empty["support"], empty["also_reported_by"]) == (0, [])


def test_an_answer_lede_is_unsure_of_says_so_in_every_form_and_a_sure_one_does_not():
    sure = _answer(HOSTILE, HOSTILE.paragraphs[0])
    unsure = replace(sure, confidence=UNSURE_BELOW - 0.01)
    assert UNSURE in format_plain(unsure) and UNSURE not in format_plain(sure)
    assert html.escape(UNSURE, quote=False) in format_html(unsure) and "not sure" not in format_html(sure)
    assert outcome_to_json(unsure)["unsure"] is True and outcome_to_json(sure)["unsure"] is False


def test_a_follow_ups_answer_says_it_is_unsure_up_to_a_higher_confidence():
    # A follow-up's confidence carries the conversation's bonuses and promises more than it keeps.
    alone = replace(_answer(HOSTILE, HOSTILE.paragraphs[0]), confidence=(UNSURE_BELOW + UNSURE_FOLLOW_UP_BELOW) / 2)
    followed = replace(alone, follow_up_of="what did Zelensky demand?")
    assert not alone.unsure and UNSURE not in format_plain(alone)
    assert followed.unsure and UNSURE in format_plain(followed)
    assert not replace(followed, confidence=UNSURE_FOLLOW_UP_BELOW).unsure


def _listed() -> Answer:
    named = Passage(HOSTILE, 0, "Trump offered <concessions> & more.")
    listing = Passage(HOSTILE, 1, "These included <territory> & NATO.")
    return Answer("What concessions?", Candidate(listing, 3.0, 0.9, 0.9, lead_in=named), 0.9)


def test_an_answer_that_spells_out_the_sentence_before_shows_that_sentence_first():
    assert format_plain(_listed()).splitlines()[0] == "Trump offered <concessions> & more. These included <territory> & NATO."
    markup = format_html(_listed()).split("\n\n")[0]
    assert markup == "Trump offered &lt;concessions&gt; &amp; more. <b>These included &lt;territory&gt; &amp; NATO.</b>"
    data = outcome_to_json(_listed())
    assert (data["lead_in"], data["answer"]) == ("Trump offered <concessions> & more.", "These included <territory> & NATO.")
    assert outcome_to_json(_answer(HOSTILE, "Text."))["lead_in"] is None


def test_on_a_terminal_the_answer_after_its_lead_in_is_in_bold_as_in_telegram():
    shown = format_plain(_listed(), terminal=True).splitlines()[0]
    assert shown == "Trump offered <concessions> & more. \x1b[1mThese included <territory> & NATO.\x1b[22m"
    assert "\x1b" not in format_plain(_answer(HOSTILE, "Text."), terminal=True)


def test_a_huge_lead_in_and_answer_still_fit_a_telegram_message():
    huge = Answer("q?", Candidate(Passage(HOSTILE, 1, "&" * 10_000), 3.0, 0.9, lead_in=Passage(HOSTILE, 0, "<" * 10_000)), 0.9)
    visible = html.unescape(re.sub(r"<[^>]+>", "", format_html(huge)))
    assert len(visible) <= 4096
