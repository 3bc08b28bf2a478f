"""NLTK loads without scipy (0.9 s and ~90 MB at every start), and scipy stays importable for whoever wants it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(importlib.util.find_spec("scipy") is None,
                                reason="scipy is not installed here, so there is nothing for NLTK to import")


def python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_lede_text_analysis_loads_nltk_without_scipy():
    loaded = python("import sys, corpus.sentences, retrieval.text\n"
                    "print(sorted(name for name in sys.modules if name.split('.')[0] == 'scipy'))")
    assert loaded == "[]"


def test_scipy_imports_as_usual_afterwards():
    assert python("import corpus.sentences, scipy.stats\nprint(scipy.stats.norm.cdf(0))") == "0.5"
