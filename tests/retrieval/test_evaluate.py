"""The evaluator: standard metrics, the datasets' formats, and a run on a slice of real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.datasets import read_news_questions, read_trecqa, read_wikiqa
from retrieval.evaluate import average_precision, main, reciprocal_rank

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"

WIKIQA = (
    "QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel\n"
    "Q1\twhen did the titanic sink?\tD1\tRMS Titanic\tD1-0\tRMS Titanic was a British liner that sank in 1912 .\t1\n"
    "Q1\twhen did the titanic sink?\tD1\tRMS Titanic\tD1-1\tThe ship was built in Belfast .\t0\n"
    "Q2\twho built the titanic?\tD1\tRMS Titanic\tD1-0\tRMS Titanic was a British liner that sank in 1912 .\t0\n"
    "Q2\twho built the titanic?\tD1\tRMS Titanic\tD1-1\tThe ship was built in Belfast .\t0\n"
)
TRECQA = (
    "qtext,label,atext\n"
    "Who wrote Hamlet ?,1,Hamlet was written by Shakespeare .\n"
    "Who wrote Hamlet ?,0,Hamlet is a play .\n"
    "Who wrote Hamlet ?,0,Hamlet is a play .\n"
)


def test_average_precision_and_reciprocal_rank():
    assert average_precision([False, True, False, True]) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert reciprocal_rank([False, False, True]) == pytest.approx(1 / 3)
    assert average_precision([False]) == reciprocal_rank([]) == 0.0


def test_wikiqa_documents_become_articles_and_questions_keep_their_labels(tmp_path):
    path = tmp_path / "wikiqa.tsv"
    path.write_text(WIKIQA, encoding="utf-8")
    data = read_wikiqa(path)
    assert [(article.article_id, article.title, sentences) for article, sentences in data.articles] == [
        ("D1", "RMS Titanic", ("RMS Titanic was a British liner that sank in 1912 .", "The ship was built in Belfast ."))
    ]
    first, second = data.questions
    assert first.labels == {("D1", 0): True, ("D1", 1): False}
    assert first.answerable and not second.answerable


def test_trecqa_sentences_are_articles_once_each_and_clean_questions_need_both_labels(tmp_path):
    path = tmp_path / "trecqa.csv"
    path.write_text(TRECQA, encoding="utf-8")
    data = read_trecqa(path)
    assert len(data.articles) == 2
    assert data.questions[0].mixed


def test_the_json_figures_are_the_last_line(tmp_path, capsys):
    path = tmp_path / "wikiqa.tsv"
    path.write_text(WIKIQA, encoding="utf-8")
    main(["wikiqa", str(path), "--json"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["questions"] == 1
    assert set(result["rerank"]) == set(result["baseline"]["rerank"]) == {"map", "mrr", "p_at_1"}
    assert set(result["open"]) == set(result["baseline"]["open"]) == {"p_at_1", "mrr"}
    assert result["rerank"]["p_at_1"] == 1.0
    assert result["answer_triggering"]["questions"] == 2


@pytest.mark.skipif(not (SHARED / "wikiqa" / "WikiQA-dev.tsv").exists(), reason="shared WikiQA data not present")
def test_on_a_slice_of_wikiqa_dev_lede_ranks_above_plain_bm25(tmp_path, capsys):
    lines = (SHARED / "wikiqa" / "WikiQA-dev.tsv").read_text(encoding="utf-8").splitlines()[:1001]
    path = tmp_path / "slice.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    main(["wikiqa", str(path), "--json"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["rerank"]["map"] > result["baseline"]["rerank"]["map"]
    assert result["open"]["p_at_1"] > result["baseline"]["open"]["p_at_1"]


@pytest.mark.skipif(not (SHARED / "newsqa").exists(), reason="shared news questions not present")
def test_news_questions_name_their_article_and_an_answer_span():
    questions = read_news_questions(SHARED / "newsqa" / "reuters-qa-dev.jsonl")
    assert len(questions) == 40
    for question in questions:
        assert question.is_answered_by(question.article_id, question.answer_sentence)
        assert not question.is_answered_by("another-article", question.answer_sentence)
