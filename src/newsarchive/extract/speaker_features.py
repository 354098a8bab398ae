"""What the speaker models see: features of a candidate source of a quotation, and of a person
a pronoun or role phrase may stand for.

Each feature is a name with the value 1; the models in ``attribution`` weigh them. Atoms (which
side of the quotation, how many words away, whether a speech verb follows) are crossed with their
frame (the side and the kind of mention, or the kind of anaphor), so that one linear model can
weigh "a speech verb follows" differently before and after a quotation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from newsarchive.extract.mentions import MALE_TITLES, Mention, title_before
from newsarchive.extract.names import SENTENCE_END, VERBS, after_preposition, word_count
from newsarchive.extract.speaker_context import (
    LOOK_BACK,
    MASK,
    Context,
    FeatureNames,
    QuoteSite,
    ends,
    in_apposition,
    modifies,
    starts_sentence,
)


@dataclass(slots=True)
class Features:
    """The features of one candidate. Each atom ("verb_after=said") counts alone and within the
    candidate's ``frame`` ("frame=before:name|verb_after=said"), so that a linear model can
    weigh it differently before and after a quotation; ``shared`` atoms are the same for every
    quotation the candidate stands beside (scored once, under ``key``), ``own`` ones are not;
    ``extra`` features are combinations named in full. (Not frozen, which is several times
    slower to make, and a candidate makes one; the names are tuples where they are shared.)"""

    frame: str
    shared: FeatureNames = ()
    own: FeatureNames = ()
    extra: FeatureNames = ()
    key: tuple[str, Mention] | None = None

    def names(self) -> FeatureNames:
        """Every feature by its full name (for training)."""
        if not self.frame:
            return list(self.extra)
        atoms = [*self.shared, *self.own]
        return [self.frame, *atoms, *(f"{self.frame}|{atom}" for atom in atoms), *self.extra]

    def with_shared(self, shared: FeatureNames, key: tuple[str, Mention]) -> Features:
        """These features and a candidate's ``shared`` ones, kept under ``key``."""
        return Features(self.frame, shared, self.own, self.extra, key)


_APPOSITION_VERB = re.compile(rf"(?:,[^,|]{{1,90}},)?\s*(?:\w+\s+){{0,2}}?(?:{VERBS.pattern})")
_VERB_BEFORE = re.compile(rf"(?:{VERBS.pattern})(?:\s+(?:by|to))?\s+(?:\w+\.?\s+){{0,2}}$")
_TIGHT_AFTER = re.compile(rf"[\s,—–-]*(?:(?:{VERBS.pattern})\s+)?")
# the most words _VERB_BEFORE spans: a speech verb of two ("according to"), "by" or "to", and
# two more; read backwards, so that the search starts at the first of them, not 80 characters back
_LAST_WORDS_REVERSED = re.compile(r"\s*(?:\S+\s+){0,4}\S+")
_PREDICATE = re.compile(r"(?:,[^,|]{1,90},)?\s+(?:also\s+|then\s+|later\s+)?[a-z]+(?:ed|s)\b")
# a single capitalised word shaped like an adjective, a gerund or an adverb ("Jewish leaders",
# "Democratic voters", "Acknowledging that …"): seldom anyone's name
_ADJECTIVAL = re.compile(r"[A-Z][\w’'-]{2,}(?:ing|ish|ic|ist|ese)")
_DASH = re.compile(r"[\s,]*[—―–-]\s*")
_COLON = re.compile(r"\s*:\s*")  # "Jane Doe: “…”"
_SPEECH_NOUN = re.compile(
    r"(?:’s|'s|’|')?\s+(?:[a-z]+\s+)?(?:claim|claims|statement|statements|remark|remarks|words|"
    r"comment|comments|tweet|tweets|promise|pledge|assertion|argument|message|description|answer|"
    r"response|reply|warning|suggestion|explanation|quote|speech|op-ed|post|letter|testimony)\b"
)


@dataclass(frozen=True)
class Speakers:
    """The speakers found so far: the last quotation's and every earlier one's (name keys)."""

    previous: str | None = None
    earlier: AbstractSet[str] = frozenset()


