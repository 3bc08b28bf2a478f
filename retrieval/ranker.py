"""The learned part of ranking: a score per candidate, and a calibrated confidence.

The ranker is gradient-boosted trees (LightGBM's lambdarank) over
:data:`retrieval.features.FEATURES`, trained by :mod:`retrieval.train` on
news questions over Reuters together with WikiQA and TrecQA. Trees were
chosen over the linear model that ranked before them by cross-validation on
the training questions (see the README, "Answer quality"): they can learn
that a lead sentence answers some kinds of question and not others, which a
single weight per feature cannot. The model and its confidence curve are one
JSON file, ``retrieval/data/ranker.json``, the trees as LightGBM's text,
which :mod:`retrieval.trees` evaluates without LightGBM.

A model may instead be linear (a weight per feature): training falls back
to it for ablations, and tests use it to rank by one feature alone.

The confidence is a logistic curve from the best candidate's evidence (its
coverage of the question and its lead in score over the runner-up) to the
probability that it is right, fitted on news answers.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from retrieval.features import FEATURES
from retrieval.trees import Forest

MODEL_FILE_NAME = "ranker.json"
# What confidence is computed from, in this order.
CONFIDENCE_INPUTS = ("coverage", "exact_coverage", "margin", "score")


@dataclass(frozen=True)
class RankingModel:
    """Scores candidates from their features, and turns the best one's evidence into a probability.

    ``trees`` (LightGBM's model text, reading the ``inputs`` columns) when
    present, else ``weights``, a linear weight per feature (missing: 0).
    ``switched_off`` features read as 0, as if the evidence were absent.
    """

    weights: Mapping[str, float]
    confidence: Mapping[str, float]
    trees: str | None = None
    inputs: tuple[str, ...] = ()
    switched_off: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def load(cls, path: Path | None = None) -> RankingModel:
        """The model in ``path``, by default the one shipped with the package (cached)."""
        return _load_cached(path)

    @classmethod
    def from_json(cls, data: Mapping) -> RankingModel:
        named = set(data.get("weights", {})) | set(data.get("inputs", ()))
        unknown = named - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features in model: {sorted(unknown)}")
        return cls(
            dict(data.get("weights", {})),
            dict(data["confidence"]),
            data.get("trees"),
            tuple(data.get("inputs", ())),
        )

    def to_json(self) -> dict:
        if self.trees is not None:
            return {"inputs": list(self.inputs), "confidence": dict(self.confidence), "trees": self.trees}
        return {"features": list(FEATURES), "weights": dict(self.weights), "confidence": dict(self.confidence)}

    @functools.cached_property
    def vector(self) -> np.ndarray:
        """Linear weights in :data:`FEATURES` order; a feature the model lacks weighs 0."""
        return np.array([0.0 if name in self.switched_off else self.weights.get(name, 0.0) for name in FEATURES])

    @functools.cached_property
    def _forest(self) -> Forest:
        return Forest.from_lightgbm(self.trees or "")

    @functools.cached_property
    def _input_columns(self) -> list[int]:
        return [FEATURES.index(name) for name in self.inputs]

    def scores(self, features: np.ndarray) -> np.ndarray:
        """One score per row of ``features`` (:data:`FEATURES` columns); higher is better."""
        if self.trees is None:
            return features @ self.vector
        if not len(features):
            return np.zeros(0)
        columns = features[:, self._input_columns]
        if self.switched_off:
            columns = columns.copy()
            columns[:, [n for n, name in enumerate(self.inputs) if name in self.switched_off]] = 0.0
        return self._forest.predict(columns)

    def probability(self, evidence: Mapping[str, float]) -> float:
        """The calibrated probability that the best candidate is right."""
        logit = self.confidence.get("bias", 0.0) + sum(
            self.confidence.get(name, 0.0) * evidence[name] for name in CONFIDENCE_INPUTS
        )
        return 1 / (1 + math.exp(-max(min(logit, 50.0), -50.0)))

    def without(self, *features: str) -> RankingModel:
        """This model with some features switched off (for ablations and tests)."""
        return replace(self, switched_off=self.switched_off | frozenset(features))

    def with_confidence(self, confidence: Mapping[str, float]) -> RankingModel:
        return replace(self, confidence=dict(confidence))


def uses(model: RankingModel) -> Sequence[str]:
    """The features ``model`` reads."""
    return model.inputs if model.trees is not None else tuple(name for name in FEATURES if name in model.weights)


@functools.cache
def _load_cached(path: Path | None) -> RankingModel:
    source = path if path is not None else resources.files("retrieval") / "data" / MODEL_FILE_NAME
    return RankingModel.from_json(json.loads(source.read_text(encoding="utf-8")))
