"""Question analysis: the answer type a question expects, and who it attributes the answer to."""

from __future__ import annotations

import pytest

from retrieval.question import (
    AnswerType,
    asked_things,
    continues,
    expected_answer,
    points_back,
    question_words,
    sentence_holds,
    spells_out,
    split_attribution,
    without_measure_word,
    without_reporting_verb,
)


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("Who did Vance meet?", AnswerType.PERSON),
        ("which japanese oil company had the biggest share?", AnswerType.PERSON),
        ("How long was Trump's call with Putin?", AnswerType.DURATION),
        ("how long has peru's gasoline price been frozen?", AnswerType.DURATION),
        ("how much does the IEA expect demand to grow?", AnswerType.NUMBER),
        ("what inflation rate does ANZ forecast?", AnswerType.NUMBER),
        ("When did the Titanic sink?", AnswerType.DATE),
        ("how soon will the bridge open?", AnswerType.DATE),
        ("in which papua new guinea province is the gold field?", AnswerType.PLACE),
        ("Why did Spain cut its forecast?", AnswerType.REASON),
        ("what prompted kaunda to order cheaper prices?", AnswerType.REASON),
        ("what was the purpose of the EC's tax on Spanish maize?", AnswerType.REASON),
        ("what does tietmeyer blame for the weaker growth?", AnswerType.REASON),
        ("What made up the package?", AnswerType.OTHER),
        ("what did commerce official bruce smart say?", AnswerType.STATEMENT),
        ("What did Zelensky demand?", AnswerType.STATEMENT),
        ("what did vance tell him?", AnswerType.STATEMENT),
        ("What did the company buy?", AnswerType.OTHER),
        ("Did Opec agree to cut output?", AnswerType.YES_NO),
        ("could the strike spread to other ports?", AnswerType.YES_NO),
        ("is the gasoline price still frozen?", AnswerType.YES_NO),
        ("Where did Vance meet Zelensky?", AnswerType.PLACE),
        ("how many tonnes did China buy?", AnswerType.NUMBER),
    ],
)
def test_the_expected_answer_type_comes_from_the_question_words(question, answer_type):
    assert expected_answer(question) is answer_type


@pytest.mark.parametrize(
    ("answer_type", "holds", "lacks"),
    [
        (AnswerType.NUMBER, "Output fell 4.5 pct.", "Output fell."),
        (AnswerType.DATE, "It sank in April 1912.", "It sank quickly."),
        (AnswerType.DATE, "The price stays frozen until the new budget passes.", "The price stays frozen."),
        (AnswerType.DATE, "Erbynn will present the rules early tomorrow.", "Erbynn will present the rules."),
        (AnswerType.DURATION, "The price has been frozen since August 1985.", "The price rose 20 pct in 1985."),
        (AnswerType.DURATION, "The call lasted two hours.", "The call was on 12 February."),
        (AnswerType.REASON, "It fell because exports slowed.", "It fell sharply."),
        (AnswerType.REASON, "It cut prices in a bid to win back customers.", "It cut prices by 5 pct."),
        (AnswerType.REASON, "Shares fell after the profit warning.", "Shares fell 5 pct."),
        (AnswerType.REASON, "The aim of the tax was to stop re-exports.", "The tax was 10 pct."),
        (AnswerType.REASON, "The rally was triggered by lower rates.", "The rally lasted a day."),
        (AnswerType.STATEMENT, "Kyiv needs real guarantees, Zelensky told Vance.", "Zelensky met Vance in Munich."),
        (AnswerType.STATEMENT, "“We will not cut output,” the minister said.", "The minister left Vienna."),
        (AnswerType.STATEMENT, "Zelensky said he would not speak with Putin.", "That may be easier said than done."),
        (AnswerType.STATEMENT, "The bank that said it would sell the unit cut rates.", "That said, the bank cut rates."),
        (AnswerType.PLACE, "The talks were held in Vienna.", "The talks were held on time."),
        (AnswerType.PLACE, "Zelensky met Vance at the Munich conference.", "Zelensky told Vance on Friday."),
        (AnswerType.PLACE, "Vance met him on the sidelines of the Munich conference.", "Vance met him on the sidelines."),
        (AnswerType.PLACE, "Shells fell on the outskirts of Kyiv.", "Shells fell on the outskirts."),
        (AnswerType.PERSON, "Opec met, said Subroto.", "Opec met, the minister said."),
    ],
)
def test_a_sentence_holds_an_answer_of_the_expected_type(answer_type, holds, lacks):
    known = question_words("where did Opec meet?")
    assert sentence_holds(answer_type, holds, known)
    assert not sentence_holds(answer_type, lacks, known)


def test_a_name_the_question_already_gives_is_not_an_answer():
    assert not sentence_holds(AnswerType.PERSON, "Opec met, said Vance.", question_words("Who did Vance meet?"))
    assert not sentence_holds(AnswerType.PLACE, "Vance spoke in Munich.", question_words("Where in Munich did Vance speak?"))