def source_features(
    known: Context,
    site: QuoteSite,
    mention: Mention,
    side: str,
    gap: str,
    rank: int,
    said: Speakers,
) -> Features:
    """What makes ``mention``, on ``side`` of the quotation at ``site`` with ``gap`` between
    them, look like its source; ``rank``: how many candidates on that side stand nearer."""
    atoms, shared = _atoms(known, "source", mention, _source_atoms)
    sentence_break = bool(SENTENCE_END.search(gap))
    dynamic = _Dynamic(
        _bucket(word_count(gap), (0, 1, 3, 6, 12, 25)),
        sentence_break,
        MASK in gap,
        bool(VERBS.search(gap)),
        min(rank, 3),
        side == "after" and bool(_DASH.fullmatch(gap)),
        side == "before" and bool(_COLON.fullmatch(gap)),
        site.lower_start,
        site.opens,
        _tight(atoms, side, gap, sentence_break),
        _spoke_before(mention, said),
    )  # positional: several times faster to make than by keyword
    return _source_names(
        f"{side}:{mention.kind}",
        dynamic,
        bool(atoms["verb_after"]),
        bool(atoms["verb_before"]),
        bool(atoms["first_in_sentence"]),
    ).with_shared(shared, ("source", mention))


class _Dynamic(NamedTuple):
    """The features of a candidate source that depend on the quotation."""

    near: int
    sentence_break: bool
    quote_between: bool
    verb_between: bool
    rank: int
    dash: bool
    colon: bool
    lower_start: bool
    opens_paragraph: bool
    tight: bool
    spoke_before: str


@cache
def _source_names(
    frame: str, dynamic: _Dynamic, verb_after: bool, verb_before: bool, first: bool
) -> Features:
    """The names of a candidate source's features that depend on the quotation. Few
    combinations occur, so each is named once and not once per candidate."""
    near, sentence_break = dynamic.near, dynamic.sentence_break
    own = tuple(f"{name}={value}" for name, value in dynamic._asdict().items())
    return Features(  # cached and shared by every candidate alike: tuples, which none can change
        f"frame={frame}",
        own=own,
        extra=(
            f"{frame}|near={near}|verb_after={verb_after}",
            f"{frame}|near={near}|verb_before={verb_before}",
            f"{frame}|first={first}|break={sentence_break}",
            f"{frame}|break={sentence_break}|verbs={verb_after}:{verb_before}",
        ),
    )


def _spoke_before(mention: Mention, said: Speakers) -> str:
    """Whether the candidate is who spoke the quotation before, or an earlier one."""
    if mention.kind != "name":
        return ""
    if mention.key == said.previous:
        return "previous"
    return "earlier" if mention.key in said.earlier else "no"


def _tight(atoms: dict[str, object], side: str, gap: str, sentence_break: bool) -> bool:
    """The plain attribution news writing uses most: “…,” said X / “…,” X said / X said: “…”
    (X the subject of the sentence's speech verb, nothing else between)."""
    if side == "after":
        return bool(_TIGHT_AFTER.fullmatch(gap)) and bool(
            atoms["verb_before"] or atoms["verb_after"]
        )
    if side == "before":
        return not sentence_break and bool(atoms["verb_after"]) and bool(atoms["first_in_sentence"])
    return False


def _source_atoms(known: Context, mention: Mention) -> dict[str, object]:
    """The features of a candidate source that do not depend on the quotation."""
    text = known.masked[mention.paragraph]
    single = mention.kind == "name" and " " not in mention.text
    starts = starts_sentence(text, mention.start)
    return {
        "verb_after": _verb_word(_APPOSITION_VERB.match(text, mention.end)),
        "verb_before": _verb_word(
            _VERB_BEFORE.search(text, _last_words_start(text, mention.start), mention.start)
        ),
        "possessive": mention.possessive,
        "after_preposition": after_preposition(text, mention.start),
        "sentence_start": starts,
        "titled": mention.titled,
        "count": _bucket(known.counts.get(mention.key, 0), (0, 1, 2, 4, 8)),
        "single_sentence_start": single and starts,
        "lower_elsewhere": single and known.written_lower(mention.text),
        "first_in_sentence": known.first_in_sentence(mention),
        "says_noun": mention.possessive and bool(_SPEECH_NOUN.match(text, mention.end)),
        "adjectival": single and bool(_ADJECTIVAL.fullmatch(mention.text)),
        "key": anaphor_kind(mention) if mention.kind != "name" else "",
    }


