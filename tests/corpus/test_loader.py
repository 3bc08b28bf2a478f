"""The loader turns raw sources into clean articles."""

from __future__ import annotations

from datetime import UTC, datetime

import gzip
import json
import os
import re
from pathlib import Path

import pytest

from corpus.errors import UnreadableSource
from corpus.ingest import prepare
from corpus.loader import MALFORMED_LINES_NAMED, article_from_record, load_file, load_paths, parse_markdown, parse_plain_text, split_paragraphs
from corpus.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_be628776acd63ea0.txt"
REUTERS = ROOT.parent / "shared" / "data" / "reuters21578.jsonl.gz"


def test_seed_footer_gives_title_and_publisher_and_is_not_text():
    (article,) = load_file(SEED)
    assert article.title == "Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia"
    assert article.publisher == "Foreign Policy"
    assert article.article_id == "000_be628776acd63ea0"
    assert "appeared first on" not in article.text


def test_seed_boilerplate_is_dropped():
    (article,) = load_file(SEED)
    assert "ongoing coverage" not in article.text
    assert "Follow along here" not in article.text


def test_seed_repeated_paragraphs_are_kept_once():
    (article,) = load_file(SEED)
    assert article.text.count("U.S. Vice President J.D. Vance met with") == 1
    assert article.text.count("Kyiv needs “real security guarantees”") == 1
    assert len(article.paragraphs) == 5


def test_plain_text_without_footer_takes_a_headline_first_line_as_title():
    article = parse_plain_text("Rates Rise Again\n\nThe central bank raised rates.\nIt cited inflation.", "x")
    assert article.title == "Rates Rise Again"
    assert article.paragraphs == ("The central bank raised rates. It cited inflation.",)
    assert article.publisher is None


def test_plain_text_without_headline_falls_back_to_the_id():
    article = parse_plain_text("The central bank raised rates on Monday.", "file-7")
    assert article.title == "file-7"
    assert article.paragraphs == ("The central bank raised rates on Monday.",)


def test_any_feed_footer_is_recognised():
    article = parse_plain_text("Body text here.\nThe post Big News appeared first on Example Daily.", "a")
    assert (article.title, article.publisher) == ("Big News", "Example Daily")
    assert article.paragraphs == ("Body text here.",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One paragraph.\nAnother paragraph.", ["One paragraph.", "Another paragraph."]),
        ("wrapped\nline\n\nnext\npara", ["wrapped line", "next para"]),
        ("    first\nwrapped\n    second\nwrapped too", ["first wrapped", "second wrapped too"]),
        ("\n\n  \n", []),
        ("Colombia has opened export registrations\nfor November coffee shipments, trade sources said. No further\n"
         "details were available.",
         ["Colombia has opened export registrations for November coffee shipments, trade sources said. "
          "No further details were available."]),
        ("The New York Stock Exchange said\nMonarch Capital will not resume trading today.",
         ["The New York Stock Exchange said Monarch Capital will not resume trading today."]),
        ("Comex gold futures are expected to open\n1.50 to 2.00 dlrs higher.",
         ["Comex gold futures are expected to open 1.50 to 2.00 dlrs higher."]),
        ("Dam Opens\nThe new dam opened on Sunday.", ["Dam Opens", "The new dam opened on Sunday."]),
        ("MINNEAPOLIS WHEAT\n MAY7 284 1/2  UP 1\n JUL7 280 1/4  OFF 1/2",
         ["MINNEAPOLIS WHEAT", "MAY7 284 1/2  UP 1", "JUL7 280 1/4  OFF 1/2"]),
    ],
    ids=["line-per-paragraph", "blank-separated", "indented-newswire", "blank", "one-wrapped-wire-paragraph",
         "wrapped-after-a-word-no-sentence-ends-on", "wrapped-before-a-number", "headline-above-its-story",
         "table-rows"],
)
def test_paragraph_layouts(text, expected):
    assert split_paragraphs(text) == expected


def test_markdown_heading_is_the_title_and_markup_is_removed():
    article = parse_markdown("# Markets *Rally*\n\nStocks **rose** after [the report](http://x.y).\n", "m")
    assert article.title == "Markets Rally"
    assert article.paragraphs == ("Stocks rose after the report.",)


