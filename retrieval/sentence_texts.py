"""Sentence texts kept compressed, each readable on its own in a few microseconds.

Texts are the largest part of a big index (150 MB of a million sentences),
and answers read a few hundred of them at random. Compressing sentences one
by one keeps every read independent, but a sentence is too short for zlib to
find repeats within it; so each is compressed against a preset dictionary
(zlib's ``zdict``): the index's own first ~32 KB of text, which are stored
raw and so cost nothing extra. Raw deflate streams (no header or checksum,
which would be a tenth of a compressed sentence) come out about half the size
of the text; a read costs ~3 µs, writing ~20 µs. Below 32 KB of text nothing
is compressed. An answer reads each of its candidates two or three times
(ranking, features, grouping), so the last few thousand texts read are kept.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Mapping

import numpy as np

# zlib reads at most its window (32 KB) of a preset dictionary.
DICTIONARY_BYTES = 1 << 15
_RAW_DEFLATE = -15  # window bits: 32 KB window, no zlib header or checksum
# Texts kept after a read: several answers' candidates, well under a megabyte.
RECENT_TEXTS = 4096


class SentenceTexts:
    """Append-only texts by number: the first form the dictionary, the rest are compressed with it."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")
        self._dictionary_sentences = 0  # how many leading texts are the raw dictionary
        self._compressor: zlib._Compress | None = None
        self._decompressor: zlib._Decompress | None = None
        self._recent: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._ends)

    def append(self, text: str) -> None:
        encoded = text.encode("utf-8")
        if self._compressor is None:
            self._data += encoded
            self._dictionary_sentences += 1
            if len(self._data) >= DICTIONARY_BYTES:
                self._seal(bytes(self._data))
        else:
            # Copying a primed compressor is ~3× cheaper than priming a new one.
            compressor = self._compressor.copy()
            self._data += compressor.compress(encoded)
            self._data += compressor.flush()
        self._ends.append(len(self._data))

    def __getitem__(self, number: int) -> str:
        text = self._recent.get(number)
        if text is None:
            start = self._ends[number - 1] if number else 0
            stored: bytes | bytearray = self._data[start : self._ends[number]]
            if number >= self._dictionary_sentences:
                assert self._decompressor is not None  # texts past the dictionary are only written once it is sealed
                stored = self._decompressor.copy().decompress(stored)
            text = stored.decode("utf-8")
            if len(self._recent) == RECENT_TEXTS:
                self._recent.clear()
            self._recent[number] = text
        return text

    def _seal(self, dictionary: bytes) -> None:
        """Make ``dictionary`` (the texts so far) the one every later text is compressed with."""
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, _RAW_DEFLATE, zdict=dictionary)
        self._decompressor = zlib.decompressobj(_RAW_DEFLATE, zdict=dictionary)

    def export(self) -> dict[str, np.ndarray]:
        return {
            "text": np.frombuffer(self._data, dtype=np.uint8),
            "text_ends": np.frombuffer(self._ends, dtype=np.int64),
            "text_dictionary_sentences": np.array([self._dictionary_sentences]),
        }

    @classmethod
    def restore(cls, state: Mapping[str, np.ndarray]) -> SentenceTexts:
        texts = cls()
        texts._data = bytearray(state["text"])
        texts._ends = array("q", state["text_ends"].tobytes())
        texts._dictionary_sentences = int(state["text_dictionary_sentences"][0])
        dictionary_end = texts._ends[texts._dictionary_sentences - 1] if texts._dictionary_sentences else 0
        if dictionary_end >= DICTIONARY_BYTES:
            texts._seal(bytes(texts._data[:dictionary_end]))
        return texts
