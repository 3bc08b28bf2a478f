"""NLTK, imported without the scipy it does not need for what Lede uses of it.

Importing anything from NLTK runs its package ``__init__``, which imports
``scipy.stats`` whenever scipy is installed, for collocation measures Lede
never uses: 0.9 s and ~90 MB at every start, on the many machines where
something else brought scipy along (Lede's own install does not). NLTK falls
back quietly when scipy is missing, so scipy is hidden from it while the
package loads, unless scipy was imported already (hiding it would then save
nothing). Everything imported afterwards, NLTK or not, sees scipy as usual.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def nltk_module(name: str) -> ModuleType:
    """``nltk.<name>`` (e.g. ``"tokenize.punkt"``), the NLTK package first loaded without scipy."""
    if "nltk" not in sys.modules:
        hidden = "scipy" not in sys.modules
        if hidden:
            sys.modules["scipy"] = None  # type: ignore[assignment]  # then "import scipy" raises ImportError
        try:
            importlib.import_module("nltk")
        finally:
            if hidden:
                del sys.modules["scipy"]
    return importlib.import_module(f"nltk.{name}")
