"""Pick the sentence that answers a question, or admit there is none.

Three steps:

1. **Candidates.** BM25 over the question's terms and their related words
   (from the lexicon, at a discount) finds the ``CANDIDATES`` best-matching
   sentences; the rest of the corpus never gets further.
2. **Ranking.** Each candidate is described by the evidence in
   :mod:`retrieval.features` (coverage of the question, expected answer type,
   proximity, the article around it, ...) and ordered by gradient-boosted
   trees trained on news, WikiQA and TrecQA questions (:mod:`retrieval.ranker`,
   :mod:`retrieval.train`). BM25 stays the backbone: it picks the candidates
   and is the first feature.
3. **Confidence and support.** Near-identical sentences (the same wire story
   in several papers) become one answer that counts its sources. The best
   answer's confidence is a probability calibrated on news answers; below
   ``MIN_CONFIDENCE`` Lede says it does not know. When the best sentence
   names the things asked for and the next one lists them, the list is the
   answer, shown after its lead-in (:func:`spelled_out`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from retrieval.features import FEATURES, Question, candidate_features, query_coverage
from retrieval.followup import NEIGHBOURS, FollowUp
from retrieval.index import Passage, SentenceFilter, SentenceIndex
from retrieval.question import (
    asked_things,
    asks_for_slot,
    continues,
    holds_asked_slot,
    points_back,
    spells_out,
    without_measure_word,
)
from retrieval.ranker import RankingModel
from retrieval.text import Query

# The calibrated probability (fitted on news answers, retrieval.train) below
# which Lede abstains, and below which it answers but says it is unsure.
# Chosen on out-of-fold news answers of 5-fold CV over the training
# questions. A news reader asks about stories Lede holds, so a refusal costs
# more than a shaky answer: at 0.1 Lede still answers 99 % of them and gives
# up one right answer in 630 (precision 0.586 → 0.592, recall 0.586 → 0.584),
# while questions about nothing it holds score near 0; at 0.2 it would give
# up 7 % of its answers for 1 point of recall. Below 0.5 an answer is
# right about a third of the time, above it about three times in four.
MIN_CONFIDENCE = 0.1
UNSURE_BELOW = 0.5
# A follow-up's confidence carries the conversation's bonuses (its article, its own words) and
# promises more than it keeps: over the dev conversations, follow-ups' answers at 0.3-0.5 were
# right 17 % of the time and at 0.5-0.8 45 %. A logistic curve of "right" on that confidence
# crosses one half at 0.73 (0.735 ± 0.026 over 5 folds of conversations grouped by article, with
# the ranker of 3 Dec, 22:54); the held-out answers below it were right 28 % of the time, those
# above it 70 %. Below it, a follow-up's answer says it is unsure. `python -m
# bot.evaluate_followups` prints these figures; the crossing moves with the ranker.
UNSURE_FOLLOW_UP_BELOW = 0.73
# An alternative must account for this much of the question to be worth showing. Out of fold on the
# 630 training news questions (5-fold CV, the shipped settings), the right sentence is the first
# answer or one of 3 alternatives for 78.1 % of them at 0.1, against 71.1 % at 0.4 (54 questions
# gained, 10 lost: a right sentence that paraphrases the question shares few of its words) and
# 78.7 % with no floor, which also shows sentences sharing no word with the question.
MIN_ALTERNATIVE_COVERAGE = 0.1
# Sentences scored beyond BM25; the rest of the corpus never gets that far. 60 rather than 100
# (with the leading articles' other sentences, 77 candidates on average instead of 115): as
# accurate by paired CV (news accuracy@1 +0.008 ± 0.019, +0.001 ± 0.029, +0.014 ± 0.020 over
# three fold seeds) and an answer about a fifth faster through the console (benchmarks.console).
CANDIDATES = 60
# Articles whose every matching sentence is a candidate, however low its BM25.
LEADING_ARTICLES = 3
# Of each such article (and of the article a follow-up follows, beside the answer's neighbours),
# at most this many sentences, its best by BM25. The leading articles of the 630 training
# questions add at most 34; a book-length upload (20,000 sentences in one "article") added
# thousands, and scoring them took every question 0.1-1 s.
LEADING_ARTICLE_SENTENCES = 40
# The best hits whose next sentence, when it carries on from them, also competes.
FOLLOWED = 10
# Word-set overlap (Jaccard) above which two sentences report the same thing.
NEAR_DUPLICATE = 0.8
# A share of a follow-up's own words that is all of them (coverage is a float sum of weights).
_ALL_OWN_WORDS = 0.999

_COVERAGE = FEATURES.index("coverage")
_EXACT_COVERAGE = FEATURES.index("exact_coverage")
_WORD = re.compile(r"\w+")
# ASCII bytes that are not word characters (\w) become spaces.
_ASCII_WORDS = bytes(byte if chr(byte).isalnum() or chr(byte) == "_" else ord(" ") for byte in range(256))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked sentence, the evidence behind its rank, and the other articles that say the same."""

    passage: Passage
    score: float
    coverage: float
    exact_coverage: float = 0.0
    also_reported_by: tuple[Passage, ...] = ()
    # The sentence before, shown with this one because this one spells out what it
    # names ("These included ..."; :func:`spelled_out`) or stands for it with a
    # pronoun ("It downgraded ..."; :func:`with_antecedent`).
    lead_in: Passage | None = None

    @property
    def support(self) -> int:
        """How many articles carry this sentence (or a near-identical one)."""
        return 1 + len(self.also_reported_by)