def _atoms(
    known: Context,
    model: str,
    mention: Mention,
    atoms_of: Callable[[Context, Mention], dict[str, object]],
) -> tuple[dict[str, object], FeatureNames]:
    """A mention's atoms for ``model``, and their names, worked out once per article."""
    key = (model, mention)
    found = known.atoms.get(key)
    if found is None:
        atoms = atoms_of(known, mention)
        found = known.atoms[key] = (atoms, _named(atoms))
    return found


def _named(atoms: dict[str, object]) -> FeatureNames:
    """The atoms' names ("verb_after=said"); typed, so that 1 and True are named apart."""
    return _names(tuple(atoms.items()), tuple(map(type, atoms.values())))


@lru_cache(maxsize=1 << 14)
def _names(atoms: tuple[tuple[str, object], ...], _types: tuple[type, ...]) -> FeatureNames:
    """Few combinations of atoms occur, and many mentions have each: each is named once."""
    return tuple(f"{name}={value}" for name, value in atoms)


def _verb_word(found: re.Match[str] | None) -> str | bool:
    """The speech verb a match found ("said", "told"), or False for none."""
    if found is None:
        return False
    verb = VERBS.search(found.group())
    return verb.group().lower() if verb else ""


def _last_words_start(text: str, start: int) -> int:
    """Where the last words before ``start`` that a speech verb before a name may span begin."""
    low = max(0, start - LOOK_BACK)
    found = _LAST_WORDS_REVERSED.match(text[low:start][::-1])
    return start - found.end() if found else low


def _bucket(value: int, edges: Sequence[int]) -> int:
    """The first of ``edges`` at least ``value``; one past the last for a larger value."""
    return edges[bisect_left(edges, value)] if value <= edges[-1] else edges[-1] + 1


def inherit_features(masked: Sequence[str], site: QuoteSite, previous: QuoteSite) -> Features:
    """What makes the speaker of the quotation before (at ``previous``) this one's speaker too."""
    gap = site.first - previous.last
    between = ends(masked[site.first], previous.end, site.start) if gap == 0 else ""
    return _inherit_names(
        min(gap, 3),
        site.opens,
        _bucket(word_count(between), (0, 2, 4, 8)),
        bool(VERBS.search(between)),
        site.verb_near,
    )


@cache
def _inherit_names(gap: int, opens: bool, words: int, verb: bool, verb_near: bool) -> Features:
    """Named once for each combination, as in ``_source_names``."""
    return Features(
        "",
        extra=(
            "inherit",
            f"inherit:gap:{gap}",
            f"inherit:opens_paragraph:{opens}",
            f"inherit:gap:{gap}:opens_paragraph:{opens}",
            f"inherit:between_words:{words}",
            f"inherit:between_verb:{verb}",
            f"inherit:verb_near:{verb_near}",
        ),
    )


def none_features(masked: Sequence[str], site: QuoteSite) -> Features:
    """What makes a quotation have no speaker to name at all (a title, a term, a slogan)."""
    return _none_names(site.verb_near, site.lower_start, site.opens)


@cache
def _none_names(verb_near: bool, lower_start: bool, opens: bool) -> Features:
    """Named once for each combination, as in ``_source_names``."""
    return Features(
        "",
        extra=(
            "none",
            f"none:verb_near:{verb_near}",
            f"none:lower_start:{lower_start}",
            f"none:opens_paragraph:{opens}",
        ),
    )


# Features of a person a pronoun or role phrase may stand for


