"""Who said a quotation: candidate speakers around it, scored by a small linear model.

For each quotation, the nearest names, pronouns and role phrases ("the senator") on each side of
it in its paragraph (and in the paragraph before, when it opens its own) are candidate sources,
as are the speaker of the quotation before it (a run of quote paragraphs) and nobody. Each is
described by the features in ``speaker_features``: which side it stands on, how far, the speech
verb before or after it, a sentence end or another quotation in between, whether it is the
subject of its sentence, a possessive, after a preposition. A conditional-logit model trained on
annotated news (``bench/train_speakers.py``, weights in ``speaker_model.json``) scores them and
the best one wins.

A pronoun then stands for whoever just spoke and is not named in the quotation (the subject of a speech verb in its paragraph or
the one before, or of any sentence just before it in its own); failing that, and for a role
phrase, a second model of the same kind picks among the people named last.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat

from newsarchive.extract.mentions import NOT_PEOPLE, Mention
from newsarchive.extract.speaker_context import (
    Context,
    QuoteSite,
    SentenceEnds,
    between,
    closed_off,
    nearest,
)
from newsarchive.extract.speaker_features import (
    FeatureNames,
    Features,
    Speakers,
    anaphor_kind,
    inherit_features,
    none_features,
    resolver_features,
    source_features,
    speaks,
    subject,
)


class Model:
    """Feature weights and a bias: a candidate's score is the bias plus the weights of its
    features. The weights of an atom alone and within a frame are summed once per frame."""

    def __init__(self, weights: dict[str, float], bias: float) -> None:
        self.weights = weights
        self.bias = bias
        self._frames: dict[str, dict[str, float]] = {}
        # the weights of each combination of own and extra features named once (see ``_fixed``)
        self._combinations: dict[tuple[str, FeatureNames, FeatureNames], tuple[float, ...]] = {}

    def score(self, features: Features, shared: dict[object, float]) -> float:
        """The log-odds of a candidate; ``shared`` keeps the score of each candidate's shared
        atoms, which many quotations have in common, so that they are added up once."""
        table = self._frames.get(features.frame) or self._table(features.frame)
        # Under the frame too: a name between two quotations stands after one and before the
        # other, and its atoms weigh differently on each side.
        key = (features.frame, features.key) if features.key else None
        known = shared.get(key) if key else None
        if known is None:
            known = sum(map(table.get, features.shared, repeat(0.0)))
            if key:
                shared[key] = known
        frame, own, extra = self._fixed(features, table)
        return self.bias + frame + known + own + extra  # in this order: the same sum to the bit

    def _fixed(self, features: Features, table: dict[str, float]) -> tuple[float, ...]:
        """The weights of the frame, of the ``own`` features and of the ``extra`` ones. Where
        those are tuples, named once per combination and shared by every candidate alike, they
        are added up once for each."""
        shared = type(features.own) is tuple and type(features.extra) is tuple
        key = (features.frame, features.own, features.extra)
        fixed = self._combinations.get(key) if shared else None
        if fixed is None:
            fixed = (
                self.weights.get(features.frame, 0.0),
                sum(map(table.get, features.own, repeat(0.0))),
                sum(map(self.weights.get, features.extra, repeat(0.0))),
            )
            if shared:
                self._combinations[key] = fixed
        return fixed

    def _table(self, frame: str) -> dict[str, float]:
        """Each atom's weight alone plus its weight within ``frame``."""
        if frame not in self._frames:
            prefix = f"{frame}|"
            table = {name: weight for name, weight in self.weights.items() if "|" not in name}
            for name, weight in self.weights.items():
                if frame and name.startswith(prefix) and "|" not in name[len(prefix) :]:
                    atom = name[len(prefix) :]
                    table[atom] = table.get(atom, 0.0) + weight
            self._frames[frame] = table
        return self._frames[frame]


@cache
def models() -> tuple[Model, Model]:
    """The shipped (source, resolver) models."""
    data = json.loads(resources.files(__package__).joinpath("speaker_model.json").read_text())
    return tuple(
        Model(part["weights"], part["bias"]) for part in (data["source"], data["resolver"])
    )  # type: ignore[return-value]