def _write_jsonl(path: Path, records: list[dict], *, gzipped: bool) -> None:
    text = "\n".join(json.dumps(record) for record in records) + "\n"
    if gzipped:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")


REUTERS_RECORD = {
    "id": "reuters-2",
    "date": "1987-02-26T15:02:20",
    "title": "Standard Oil <Srd> To Form Financial Unit",
    "dateline": "CLEVELAND, Feb 26",
    "body": "Standard Oil Co and BP North America\nInc said they plan to form a venture.\n"
    "    The venture will be called BP/Standard\nFinancial Trading.\n Reuter\n",
    "topics": [],
    "places": ["usa"],
}


@pytest.mark.parametrize("gzipped", [False, True], ids=["jsonl", "jsonl.gz"])
def test_jsonl_records_become_articles(tmp_path, gzipped):
    path = tmp_path / ("news.jsonl.gz" if gzipped else "news.jsonl")
    _write_jsonl(path, [REUTERS_RECORD], gzipped=gzipped)
    (article,) = load_file(path)
    assert article.article_id == "reuters-2"
    assert article.published == datetime(1987, 2, 26, 15, 2, 20, tzinfo=UTC)
    assert article.title == "Standard Oil <SRD> To Form Financial Unit"
    assert article.paragraphs == (
        "Standard Oil Co and BP North America Inc said they plan to form a venture.",
        "The venture will be called BP/Standard Financial Trading.",
    )


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Fed'S Policy Ease May End With 2Nd Qtr Rate Cut", "Fed's Policy Ease May End With 2nd Qtr Rate Cut"),
        ("Int'L Paper <Ip> Won'T Bid For 1St Time", "Int'l Paper <IP> Won't Bid For 1st Time"),
        ("O'Neill Says Rock 'N' Roll Sales Up In 1986", "O'Neill Says Rock 'N' Roll Sales Up In 1986"),
    ],
)
def test_a_wire_title_loses_the_marks_of_title_casing_and_keeps_its_names(title, shown):
    assert article_from_record(dict(REUTERS_RECORD, title=title)).title == shown


@pytest.mark.parametrize("signature", ["\n Reuter\n", "\n REUTER^M", "\nREUTER...^M", " REUTER", "\n reuter", "\nReuter..."])
def test_the_wire_signature_is_not_quoted_in_any_of_its_spellings(signature):
    record = dict(REUTERS_RECORD, body="The venture will be run\nfrom Cleveland." + signature)
    assert article_from_record(record).paragraphs == ("The venture will be run from Cleveland.",)


@pytest.mark.parametrize(
    ("record", "reason"),
    [([1, 2], "not a JSON object"), ("text", "not a JSON object"), ({"body": "Fine."}, "it has no id"),
     ({"id": "a", "body": None}, "its body is missing or not text"), ({"id": "a", "body": 5}, "its body is missing or not text")],
)
def test_a_record_that_is_not_an_article_says_why(record, reason):
    with pytest.raises(ValueError, match=reason):
        article_from_record(record)


def test_optional_fields_of_the_wrong_type_are_left_out_not_guessed():
    article = article_from_record({"id": 7, "title": 5, "date": 1987, "publisher": ["x"], "url": {}, "body": "Fine."})
    assert (article.article_id, article.title, article.published, article.publisher, article.url) == (
        "7", "7", None, "Reuters", None)


def test_a_jsonl_file_that_begins_with_a_byte_order_mark_keeps_its_first_record(tmp_path):
    path = tmp_path / "wires.jsonl"
    records = [{"id": f"r{n}", "title": f"Story {n}", "body": f"Story number {n} happened."} for n in (1, 2)]
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(json.dumps(record).encode() for record in records) + b"\r\n")
    assert [article.article_id for article in load_file(path)] == ["r1", "r2"]


def test_half_an_emoji_escaped_in_a_jsonl_record_reads_as_a_replacement_character_and_the_article_can_be_stored(tmp_path):
    # "\ud83d" alone: an emoji cut in two by a program that counts UTF-16 units. SQLite refuses such a string.
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "p1", "title": "Fans cheer \\ud83d", "body": "The team won the cup on Sunday \\udc4f."}\n',
                    encoding="utf-8")
    (article,) = load_file(path)
    assert (article.title, article.paragraphs) == ("Fans cheer \ufffd", ("The team won the cup on Sunday \ufffd.",))
    prepared = prepare(article)
    with Store.open(":memory:") as store:
        store.add_article(article, prepared.sentences, prepared.content_hash)
        assert store.article("p1").article.title == "Fans cheer \ufffd"


