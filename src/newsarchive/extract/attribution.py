"""Who said a quotation: candidate speakers around it, scored by a small linear model.

For each quotation, every name, pronoun and role phrase ("the senator") in its paragraph, and in
the paragraph before, is a candidate source, as is the speaker of the quotation before it (a run
of quote paragraphs). Each candidate is described by a few dozen features: which side of the
quotation it stands on, how far, whether a speech verb follows it or comes before it, whether a
sentence ends in between, whether it is a pronoun, a possessive, after a preposition. A logistic
model trained on annotated news (``bench/train_speakers.py``, weights in ``speaker_model.json``)
scores them and the best one wins.

A pronoun or role phrase then stands for someone named earlier. A second model of the same kind
picks that person among the people named in the paragraphs before it, preferring those who were
the subject of a sentence or the speaker of the quotation before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsarchive.extract.mentions import Mention, by_paragraph, find_mentions
from newsarchive.extract.speaker_features import (
    Context,
    Features,
    QuoteSite,
    Speakers,
    anaphor_kind,
    context,
    in_apposition,
    inherit_features,
    modifies,
    none_features,
    resolver_features,
    side_of,
    source_features,
)


@dataclass(frozen=True)
class Model:
    """Feature weights and a bias; ``score`` is the logistic model's log-odds."""

    weights: dict[str, float]
    bias: float

    def score(self, features: Features) -> float:
        return self.bias + sum(
            self.weights.get(name, 0.0) * value for name, value in features.items()
        )


@cache
def models() -> tuple[Model, Model]:
    """The shipped (source, resolver) models."""
    data = json.loads(resources.files(__package__).joinpath("speaker_model.json").read_text())
    return tuple(
        Model(part["weights"], part["bias"]) for part in (data["source"], data["resolver"])
    )  # type: ignore[return-value]


INHERIT = "inherit"  # the candidate "whoever spoke the quotation before"
NOBODY = "nobody"  # the candidate "no one is named as saying this"


def source_candidates(
    known: Context,
    sites: Sequence[QuoteSite],
    grouped: dict[int, list[Mention]],
    number: int,
    can_inherit: bool,
) -> list[tuple[Mention | str, Features]]:
    """The candidate sources of quotation ``number`` with their features."""
    site = sites[number]
    nearby = [m for p in range(site.first - 1, site.last + 1) for m in grouped.get(p, ())]
    sided = [(m, side_of(known.masked, site, m)) for m in nearby]
    candidates: list[tuple[Mention | str, Features]] = []
    for mention, (side, between) in sided:
        if side is None or modifies(known, mention) or in_apposition(known, mention):
            continue
        rank = sum(1 for _, (s, b) in sided if s == side and len(b) < len(between))
        features = source_features(known, site, mention, rank)
        if features is not None:
            candidates.append((mention, features))
    if can_inherit and number and site.first - sites[number - 1].last <= 1:
        candidates.append((INHERIT, inherit_features(known.masked, site, sites[number - 1])))
    candidates.append((NOBODY, none_features(known.masked, site)))
    return candidates


def resolver_candidates(
    known: Context, mentions: Sequence[Mention], anaphor: Mention, speakers: Speakers
) -> list[tuple[Mention | str, Features]]:
    """The people named before ``anaphor`` that it may stand for (the latest mention of each),
    and for a role phrase NOBODY: "the report" stands for no person. A pronoun always has a
    person behind it, even where the article never names them."""
    at = (anaphor.paragraph, anaphor.start)
    latest: dict[str, Mention] = {}
    for mention in mentions:
        if (mention.paragraph, mention.start) >= at:
            break
        if mention.kind == "name":
            latest[mention.key] = mention
    ordered = sorted(latest.values(), key=lambda m: (m.paragraph, m.start), reverse=True)
    candidates: list[tuple[Mention | str, Features]] = [
        (m, resolver_features(known, anaphor, m, rank, speakers)) for rank, m in enumerate(ordered)
    ]
    if anaphor.kind == "nominal":
        candidates.append((NOBODY, {"nobody": 1, f"nobody|anaphor={anaphor_kind(anaphor)}": 1}))
    return candidates


@dataclass(frozen=True)
class Attribution:
    """Who a quotation is attributed to: the name it comes down to (None when nobody can be
    named), and whether nothing around it attributes it to anyone at all."""

    speaker: Mention | None
    unattributed: bool = False


def attribute(masked: Sequence[str], sites: Sequence[QuoteSite]) -> list[Attribution]:
    """Who each quotation is attributed to."""
    source, resolver = models()
    mentions = find_mentions(masked)
    grouped = by_paragraph(mentions)
    known = context(masked, mentions)
    speakers: list[Mention | None] = []
    attributions: list[Attribution] = []
    for number in range(len(sites)):
        previous = speakers[-1] if speakers else None
        candidates = source_candidates(known, sites, grouped, number, previous is not None)
        best, _ = max(candidates, key=lambda item: source.score(item[1]))
        if best == INHERIT:
            speakers.append(previous)
        elif best == NOBODY:
            speakers.append(None)
        elif best.kind == "name":
            speakers.append(best)
        else:
            said = Speakers(
                previous.key if previous else None,
                frozenset(s.key for s in speakers if s is not None),
            )
            speakers.append(_resolve(known, mentions, best, said, resolver))
        attributions.append(Attribution(speakers[-1], best == NOBODY))
    return attributions


def _resolve(
    known: Context, mentions: Sequence[Mention], anaphor: Mention, said: Speakers, resolver: Model
) -> Mention | None:
    candidates = resolver_candidates(known, mentions, anaphor, said)
    if not candidates:
        return None
    best = max(candidates, key=lambda item: resolver.score(item[1]))[0]
    return None if best == NOBODY else best