@dataclass(frozen=True)
class CandidatePool:
    """A question's candidates as the ranker sees them, a row of ``features`` for each in ``hits`` order.

    ``hits`` are ``(passage number, BM25 score)``; ``passages`` the sentences they number, read once.
    """

    question: Question
    hits: list[tuple[int, float]]
    passages: list[Passage]
    features: np.ndarray


@dataclass(frozen=True, slots=True)
class Answer:
    """The best sentence (or none), how sure we are, and the runners-up."""

    question: str
    best: Candidate | None
    confidence: float
    alternatives: tuple[Candidate, ...] = ()
    # The earlier question this one was read as following (None: read on its own).
    follow_up_of: str | None = None

    @property
    def unsure(self) -> bool:
        """An answer is given, but it is about as likely wrong as right: the reader should be told."""
        below = UNSURE_FOLLOW_UP_BELOW if self.follow_up_of is not None else UNSURE_BELOW
        return self.best is not None and self.confidence < below


def answer_question(
    index: SentenceIndex,
    question: str,
    *,
    alternatives: int = 3,
    min_confidence: float = MIN_CONFIDENCE,
    accept: SentenceFilter | None = None,
    model: RankingModel | None = None,
    follow_up: FollowUp | None = None,
) -> Answer:
    """Answer ``question`` from ``index``: the best sentence and distinct alternatives.

    ``accept`` limits the answer to some passages, e.g. the articles one chat
    may see; ``follow_up`` reads the question in the light of the
    conversation before it (:mod:`retrieval.followup`).
    """
    model = model or RankingModel.load()
    follows = follow_up.follows if follow_up else None
    # "which ones?" is answered by the list after the latest answer, as surely as that answer.
    listed = None
    if follow_up is not None and follow_up.lists_named:
        listed = _listing_of_latest(index, follow_up, accept)
        if listed is None:  # no list follows that answer: read it as any other follow-up
            follow_up = replace(follow_up, repeats=None, lists_named=False)
    # "what else?" is answered as the question it asks again, less the answers given.
    searched = follow_up.searched(question) if follow_up else question
    # The best, the runner-up its confidence is measured against, and room for
    # alternatives that cover too little of the question to be shown.
    ranked = rank_candidates(index, searched, accept=accept, model=model, follow_up=follow_up)
    ranked = merge_near_duplicates(ranked, keep=3 * alternatives + 2)
    if not ranked:
        return Answer(question, None, 0.0, follow_up_of=follows)
    confidence = round(model.probability(confidence_evidence(ranked)), 3)
    if confidence < min_confidence:
        return Answer(question, None, confidence, follow_up_of=follows)
    if listed is not None:
        naming, listing = listed
        best = replace(ranked[0], passage=listing, also_reported_by=(), lead_in=naming)
    else:
        best = with_antecedent(index, spelled_out(index, searched, ranked[0], accept, follow_up))
    given = {best.passage.key, *((best.lead_in.key,) if best.lead_in else ())}
    shown = [c for c in ranked[1:] if c.coverage >= MIN_ALTERNATIVE_COVERAGE and c.passage.key not in given][:alternatives]
    return Answer(question, best, confidence, tuple(shown), follow_up_of=follows)