INHERIT = "inherit"  # the candidate "whoever spoke the quotation before"
NOBODY = "nobody"  # the candidate "no one is named as saying this"
# How many candidates are weighed on each side of a quotation, nearest first: the source stands
# farther back before it ("X, who ..., told Y that “…”") than after it ("“…,” X said") or in the
# paragraph before (past three, those won 18 times of 5,066 on the dev pages and quote sets).
SOURCES_PER_SIDE = {"before": 5, "after": 3, "previous": 3}
RESOLVER_PEOPLE = 8  # how many of the people named last a pronoun may stand for
# ...among this many mentions before it at most: an article naming one or two people looks no
# further back than this, which keeps a page of thousands of names and pronouns linear
RESOLVER_LOOK_BACK = 300
# Speakers are looked for in this many quotations of an article at most (a page of thousands
# of quote marks is not news; the longest interview in the annotated set has 55): the time a
# page takes stays bounded, and the quotations past it are kept, without a speaker.
ATTRIBUTED_QUOTATIONS = 1000
SPEAKING_PARAGRAPHS = 2  # how far back "the last person who said something" is looked for


def source_candidates(
    known: Context,
    sites: Sequence[QuoteSite],
    number: int,
    can_inherit: bool,
    said: Speakers,
) -> list[tuple[Mention | str, Features]]:
    """The candidate sources of quotation ``number`` with their features: the nearest mentions
    on each side (not those before an earlier quotation's sentence), the previous quotation's
    speaker when it stands in this paragraph or the one before, and NOBODY."""
    site = sites[number]
    candidates: list[tuple[Mention | str, Features]] = []
    for side, mentions in nearest(known, site, SOURCES_PER_SIDE):
        for rank, mention in enumerate(mentions):
            gap = between(known.masked, site, side, mention)
            if side == "before" and closed_off(gap):
                continue
            features = source_features(known, site, mention, side, gap, rank, said)
            candidates.append((mention, features))
    if can_inherit and number and site.first - sites[number - 1].last <= 1:
        candidates.append((INHERIT, inherit_features(known.masked, site, sites[number - 1])))
    candidates.append((NOBODY, none_features(known.masked, site)))
    return candidates


def resolver_candidates(
    known: Context,
    mentions: Sequence[Mention],
    anaphor: Mention,
    speakers: Speakers,
    quoted: AbstractSet[str],
) -> list[tuple[Mention | str, Features]]:
    """The people named last before ``anaphor`` that it may stand for (the latest mention of
    each), and for a role phrase NOBODY: "the report" stands for no person. A pronoun always has
    a person behind it, even where the article never names them."""
    recent: dict[str, Mention] = {}
    speaking: dict[str, int] = {}  # people by when they last were the subject of a speech verb
    lowest = anaphor.paragraph - SPEAKING_PARAGRAPHS
    for number in _looking_back(known, anaphor):
        mention = mentions[number]
        if mention.kind != "name" or known.common_word(mention):
            continue
        if mention.paragraph >= lowest and mention.key not in speaking and speaks(known, mention):
            speaking[mention.key] = len(speaking)
        if mention.key not in recent:
            if len(recent) == RESOLVER_PEOPLE:
                break
            recent[mention.key] = mention
    candidates: list[tuple[Mention | str, Features]] = [
        (m, resolver_features(known, anaphor, m, rank, speakers, speaking.get(m.key), quoted))
        for rank, m in enumerate(recent.values())
    ]
    if anaphor.kind == "nominal" and anaphor_kind(anaphor) in NOT_PEOPLE:
        extra = ["nobody", f"nobody|anaphor={anaphor_kind(anaphor)}"]
        candidates.append((NOBODY, Features("", extra=extra)))
    return candidates


def _looking_back(known: Context, anaphor: Mention) -> range:
    """The numbers of the mentions before ``anaphor`` it may stand for, the nearest first."""
    at = known.order[anaphor]
    return range(at - 1, max(-1, at - 1 - RESOLVER_LOOK_BACK), -1)


