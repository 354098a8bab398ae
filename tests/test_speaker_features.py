"""The speaker features' names and the model's scores, which are worked out once per
combination and cached: a cached one must be the one worked out afresh."""

from __future__ import annotations

from newsarchive.extract.attribution import Model
from newsarchive.extract.speaker_features import Features, _named

WEIGHTS = {
    "frame=before:name": 0.5,
    "verb_after=said": 0.25,
    "frame=before:name|verb_after=said": 1.0,
    "near=1": -0.5,
    "near=3": 2.0,
    "before:name|near=1|verb_after=said": 4.0,
}


def _plain_score(features: Features) -> float:
    """Bias plus the weight of every feature by its full name, as training sees them."""
    return 0.125 + sum(WEIGHTS.get(name, 0.0) for name in features.names())


def test_atoms_of_equal_value_but_other_type_are_named_apart() -> None:
    assert _named({"count": 1}) == ("count=1",)
    assert _named({"count": True}) == ("count=True",)
    assert _named({"count": 1}) == ("count=1",)


def test_a_cached_combination_scores_as_it_would_afresh() -> None:
    model = Model(WEIGHTS, 0.125)
    extra = ("before:name|near=1|verb_after=said",)
    near = Features("frame=before:name", ("verb_after=said",), ("near=1",), extra)
    far = Features("frame=before:name", ("verb_after=said",), ("near=3",), extra)
    scores = [model.score(features, {}) for features in (near, far, near, far)]
    assert scores == [_plain_score(near), _plain_score(far)] * 2
    assert scores[0] != scores[1]


def test_a_name_between_two_quotations_is_scored_with_each_side_s_weights() -> None:
    """A candidate's shared atoms, summed once and kept under its key, are summed per frame:
    the name after one quotation is the name before the next."""
    model, shared, key = Model(WEIGHTS, 0.125), {}, ("source", "Jane Roe")
    before = Features("frame=before:name", ("verb_after=said",), key=key)
    after = Features("frame=after:name", ("verb_after=said",), key=key)
    scores = [model.score(features, shared) for features in (before, after, before)]
    assert scores == [_plain_score(before), _plain_score(after), _plain_score(before)]