def confidence_evidence(ranked: Sequence[Candidate]) -> dict[str, float]:
    """What the confidence of the best of ``ranked`` (distinct statements, best first) rests on.

    How much of the question it covers, and how far it leads the next
    distinct statement: a clear winner is more often right than the best of
    several look-alikes. A lone candidate leads by one unit of score.
    """
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else best.score - 1.0
    return {
        "coverage": best.coverage,
        "exact_coverage": best.exact_coverage,
        "margin": best.score - runner_up,
        "score": best.score,
    }


def spelled_out(
    index: SentenceIndex,
    question: str,
    best: Candidate,
    accept: SentenceFilter | None = None,
    follow_up: FollowUp | None = None,
) -> Candidate:
    """The sentence that spells out the things the question asks for, after the one that only names them.

    "What concessions did Trump offer Putin?" is best matched by "Trump ...
    appeared to offer unilateral concessions", and answered by the sentence
    after it: "These included Ukraine potentially giving up ...". That
    sentence shares no word with the question, and the training questions
    hold too few such pairs for the ranker to learn it, so it is a rule: the
    question asks for things ("what/which <things> did ...", "what are the
    <things>?", or in a conversation just "what concessions?"), a sentence
    names them, and the next one lists them ("These included", "They
    include", "Among them").

    The naming sentence is ``best`` or, in a conversation, an answer already
    given (the latest first): after "Trump appeared to offer concessions",
    "what concessions?" asks for the list, not for another sentence that says
    the word. The answer keeps ``best``'s evidence and shows the naming
    sentence as its lead-in; copies of that sentence in other articles are
    not copies of the list, so they are not counted as support.
    """
    things = asked_things(question, bare=follow_up is not None)
    terms = set(index.analyzer.terms(things)) if things else set()
    if not terms:
        return best
    given = follow_up.given if follow_up else frozenset()
    for naming in (best.passage, *_answers_given(index, follow_up)):
        if not terms <= set(index.analyzer.terms(naming.text)):
            continue
        listing = _listing_after(index, naming, given, accept)
        if listing is not None:
            return replace(best, passage=listing, also_reported_by=(), lead_in=naming)
    return best


def _listing_of_latest(
    index: SentenceIndex, follow_up: FollowUp, accept: SentenceFilter | None
) -> tuple[Passage, Passage] | None:
    """The latest answer of a conversation and the sentence after it, when that one lists what the answer named.

    When the latest answer is itself such a list, shown after the sentence that
    named what it lists, "which ones?" asks for it again: it is what the reader
    was just told, and nothing else in the article lists them.
    """
    latest = _answers_given(index, follow_up)[:1]
    if not latest:
        return None
    answer = latest[0]
    listing = _listing_after(index, answer, follow_up.given, accept)
    if listing is not None:
        return answer, listing
    naming = _passage_at(index, answer.article.article_id, answer.position - 1) if answer.position > 0 else None
    return (naming, answer) if naming is not None and spells_out(answer.text) else None


def _listing_after(
    index: SentenceIndex,
    naming: Passage,
    given: frozenset[tuple[str, int]],
    accept: SentenceFilter | None,
) -> Passage | None:
    """The sentence after ``naming`` when it lists what ``naming`` names ("These included …") and was not given yet."""
    listing = _next_sentence(index, naming)
    if listing is None or not spells_out(listing.text) or listing.key in given:
        return None
    return listing if accept is None or accept(listing.key) else None


