"""The index saved beside the store, so a restart reads arrays instead of analysing every sentence.

A snapshot is one ``.npz`` file of numpy arrays (see
:meth:`SentenceIndex.export`). It is trusted only when it was built by the
same analysis (the analyzer's fingerprint) over articles that are still the
first ones of the store, in order, none of them replaced since (the store's
count of replacements, ``generation``); anything else is rebuilt from the store.
It is written to a temporary file and renamed, so a crash mid-write leaves
the previous snapshot, never a torn one.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.article import Article
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer

log = logging.getLogger(__name__)

FORMAT = 5
# Words and their terms travel as newline-separated UTF-8: a word holds no whitespace, and a term
# that would (none does today) is left out.
_SEPARATOR = "\n"


def save_snapshot(index: SentenceIndex, path: Path, generation: int = 0) -> None:
    """Write ``index`` to ``path`` atomically."""
    state = index.export()
    state["format"] = np.array([FORMAT])
    state["generation"] = np.array([generation])
    state["fingerprint"] = _text_array(index.analyzer.fingerprint)
    known = {word: term for word, term in index.analyzer.known_terms().items() if len(term.split()) == 1}
    state["known_words"] = _text_array(_SEPARATOR.join(known))
    state["known_terms"] = _text_array(_SEPARATOR.join(known.values()))
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        # No pickles, as load_snapshot reads it back; named, the flag is also no array's name to mypy.
        np.savez(handle, allow_pickle=False, **state)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def load_snapshot(
    path: Path, analyzer: Analyzer, articles: Sequence[Article], generation: int = 0
) -> SentenceIndex | None:
    """The saved index, if valid for ``analyzer`` and a prefix of ``articles`` at ``generation``; else None.

    The caller indexes ``articles`` beyond the snapshot's own (added since it
    was saved) as usual.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            state = {name: data[name] for name in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        log.warning("Ignoring unreadable index snapshot %s: %s", path, error)
        return None
    try:
        if int(state["format"][0]) != FORMAT:
            log.info("Index snapshot %s has another layout (format %s); rebuilding", path, int(state["format"][0]))
            return None
        if _text(state["fingerprint"]) != analyzer.fingerprint:
            log.info("Index snapshot %s was built by another analysis; rebuilding", path)
            return None
        saved_generation = int(state["generation"][0]) if "generation" in state else 0
        if saved_generation != generation:
            log.info("Index snapshot %s predates an article's replacement; rebuilding", path)
            return None
        saved_ids = SentenceIndex.exported_article_ids(state)
        if [article.article_id for article in articles[: len(saved_ids)]] != saved_ids:
            log.info("Index snapshot %s does not match the store; rebuilding", path)
            return None
        restored = SentenceIndex.restore(analyzer, state, list(articles[: len(saved_ids)]))
        words, terms = (_text(state[name]).split() for name in ("known_words", "known_terms"))
        analyzer.learn_terms(dict(zip(words, terms, strict=True)))
        return restored
    except (KeyError, ValueError, UnicodeDecodeError) as error:
        log.warning("Ignoring malformed index snapshot %s: %s", path, error)
        return None
