"""The learned part of ranking: a weight per feature, and a calibrated confidence.

The ranker is a linear model over :data:`retrieval.features.FEATURES`,
trained by :mod:`retrieval.train` on the WikiQA and TrecQA training splits to
put right sentences above wrong ones (pairwise logistic loss). A linear model
is enough for a dozen features, trains in seconds with numpy, and its weights
are a small JSON file anyone can read: ``retrieval/data/ranker.json``.

The same file holds the confidence calibration: a logistic curve from the
best candidate's evidence (its coverage of the question and its lead in
score over the runner-up) to the probability that it is right.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from retrieval.features import FEATURES

MODEL_FILE_NAME = "ranker.json"
# What confidence is computed from, in this order.
CONFIDENCE_INPUTS = ("coverage", "exact_coverage", "margin", "score")


@dataclass(frozen=True)
class RankingModel:
    """Feature weights for ranking and the coefficients of the confidence curve."""

    weights: Mapping[str, float]
    confidence: Mapping[str, float]

    @classmethod
    def load(cls, path: Path | None = None) -> RankingModel:
        """The model in ``path``, by default the one shipped with the package (cached)."""
        return _load_cached(path)

    @classmethod
    def from_json(cls, data: Mapping) -> RankingModel:
        unknown = set(data["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features in model: {sorted(unknown)}")
        return cls(dict(data["weights"]), dict(data["confidence"]))

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "weights": dict(self.weights), "confidence": dict(self.confidence)}

    @functools.cached_property
    def vector(self) -> np.ndarray:
        """Weights in :data:`FEATURES` order; a feature the model lacks weighs 0."""
        return np.array([self.weights.get(name, 0.0) for name in FEATURES])

    def scores(self, features: np.ndarray) -> np.ndarray:
        return features @ self.vector

    def probability(self, evidence: Mapping[str, float]) -> float:
        """The calibrated probability that the best candidate is right."""
        logit = self.confidence.get("bias", 0.0) + sum(
            self.confidence.get(name, 0.0) * evidence[name] for name in CONFIDENCE_INPUTS
        )
        return 1 / (1 + math.exp(-max(min(logit, 50.0), -50.0)))

    def without(self, *features: str) -> RankingModel:
        """This model with some features switched off (for ablations and tests)."""
        return RankingModel({n: w for n, w in self.weights.items() if n not in features}, self.confidence)


@functools.cache
def _load_cached(path: Path | None) -> RankingModel:
    source = path if path is not None else resources.files("retrieval") / "data" / MODEL_FILE_NAME
    return RankingModel.from_json(json.loads(source.read_text(encoding="utf-8")))