def resolver_features(
    known: Context,
    anaphor: Mention,
    candidate: Mention,
    recency: int,
    speakers: Speakers,
    speaking: int | None,
    quoted: AbstractSet[str],
) -> Features:
    """What makes the earlier name ``candidate`` the one ``anaphor`` refers to; ``recency``: how
    many other people were named since; ``speaking``: how many other subjects of a speech verb
    ("X said …") were named since, None when the candidate was never one."""
    atoms, shared = _atoms(known, "resolver", candidate, _resolver_atoms)
    shared = [*shared, *_person_atoms(known, candidate.key)]
    gap = _bucket(anaphor.paragraph - candidate.paragraph, (0, 1, 2, 3, 6))
    dynamic = {
        "recency": min(recency, 5),
        "gap": gap,
        "previous_speaker": candidate.key == speakers.previous,
        "earlier_speaker": candidate.key in speakers.earlier,
        "speaking": "never" if speaking is None else min(speaking, 2),
        "named_inside": candidate.key in quoted,
    }
    return Features(
        f"anaphor={anaphor_kind(anaphor)}",
        shared,
        _named(dynamic),
        [
            f"recency={dynamic['recency']}|previous={dynamic['previous_speaker']}",
            f"first={atoms['first_in_sentence']}|predicate={atoms['predicate']}|gap={gap}",
            f"first={atoms['first_in_sentence']}|verb_after={atoms['verb_after']}"
            f"|recency={dynamic['recency']}",
            f"speaking={dynamic['speaking']}|previous={dynamic['previous_speaker']}",
            f"speaking={dynamic['speaking']}|gap={gap}",
        ],
        ("resolver", candidate),
    )


def _resolver_atoms(known: Context, candidate: Mention) -> dict[str, object]:
    """The features of a person an anaphor may refer to that do not depend on the anaphor."""
    text = known.masked[candidate.paragraph]
    subject = starts_sentence(text, candidate.start)
    single = " " not in candidate.text
    return {
        "count": _bucket(known.counts[candidate.key], (1, 2, 4, 8)),
        "subject": subject,
        "verb_after": bool(_APPOSITION_VERB.match(text, candidate.end)),
        "first_in_sentence": known.first_in_sentence(candidate),
        "predicate": bool(_PREDICATE.match(text, candidate.end)),
        "possessive": candidate.possessive,
        "after_preposition": after_preposition(text, candidate.start),
        "multiword": not single,
        "modifier": modifies(known, candidate),
        "apposition": in_apposition(known, candidate),
        "titled": candidate.titled,
        "once_at_sentence_start": single and subject and known.counts[candidate.key] == 1,
        "female": candidate.female,
        "organisation": len(candidate.text) > 1 and candidate.text.isupper(),
        "gender": known.gender(candidate.key) or "",
        "lower_elsewhere": single and known.written_lower(candidate.text),
        "adjectival": single and bool(_ADJECTIVAL.fullmatch(candidate.text)),
    }


def _person_atoms(known: Context, key: str) -> FeatureNames:
    """What every mention of the name ``key`` in the article says of who it is: the pronoun
    its titles make likely ("Mr.", "Mrs."), and whether it only ever stands after a
    preposition (a place: "in Charlotte")."""
    if key not in known.people:
        named = known.named(key)
        known.people[key] = _named(
            {
                "title_gender": _title_gender(known, named),
                "placed": bool(named)
                and all(after_preposition(known.masked[m.paragraph], m.start) for m in named),
            }
        )
    return known.people[key]


def _title_gender(known: Context, named: Sequence[Mention]) -> str:
    for mention in named:
        if mention.female:
            return "she"
        if (
            mention.titled
            and title_before(known.masked[mention.paragraph], mention.start) in MALE_TITLES
        ):
            return "he"
    return ""


def speaks(known: Context, mention: Mention) -> bool:
    """Whether the mention is the subject of a speech verb ("Jane Doe, the mayor, said …")."""
    return known.first_in_sentence(mention) and _resolver_atom(known, mention, "verb_after")


def subject(known: Context, mention: Mention) -> bool:
    """Whether the mention is the subject of its sentence: first in it and followed by a verb."""
    return (
        known.first_in_sentence(mention)
        and not mention.possessive
        and _resolver_atom(known, mention, "predicate")
    )


def _resolver_atom(known: Context, mention: Mention, name: str) -> bool:
    """One of a mention's resolver atoms, "verb_after" or "predicate": read where they are
    worked out already, else matched alone (most mentions asked about need no more)."""
    found = known.atoms.get(("resolver", mention))
    if found is not None:
        return bool(found[0][name])
    follows = _APPOSITION_VERB if name == "verb_after" else _PREDICATE
    return bool(follows.match(known.masked[mention.paragraph], mention.end))


def anaphor_kind(anaphor: Mention) -> str:
    """The pronoun, or the head noun of a role phrase ("senator", "report")."""
    return anaphor.key if anaphor.kind == "pronoun" else anaphor.key.split()[-1]