@dataclass(frozen=True)
class Attribution:
    """Who a quotation is attributed to: the name it comes down to (None when nobody can be
    named), and whether nothing around it attributes it to anyone at all."""

    speaker: Mention | None
    unattributed: bool = False


def attribute(
    masked: Sequence[str],
    sites: Sequence[QuoteSite],
    mentions: Sequence[Mention],
    ends: SentenceEnds,
) -> list[Attribution]:
    """Who each quotation is attributed to, from the article's ``mentions`` (``find_mentions``)."""
    source, resolver = models()
    known = Context(masked, mentions, ends)
    speakers: list[Mention | None] = []
    attributions: list[Attribution] = []
    resolved: dict[Mention, Mention | None] = {}  # the pronouns and role phrases seen so far
    shared: dict[object, float] = {}  # scores of the features candidates share
    spoken: set[str] = set()  # who the quotations so far were attributed to
    for number in range(len(sites)):
        previous = speakers[-1] if speakers else None
        said = Speakers(previous.key if previous else None, spoken)
        candidates = source_candidates(known, sites, number, previous is not None, said)
        best, _ = max(candidates, key=lambda item: source.score(item[1], shared))
        if best == INHERIT:
            speakers.append(previous)
        elif best == NOBODY:
            speakers.append(None)
        elif best.kind == "name":
            speakers.append(best)
        else:
            quoted = sites[number].words
            speakers.append(
                _resolve(known, mentions, best, said, quoted, resolver, resolved, shared)
            )
            resolved[best] = speakers[-1]
        attributions.append(Attribution(speakers[-1], best == NOBODY))
        if speakers[-1] is not None:
            spoken.add(speakers[-1].key)
    return attributions


def _resolve(
    known: Context,
    mentions: Sequence[Mention],
    anaphor: Mention,
    said: Speakers,
    quoted: AbstractSet[str],
    resolver: Model,
    resolved: dict[Mention, Mention | None],
    shared: dict[object, float],
) -> Mention | None:
    """The person ``anaphor`` stands for: the one who just spoke, where a sentence of its
    paragraph or the one before made someone the subject of a speech verb; else the model's
    choice among the people named last."""
    if anaphor.kind == "pronoun":
        speaker = _just_spoke(known, mentions, anaphor, resolved, quoted)
        if speaker is not None:
            return speaker
    candidates = resolver_candidates(known, mentions, anaphor, said, quoted)
    if not candidates:
        return None
    best = max(candidates, key=lambda item: resolver.score(item[1], shared))[0]
    return None if best == NOBODY else best


def _just_spoke(
    known: Context,
    mentions: Sequence[Mention],
    anaphor: Mention,
    resolved: dict[Mention, Mention | None],
    quoted: AbstractSet[str],
) -> Mention | None:
    """The last subject of a speech verb ("Jane Doe said …") in the anaphor's paragraph or the
    one before, the last subject of any verb in its own paragraph, or the person the same
    pronoun stood for there; one the article's own pronouns disagree with, or one the quotation
    names (its words, ``quoted``: people are quoted about themselves by name far less often than
    about others), is passed over."""
    for number in _looking_back(known, anaphor):
        mention = mentions[number]
        if mention.paragraph < anaphor.paragraph - 1:
            return None
        if mention.kind == "pronoun" and mention.key == anaphor.key and mention in resolved:
            return resolved[mention]
        if (
            mention.kind != "name"
            or known.common_word(mention)
            or not _agrees(known, mention, anaphor)
            or mention.key in quoted
        ):
            continue
        if speaks(known, mention):
            return mention
        if mention.paragraph == anaphor.paragraph and subject(known, mention):
            return mention
    return None


def _agrees(known: Context, mention: Mention, pronoun: Mention) -> bool:
    if pronoun.key not in ("he", "she"):
        return True
    gender = "she" if mention.female else known.gender(mention.key) or pronoun.key
    return gender == pronoun.key