def test_a_malformed_jsonl_line_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text('{"id": "a", "body": "Fine."}\n{not json\n{"no_id": 1}\n[1, 2]\n{"id": "b", "date": 5, "body": null}\n'
                    '{"id": "c", "date": 5, "body": "Also fine."}\n', encoding="utf-8")
    assert [article.article_id for article in load_file(path)] == ["a", "c"]


def test_the_first_malformed_jsonl_lines_are_named_and_the_rest_counted_in_one_line(tmp_path, caplog):
    path = tmp_path / "news.jsonl"
    path.write_text("{not json\n" * 1000 + '{"id": "a", "body": "Fine."}\n', encoding="utf-8")
    assert [article.article_id for article in load_file(path)] == ["a"]
    assert len(caplog.messages) == MALFORMED_LINES_NAMED + 1
    assert caplog.messages[0].startswith(f"{path}:1: skipped a malformed record")
    assert caplog.messages[-1] == f"{path}: skipped {1000 - MALFORMED_LINES_NAMED:,} more malformed records"


def test_a_jsonl_file_of_malformed_lines_only_is_refused_as_a_whole(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text('{not json\n\n{"no_id": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(UnreadableSource, match="news.jsonl holds no readable record: none of its 3 lines is a JSON object"):
        list(load_file(path))


def test_a_jsonl_file_of_one_malformed_line_is_refused_in_words_for_one(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text('{"no_id": 1}\n', encoding="utf-8")
    with pytest.raises(UnreadableSource, match="news.jsonl holds no readable record: its one line is not a JSON object"):
        list(load_file(path))


FERRY = "Ferry fares\n\nThe ferry company said fares would rise by 10% in March.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_text_file_is_read_in_utf8_or_in_a_utf_its_byte_order_mark_names(tmp_path, encoding):
    data = FERRY.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # as Windows and macOS write it: the mark, then the text
    path = tmp_path / "ferry.txt"
    path.write_bytes(data)
    [article] = load_file(path)
    assert (article.title, article.paragraphs) == ("Ferry fares", ("The ferry company said fares would rise by 10% in March.",))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "ferry.txt looks like a binary file, not text"),
        ("Café".encode("latin-1"), "ferry.txt is not UTF-8 text (byte 3 is not valid UTF-8)"),
        (b"\xff\xfe" + b"\x00\xd8a\x00", "ferry.txt is not UTF-16 text though it begins like it (byte 2 is not valid)"),
    ],
)
def test_other_bytes_are_refused_with_the_reason(tmp_path, data, reason):
    path = tmp_path / "ferry.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableSource, match=re.escape(reason)):
        list(load_file(path))


@pytest.mark.parametrize("name, text", [
    ("symbols.txt", "<&" * 5000 + "\n"),
    ("rules.md", "# ***\n\n---\n\n> <<< & >>>\n"),
    ("blank.txt", "\n \n\t\n"),
], ids=["< and & alone", "markdown of rules and symbols", "blank lines"])
def test_a_file_without_a_word_in_it_has_no_text_to_quote_from(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableSource, match=re.escape(f"{name} has no text to quote from")):
        list(load_file(path))


def test_a_file_of_symbols_around_words_keeps_them_as_written(tmp_path):
    path = tmp_path / "code.txt"
    path.write_text('The cat said "a < b && c > d" loudly. <<<<>>>>&&&&& &amp; &lt;\n', encoding="utf-8")
    [article] = load_file(path)
    assert article.paragraphs == ('The cat said "a < b && c > d" loudly. <<<<>>>>&&&&& &amp; &lt;',)


def test_a_device_or_a_pipe_named_as_a_document_is_refused_before_it_is_read(tmp_path):
    # --ingest or --corpus of a named pipe nobody writes to would wait forever; /dev/null stands for it.
    device = tmp_path / "news.txt"
    device.symlink_to("/dev/null")
    with pytest.raises(UnreadableSource, match="^news.txt is a device or a pipe, not a file"):
        list(load_file(device))