def test_a_day_of_the_week_is_neither_a_person_nor_a_place():
    known = question_words("Who did Vance meet?")
    assert not sentence_holds(AnswerType.PERSON, "Vance met him on Friday.", known)
    assert not sentence_holds(AnswerType.PLACE, "Vance met him on Friday.", known)


@pytest.mark.parametrize(
    ("question", "core", "attribution"),
    [
        ("why has demand weakened, according to the DIW?", "why has demand weakened?", "the DIW"),
        ("what did minister bangemann say about handouts?", "what did  say about handouts?", "minister bangemann"),
        ("what did Zelensky demand?", "what did Zelensky demand?", ""),
    ],
)
def test_the_attribution_is_split_from_the_question(question, core, attribution):
    assert split_attribution(question) == (core, attribution)


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("What did Zelensky say?", "What did Zelensky ?"),
        ("what did Zelenskyy tell Vance?", "what did Zelenskyy  Vance?"),
        ("what did minister bangemann say about handouts?", "what did minister bangemann  about handouts?"),
        # Only the verb that asks for a statement goes: "demand" says what was said.
        ("what did Zelensky demand?", "what did Zelensky demand?"),
        ("who said the talks would fail?", "who said the talks would fail?"),
        ("what did the report say?", "what did the report ?"),
    ],
)
def test_the_verb_that_asks_for_a_statement_is_not_a_word_to_search_for(question, searched):
    assert without_reporting_verb(question) == searched


@pytest.mark.parametrize(
    ("question", "things"),
    [
        ("What concessions did Trump offer Putin?", "concessions"),
        ("what new measures has the government announced", "measures"),
        ("Which countries have joined NATO?", "countries"),
        ("What are the concessions?", "concessions"),
        ("what were the main concessions Trump offered?", "concessions"),
        ("What is the plan?", None),
        ("What did Zelensky demand?", None),
        ("What caused the crash?", None),
        ("How long was the call?", None),
    ],
)
def test_asked_things_are_the_noun_a_what_question_asks_for(question, things):
    assert asked_things(question) == things


@pytest.mark.parametrize(
    ("question", "alone", "in_a_conversation"),
    [
        ("what concessions?", None, "concessions"),
        ("And which measures?", None, "measures"),
        ("What concessions did Trump offer Putin?", "concessions", "concessions"),
        ("what did he say?", None, None),
    ],
)
def test_a_bare_what_things_question_asks_for_them_only_in_a_conversation(question, alone, in_a_conversation):
    assert asked_things(question) == alone
    assert asked_things(question, bare=True) == in_a_conversation


@pytest.mark.parametrize(
    ("sentence", "lists"),
    [
        ("These included Ukraine potentially giving up some of its territory.", True),
        ("They include a tax cut.", True),
        ("The measures include cheaper loans.", True),
        ("Among them were two banks.", True),
        ("These rises were balanced by a fall in reserves.", False),
        ("He said the talks would go on.", False),
    ],
)
def test_a_sentence_spells_out_the_one_before_when_it_opens_by_listing(sentence, lists):
    assert spells_out(sentence) is lists


@pytest.mark.parametrize(
    ("sentence", "pointing"),
    [
        ("It downgraded 50 companies.", True),
        ("He said the bill would save 24 billion dlrs.", True),
        ("“They will not cut output,” he said.", True),
        ("“We want peace, not a pause,” she said on Friday.", True),
        ("“We want peace,” Zelensky said.", False),
        ("These included a cut in fuel duty.", True),
        ("The company said it would cut output.", False),  # names what it speaks of
        ("Hewlett said output would fall.", False),  # "He" only as the start of a word
        ("", False),
    ],
)
def test_a_sentence_points_back_when_it_opens_with_a_pronoun_for_what_came_before(sentence, pointing):
    assert points_back(sentence) is pointing


@pytest.mark.parametrize(
    ("sentence", "carrying_on"),
    [
        ("He said the bill would save 24 billion dlrs.", True),
        ("These included a cut in fuel duty.", True),
        ("The company said it would cut output.", True),
        ("But the bank kept its rates.", True),
        ("Government spending rose 5 pct.", False),  # a subject of its own, not one named before
        ("Shares fell 5 pct.", False),
        ("", False),
    ],
)
def test_a_sentence_carries_on_from_the_one_before_when_its_first_word_points_back(sentence, carrying_on):
    assert continues(sentence) is carrying_on


@pytest.mark.parametrize(("question", "about"), [
    ("how much?", "how ?"), ("How many, the second?", "How , the second?"), ("how long?", "how ?"),
    ("how soon?", "how ?"),
    ("how much did the bridge cost?", "how  did the bridge cost?"), ("why is it so much?", "why is it so much?"),
])
def test_the_word_saying_what_how_measures_is_no_subject_of_the_question(question, about):
    assert without_measure_word(question) == about