def with_antecedent(index: SentenceIndex, best: Candidate) -> Candidate:
    """``best`` with the sentence before it as its lead-in when it opens with a pronoun standing for it.

    "It downgraded 50 companies" answers "how many companies did Moody's
    downgrade?", but only the sentence before says what "it" is; the reader
    gets both, the answer still the sentence shown in bold. The evidence and
    support stay the answer's own.
    """
    passage = best.passage
    if best.lead_in is not None or passage.position == 0 or not points_back(passage.text):
        return best
    before = _passage_at(index, passage.article.article_id, passage.position - 1)
    return best if before is None else replace(best, lead_in=before)


def _answers_given(index: SentenceIndex, follow_up: FollowUp | None) -> list[Passage]:
    """The sentences a conversation has answered with, the latest first (the rest in article order)."""
    if follow_up is None:
        return []
    latest = (follow_up.article_id, follow_up.position)
    keys = sorted(follow_up.given, key=lambda key: (key != latest, key))
    passages = [_passage_at(index, article_id, position) for article_id, position in keys]
    return [passage for passage in passages if passage is not None]


def _next_sentence(index: SentenceIndex, passage: Passage) -> Passage | None:
    return _passage_at(index, passage.article.article_id, passage.position + 1)


def _passage_at(index: SentenceIndex, article_id: str, position: int) -> Passage | None:
    """The sentence at ``position`` of an article, or None when the article (no longer) has one there."""
    numbers = index.article_passages(article_id)
    if not 0 <= position < len(numbers):
        return None
    passage = index.passages[numbers[position]]
    return passage if passage.position == position else None