def test_folders_load_recursively_and_skip_unsupported_files(tmp_path):
    (tmp_path / "nested").mkdir()
    (tmp_path / "a.txt").write_text("Alpha text.", encoding="utf-8")
    (tmp_path / "nested" / "b.md").write_text("# Beta\n\nBeta text.", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert [article.title for article in load_paths([tmp_path])] == ["a", "Beta"]


def test_a_folder_s_unreadable_files_are_skipped_each_with_a_warning_naming_it(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("Alpha text.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"GIF89a\x00\x01")
    (tmp_path / "c.md").write_text("# Gamma\n\nGamma text.", encoding="utf-8")
    assert [article.title for article in load_paths([tmp_path])] == ["a", "Gamma"]
    assert caplog.messages == [f"Skipped {tmp_path / 'b.txt'}: b.txt looks like a binary file, not text"]


def test_an_unreadable_file_named_directly_is_an_error(tmp_path):
    path = tmp_path / "b.txt"
    path.write_bytes(b"GIF89a\x00\x01")
    with pytest.raises(UnreadableSource, match="b.txt looks like a binary file"):
        list(load_paths([path]))


def test_an_unsupported_file_named_directly_is_an_error(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(UnreadableSource, match="x.pdf is not a file type Lede reads"):
        list(load_file(path))


@pytest.mark.skipif(not REUTERS.exists(), reason=f"shared Reuters data not found at {REUTERS}")
def test_the_whole_shared_reuters_corpus_loads():
    articles = list(load_file(REUTERS))
    assert len(articles) == 19043
    assert len({article.article_id for article in articles}) == 19043
    assert not any(article.text.rstrip().lower().endswith(("reuter", "reuter...", "reuter^m")) for article in articles)


def _locked(monkeypatch, locked: Path) -> None:
    """Reading ``locked`` fails as a file without read permission does (tests run as root, who may read anything)."""
    read_bytes = Path.read_bytes

    def guarded(path: Path) -> bytes:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", guarded)


def test_a_folder_s_file_that_may_not_be_read_is_skipped_with_a_warning_naming_it(tmp_path, monkeypatch, caplog):
    (tmp_path / "a.txt").write_text("Alpha text.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Beta text.", encoding="utf-8")
    _locked(monkeypatch, tmp_path / "b.txt")
    assert [article.title for article in load_paths([tmp_path])] == ["a"]
    assert caplog.messages == [f"Skipped {tmp_path / 'b.txt'}: b.txt could not be read (Permission denied)"]


def test_a_folder_s_link_to_nothing_is_skipped_with_a_warning_naming_where_it_leads(tmp_path, caplog):
    # A link to a file on a volume not mounted was passed over without a word.
    (tmp_path / "a.txt").write_text("Alpha text.", encoding="utf-8")
    (tmp_path / "b.txt").symlink_to(tmp_path / "volume" / "b.txt")
    assert [article.title for article in load_paths([tmp_path])] == ["a"]
    assert caplog.messages == [f"Skipped {tmp_path / 'b.txt'}: b.txt is a link to {tmp_path / 'volume' / 'b.txt'}, "
                               "which does not exist"]


def test_a_folder_s_named_pipe_or_device_is_skipped_with_a_warning_naming_it(tmp_path, caplog):
    # Named alone it was refused with a reason; in a folder it was passed over without a word (a link to a device
    # was said to lead to something that "does not exist").
    (tmp_path / "a.txt").write_text("Alpha text.", encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")
    (tmp_path / "c.txt").symlink_to("/dev/null")
    assert [article.title for article in load_paths([tmp_path])] == ["a"]
    assert caplog.messages == [f"Skipped {tmp_path / name}: {name} is a device or a pipe, not a file; save what it "
                               "gives to a file and give that" for name in ("b.txt", "c.txt")]


def test_a_file_named_directly_that_may_not_be_read_is_an_error(tmp_path, monkeypatch):
    path = tmp_path / "b.txt"
    path.write_text("Beta text.", encoding="utf-8")
    _locked(monkeypatch, path)
    with pytest.raises(UnreadableSource, match=r"b.txt could not be read \(Permission denied\)"):
        list(load_paths([path]))
