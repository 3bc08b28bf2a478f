"""Keeping the garbage collector's full passes short in a long-running bot.

CPython's cyclic collector now and then walks every container object the
process holds, all threads waiting meanwhile. After loading a day of news
that is ~120,000 objects (articles, their tuples, the vocabulary), and a
full pass measured 60 ms idle and 140 to 290 ms while a briefing and an
upload ran: a pause every asking chat waited through at once. Everything
loaded at start lives until the bot stops, so it is moved out of the
collector's sight once (:func:`gc.freeze`); later passes walk only what
was made since.
"""

from __future__ import annotations

import gc


def settle_loaded_objects() -> None:
    """Collect the garbage left from loading, then exempt every object left from later collections."""
    gc.collect()
    gc.freeze()