def rank_candidates(
    index: SentenceIndex,
    question: str,
    *,
    accept: SentenceFilter | None = None,
    limit: int = CANDIDATES,
    model: RankingModel | None = None,
    follow_up: FollowUp | None = None,
) -> list[Candidate]:
    """The best-matching sentences, best first (duplicates kept; see :func:`merge_near_duplicates`).

    For a follow-up, the sentences of the article it follows rank higher by
    the conversation's article bonus (the answer is more likely there), and
    each sentence by how much of the question's own words it covers.
    """
    pool = candidate_pool(index, question, accept=accept, limit=limit, follow_up=follow_up)
    if not pool.hits:
        return []
    features = pool.features
    scores = (model or RankingModel.load()).scores(features)
    if follow_up is not None:
        numbers = [number for number, _ in pool.hits]
        scores = scores + follow_up.own_words * query_coverage(index, pool.question.query.own(), numbers)
        preferred = [passage.article.article_id == follow_up.article_id for passage in pool.passages]
        scores = scores + follow_up.article_bonus * np.array(preferred, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    return [
        Candidate(
            pool.passages[i], float(scores[i]), float(features[i, _COVERAGE]), float(features[i, _EXACT_COVERAGE])
        )
        for i in order.tolist()
    ]


def candidate_pool(
    index: SentenceIndex,
    question: str,
    *,
    accept: SentenceFilter | None = None,
    limit: int = CANDIDATES,
    follow_up: FollowUp | None = None,
) -> CandidatePool:
    """The analysed question, its BM25 candidates and their features.

    The ranker is trained on exactly these (:mod:`retrieval.train`), so
    training and answering cannot drift apart. A follow-up's question
    borrows the conversation's topic terms at their lower weight; the
    article it follows offers its matching sentences and the neighbours of
    the answer followed, and the sentences already given are left out
    (unless only they hold its own words: :func:`_new_or_only_answer`).
    """
    analysed = Question.analyse(question, index.question_analyzer)
    if follow_up is not None:
        analysed = _searched_as_follow_up(index, analysed)
        if analysed.query and not _knows_any(index, analysed.query):
            # Its own words are about nothing the articles hold ("what is the capital of
            # Australia?" after questions about Zelensky): the conversation's words must not answer it.
            return _no_candidates(analysed)
        analysed = analysed.with_context(follow_up.context)
    if not analysed.query:
        return _no_candidates(analysed)
    weights = term_weights(analysed.query)
    hits = index.top(weights, limit, accept)
    if follow_up is not None:
        hits += _followed_article(index, weights, hits, follow_up, accept)
    hits += _rest_of_leading_articles(index, weights, hits, accept)
    hits += _continuations(index, hits, accept)
    passages = [index.passages[number] for number, _ in hits]
    # "which ones?" asks its question again with the answer that named them: the list is as sure as it.
    if follow_up is not None and follow_up.given and not follow_up.lists_named:
        if follow_up.repeats is not None:
            # "what else?" wants something not read yet, the lead-ins shown before the answers included;
            # a question of its own may ask about a lead-in ("what did its chairman say?").
            follow_up = replace(follow_up, given=_shown(index, follow_up.given))
        kept = _new_or_only_answer(index, analysed, list(zip(hits, passages, strict=True)), follow_up)
        hits, passages = [hit for hit, _ in kept], [passage for _, passage in kept]
    return CandidatePool(analysed, hits, passages, candidate_features(index, analysed, hits, passages))


def _no_candidates(question: Question) -> CandidatePool:
    return CandidatePool(question, [], [], np.zeros((0, len(FEATURES))))


def _new_or_only_answer(
    index: SentenceIndex, question: Question, hits: list[tuple[tuple[int, float], Passage]], follow_up: FollowUp
) -> list[tuple[tuple[int, float], Passage]]:
    """The hits (each with its passage) not given yet, unless only a given sentence holds the follow-up's own words.

    A follow-up asks for something the answers so far did not say, so they
    are left out. But the lead that answered "Who did Vance meet?" also
    says where ("… on the sidelines of the Munich Security Conference"):
    when no new sentence of the article followed says "meet", the best of
    them answers "where did they meet?" only through the conversation's
    words. Then the given sentences that hold all of its own words compete again.
    A bare "when?" or "where?" has no words of its own: when the answer it
    follows already says it ("… in Munich this Friday"), that answer is the one;
    when it does not, only a new sentence that says it answers, else none does.
    """
    own = question.query.own()
    fresh = [(hit, passage) for hit, passage in hits if passage.key not in follow_up.given]
    if not own.terms:
        # "what else?" after "how much?" asks for another amount, never the one given.
        said_already = [] if follow_up.repeats is not None else [
            (hit, passage) for hit, passage in hits if _followed_answer_says_it(question.text, passage, follow_up)
        ]
        if said_already or not asks_for_slot(question.text):
            return said_already or fresh
        # A sentence with no amount does not answer "how much?", however near the answer followed it stands.
        return [(hit, passage) for hit, passage in fresh if holds_asked_slot(question.text, passage.text)]
    if len(fresh) == len(hits):
        return fresh
    covered = query_coverage(index, own, [number for (number, _), _ in hits]).tolist()
    if any(
        share > 0 and passage.key not in follow_up.given and passage.article.article_id == follow_up.article_id
        for (_, passage), share in zip(hits, covered, strict=True)
    ):
        return fresh
    return [
        (hit, passage) for (hit, passage), share in zip(hits, covered, strict=True)
        if passage.key not in follow_up.given or share >= _ALL_OWN_WORDS
    ]


def _searched_as_follow_up(index: SentenceIndex, question: Question) -> Question:
    """A follow-up as it is searched: a bare "how much?" or "how soon?" without its measure word.

    Such a question has no words of its own (it asks about the conversation's),
    so a sentence is not found for saying "much" or "soon"; one with words of
    its own ("how much did it cost?") is searched as any question is.
    """
    if without_measure_word(question.text) == question.text:
        return question
    searched = question.searched_without_measure_word(index.question_analyzer)
    return question if searched.query.terms else searched


def _followed_answer_says_it(question: str, passage: Passage, follow_up: FollowUp) -> bool:
    """Whether ``passage`` is the answer ``question`` follows and holds the kind of answer it asks for (its date,
    place or amount: "why?" and "who?" are left to the ranker)."""
    return passage.key == (follow_up.article_id, follow_up.position) and holds_asked_slot(question, passage.text)


def _shown(index: SentenceIndex, given: frozenset[tuple[str, int]]) -> frozenset[tuple[str, int]]:
    """The sentences a conversation has shown: its answers, and the lead-in shown before each.

    An answer that lists what the sentence before it names ("These included …") or opens with a
    pronoun standing for it ("He said …") was shown after that sentence (:func:`spelled_out`,
    :func:`with_antecedent`).
    """
    lead_ins = set()
    for article_id, position in given:
        passage = _passage_at(index, article_id, position) if position > 0 else None
        if passage is not None and (points_back(passage.text) or spells_out(passage.text)):
            lead_ins.add((article_id, position - 1))
    return given | lead_ins


def _knows_any(index: SentenceIndex, query: Query) -> bool:
    """Whether some article holds one of the question's terms, or a word related or spelt close to one."""
    return any(index.knows(term) or any(map(index.knows, query.expansions.get(term, ()))) for term in query.terms)


def _followed_article(
    index: SentenceIndex,
    weights: dict[str, float],
    hits: list[tuple[int, float]],
    follow_up: FollowUp,
    accept: SentenceFilter | None,
) -> list[tuple[int, float]]:
    """The sentences of the article a follow-up follows that are not hits yet: those that match, and the answer's neighbours.

    "why?" after an answer is often answered by the next sentence, which
    may share no word with anything asked.
    """
    if follow_up.article_id is None or follow_up.position is None:
        return []
    numbers = index.article_passages(follow_up.article_id)
    known = {number for number, _ in hits}
    rest = [number for number in numbers if number not in known]
    if not rest or (accept is not None and not accept(index.passage_key(rest[0]))):
        return []
    scores = index.score_passages(weights, rest)
    near = range(follow_up.position - NEIGHBOURS, follow_up.position + NEIGHBOURS + 1)
    kept = set(np.asarray(rest)[_best_matching(scores)].tolist())
    return [
        (number, score)
        for number, score in zip(rest, scores.tolist(), strict=True)
        if number in kept or index.passage_key(number)[1] in near
    ]


def _continuations(
    index: SentenceIndex, hits: list[tuple[int, float]], accept: SentenceFilter | None
) -> list[tuple[int, float]]:
    """The sentences that carry on from the best hits ("These included ...", "He said ...") and are not hits yet.

    "What concessions did Trump offer Putin?" matches the sentence that says
    concessions were offered; the one after it, which lists them, may share
    no word with the question, so BM25 never finds it. It joins the
    candidates with a BM25 score of 0 and competes on its context.
    """
    known = {number for number, _ in hits}
    extra = []
    for number, _ in hits[:FOLLOWED]:
        following = number + 1
        if following in known or following >= len(index.passages):
            continue
        passage = index.passages[following]
        if passage.position > 0 and continues(passage.text) and (accept is None or accept(passage.key)):
            known.add(following)
            extra.append((following, 0.0))
    return extra


def _rest_of_leading_articles(
    index: SentenceIndex,
    weights: dict[str, float],
    hits: list[tuple[int, float]],
    accept: SentenceFilter | None,
) -> list[tuple[int, float]]:
    """The other matching sentences of the articles that lead the hits (of each, its best :data:`LEADING_ARTICLE_SENTENCES`).

    The sentence that answers often says less of the question than the
    story's lead ("It was hit by weak exports" under a headline that names
    the country), so BM25 alone can leave it far down a big corpus. The best
    articles are found reliably, so their matching sentences compete.
    ``accept`` is asked once per article: what a chat may see is whole articles.
    """
    leading: list[str] = []
    for number, _ in hits:
        article_id, _ = index.passage_key(number)
        if article_id not in leading:
            leading.append(article_id)
            if len(leading) == LEADING_ARTICLES:
                break
    known = np.array([number for number, _ in hits], dtype=np.int64)
    rests: list[np.ndarray] = []
    for article_id in leading:
        span = index.article_passages(article_id)
        if accept is not None and not accept(index.passage_key(span.start)):
            continue
        unknown = np.ones(len(span), dtype=bool)
        unknown[known[(known >= span.start) & (known < span.stop)] - span.start] = False
        rests.append(np.arange(span.start, span.stop)[unknown])
    if not rests:
        return []
    # The articles are scored together: each term's posting list is searched once, not once an article.
    together = index.score_passages(weights, np.concatenate(rests))
    extra: list[tuple[int, float]] = []
    for rest, scores in zip(rests, np.split(together, np.cumsum([len(rest) for rest in rests])[:-1]), strict=True):
        best = _best_matching(scores)
        extra += zip(rest[best].tolist(), scores[best].tolist(), strict=True)
    return sorted(extra, key=lambda hit: -hit[1])


def _best_matching(scores: np.ndarray) -> np.ndarray:
    """Where ``scores`` (one article's sentences) are positive, best first, ties in order: at most :data:`LEADING_ARTICLE_SENTENCES`."""
    matching = np.flatnonzero(scores > 0)
    return matching[np.argsort(-scores[matching], kind="stable")[:LEADING_ARTICLE_SENTENCES]]


def term_weights(query: Query) -> dict[str, float]:
    """Each question term at its weight (full for its own words), each related term at its relation's weight."""
    weights = {term: query.weight(term) for term in query.terms}
    for related in query.expansions.values():
        for term, weight in related.items():
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def merge_near_duplicates(ranked: Sequence[Candidate], keep: int | None = None) -> list[Candidate]:
    """One candidate per distinct statement, best first, counting the other articles that carry it.

    Wire stories are reprinted and updated, so the same sentence often sits
    in several articles, sometimes with a word changed. The best-ranked copy
    stands for the group; copies from other articles become its support,
    copies from the same article are dropped. With ``keep``, only the first
    ``keep`` statements are returned (with all their support): callers that
    show a few need not pay for grouping hundreds.
    """
    groups: list[_Statement] = []
    for candidate in ranked:
        words = _words(candidate.passage.text)
        for group in groups:
            # Sets whose sizes differ by more than the threshold cannot reach it.
            if len(words) in group.reach and _jaccard(words, group.words) >= NEAR_DUPLICATE:
                group.add(candidate.passage)
                break
        else:
            if keep is None or len(groups) < keep:
                groups.append(_Statement(words, candidate))
    return [replace(group.leader, also_reported_by=tuple(group.others)) for group in groups]


def _words(text: str) -> frozenset[str]:
    """The distinct words (``\\w+``) of ``text``, lower-cased.

    In ASCII text the words are the runs of letters, digits and underscores:
    a byte translation and a split find them twice as fast as the regular
    expression, which text with other characters still goes through.
    """
    lowered = text.lower()
    if lowered.isascii():
        return frozenset(lowered.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split())
    return frozenset(_WORD.findall(lowered))


class _Statement:
    """A group of near-identical sentences: the best-ranked one, its words, and the other articles' copies."""

    __slots__ = ("words", "leader", "others", "reach")

    def __init__(self, words: frozenset[str], leader: Candidate) -> None:
        self.words = words
        self.leader = leader
        self.others: list[Passage] = []
        # The word counts a set may have and still overlap these words by
        # NEAR_DUPLICATE (a Jaccard index is at most smaller size / larger
        # size): computed once per group, it spares most comparisons.
        self.reach = _sizes_within_reach(len(words))

    def add(self, passage: Passage) -> None:
        """Count ``passage`` as support, unless its article already counts."""
        known = {self.leader.passage.article.article_id, *(other.article.article_id for other in self.others)}
        if passage.article.article_id not in known:
            self.others.append(passage)


def _sizes_within_reach(size: int) -> range:
    """The set sizes ``n`` for which ``min(n, size) >= NEAR_DUPLICATE * max(n, size)``."""
    fewest = size
    while fewest > 0 and fewest - 1 >= NEAR_DUPLICATE * size:
        fewest -= 1
    most = size
    while size >= NEAR_DUPLICATE * (most + 1):
        most += 1
    return range(fewest, most + 1)


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    shared = len(first & second)
    union = len(first) + len(second) - shared
    return shared / union if union else 1.0
