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
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsarchive.extract.names import PREPOSITIONS, VERBS, WORD, name_runs

Features = dict[str, float]

_PRONOUN_KINDS = {
    "he": "he", "He": "he", "she": "she", "She": "she", "they": "they", "They": "they",
    "it": "it", "It": "it", "er": "he", "Er": "he", "sie": "she", "Sie": "she", "il": "he",
    "Il": "he", "elle": "she", "Elle": "she",
}  # fmt: skip
_ROLE_NOUNS = (
    "senator|candidate|nominee|governor|mayor|president|secretary|spokesman|spokeswoman|"
    "spokesperson|campaign|businessman|businesswoman|billionaire|mogul|congressman|"
    "congresswoman|lawmaker|chairman|chairwoman|aide|adviser|advisor|official|group|company|"
    "agency|committee|judge|lawyer|attorney|minister|chancellor|leader|mayor|officer|director|"
    "chief|executive|founder|author|statement|newspaper|network|organization|organisation"
)
_NOMINAL = re.compile(rf"\b(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[\w-]+\s+){{0,4}}?(?:{_ROLE_NOUNS})\b")
from newsarchive.extract.names import SENTENCE_END as _SENTENCE_END
_APPOSITION_VERB = re.compile(rf"(?:,[^,|]{{1,90}},)?\s*(?:\w+\s+){{0,2}}?(?:{VERBS.pattern})")
_VERB_BEFORE = re.compile(rf"(?:{VERBS.pattern})(?:\s+(?:by|to))?\s+(?:\w+\.?\s+){{0,2}}$")
_MASK = "|"
_PREDICATE = re.compile(r"(?:,[^,|]{1,90},)?\s+(?:also\s+|then\s+|later\s+)?[a-z]+(?:ed|s)\b")
_GENDERED = re.compile(r"\b(?:[Hh]e|[Hh]is|[Hh]im|[Hh]imself|[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b")
_FEMININE = frozenset({"she", "her", "hers", "herself"})
_LOWER_WORD = re.compile(r"\b[a-z][a-z-]+\b")
_DASH = re.compile(r"[\s,]*[—―–-]\s*")
_SPEECH_NOUN = re.compile(
    r"(?:’s|'s|’|')?\s+(?:[a-z]+\s+)?(?:claim|claims|statement|statements|remark|remarks|words|"
    r"comment|comments|tweet|tweets|promise|pledge|assertion|argument|message|description|answer|"
    r"response|reply|warning|suggestion|explanation|quote|speech|op-ed|post|letter|testimony)\b"
)
_ROLE_GAP = re.compile(r"(?:’s|'s)?(?:\s+[a-z][\w-]*){0,4}\s+")
_COMMA_GAP = re.compile(r",?\s+")
_APPOSITION_GAP = re.compile(r",\s+(?:[a-z][\w’'-]*\s+){1,8}")
_FUNCTION_WORDS = frozenset(
    "a an the and or but nor who which whose whom that is was were are be been has had have will "
    "would could should may might can did does do not also then so as if than".split()
)
_FEMALE_TITLES = frozenset({"Mrs", "Ms", "Miss", "Madame", "Mme", "Frau", "Dame", "Lady"})


@dataclass(frozen=True)
class Mention:
    """A name, pronoun or role phrase outside quotations that could be a quotation's source."""

    paragraph: int
    start: int
    end: int
    text: str
    kind: str  # "name", "pronoun" or "nominal"
    key: str  # who it is: the casefolded last word of a name, else the pronoun or phrase
    possessive: bool = False
    titled: bool = False
    female: bool = False


@dataclass(frozen=True)
class QuoteSite:
    """Where one quotation stands: its first paragraph and opening offset, last and closing."""

    first: int
    start: int
    last: int
    end: int


@dataclass(frozen=True)
class Model:
    """Feature weights and a bias; ``score`` is the logistic model's log-odds."""

    weights: dict[str, float]
    bias: float

    def score(self, features: Features) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())


@cache
def models() -> tuple[Model, Model]:
    """The shipped (source, resolver) models."""
    data = json.loads(resources.files(__package__).joinpath("speaker_model.json").read_text())
    return tuple(Model(part["weights"], part["bias"]) for part in (data["source"], data["resolver"]))  # type: ignore[return-value]


def find_mentions(masked: Sequence[str]) -> list[Mention]:
    """Every candidate source in the paragraphs (quoted text already blanked), in reading order."""
    mentions: list[Mention] = []
    for index, text in enumerate(masked):
        found = [*_names(index, text), *_pronouns(index, text), *_nominals(index, text)]
        mentions += sorted(found, key=lambda mention: mention.start)
    return mentions


def _names(index: int, text: str) -> Iterator[Mention]:
    for run in name_runs(text):
        title = text[max(0, run.start - 6) : run.start].rstrip(". ").split(" ")[-1]
        yield Mention(
            index,
            run.start,
            run.end,
            text[run.start : run.end],
            "name",
            run.words[-1].casefold(),
            run.possessive,
            run.titled,
            title in _FEMALE_TITLES,
        )


def _pronouns(index: int, text: str) -> Iterator[Mention]:
    for word in WORD.finditer(text):
        kind = _PRONOUN_KINDS.get(word.group())
        if kind:
            yield Mention(index, word.start(), word.end(), word.group(), "pronoun", kind)


def _nominals(index: int, text: str) -> Iterator[Mention]:
    for found in _NOMINAL.finditer(text):
        phrase = found.group()
        yield Mention(index, found.start(), found.end(), phrase, "nominal", phrase.casefold())


# Features of a candidate source


@dataclass(frozen=True)
class Context:
    """What the features of a mention need to know about the rest of the article."""

    masked: Sequence[str]
    counts: dict[str, int]  # how often each name is mentioned
    following: dict[Mention, Mention]  # each mention and the next one in its paragraph
    preceding: dict[Mention, Mention]  # each mention and the one before it in its paragraph
    genders: dict[str, str]  # "he" or "she" for names the article follows with that pronoun
    by_paragraph: dict[int, list[Mention]]
    lower_words: frozenset[str]  # words the article writes in lower case


def context(masked: Sequence[str], mentions: Sequence[Mention]) -> Context:
    counts: dict[str, int] = {}
    following: dict[Mention, Mention] = {}
    for number, mention in enumerate(mentions):
        if mention.kind == "name":
            counts[mention.key] = counts.get(mention.key, 0) + 1
        if number + 1 < len(mentions) and mentions[number + 1].paragraph == mention.paragraph:
            following[mention] = mentions[number + 1]
    preceding = {after: before for before, after in following.items()}
    lower = frozenset(word for text in masked for word in _LOWER_WORD.findall(text))
    return Context(
        masked, counts, following, preceding, _genders(masked, mentions), by_paragraph(mentions),
        lower,
    )


def _genders(masked: Sequence[str], mentions: Sequence[Mention]) -> dict[str, str]:
    """Which pronoun the article uses for each name: a vote of the he/his/him and she/her words
    that follow a mention of it before the next name, in its sentence and the next one."""
    votes: dict[str, dict[str, int]] = {}
    for number, mention in enumerate(mentions):
        if mention.kind != "name" or mention.possessive:
            continue
        text = masked[mention.paragraph]
        after = mentions[number + 1] if number + 1 < len(mentions) else None
        stop = after.start if after and after.paragraph == mention.paragraph and after.kind == "name" else len(text)
        ends = [end.end() for end in _SENTENCE_END.finditer(text, mention.end, stop)]
        found = _GENDERED.search(text, mention.end, ends[1] if len(ends) > 1 else stop)
        if found:
            tally = votes.setdefault(mention.key, {"he": 0, "she": 0})
            tally["she" if found.group().lower() in _FEMININE else "he"] += 1
    return {
        key: "she" if tally["she"] > tally["he"] else "he"
        for key, tally in votes.items()
        if tally["he"] != tally["she"]
    }


def source_features(
    known: Context, site: QuoteSite, mention: Mention, rank: int
) -> Features | None:
    """What makes ``mention`` look like the source of the quotation at ``site`` (None: too far).

    ``rank`` is how many candidates on the same side stand nearer the quotation.
    """
    masked = known.masked
    side, between = _side(masked, site, mention)
    if side is None:
        return None
    text = masked[mention.paragraph]
    single = mention.kind == "name" and " " not in mention.text
    words = len(WORD.findall(between))
    near = f"{side}:{_bucket(words, (0, 1, 3, 6, 12, 25))}"
    verb_after = bool(_APPOSITION_VERB.match(text, mention.end))
    verb_before = bool(_VERB_BEFORE.search(text, 0, mention.start))
    sentence_break = bool(_SENTENCE_END.search(between))
    quote_between = _MASK in between
    features: Features = {
        side: 1,
        near: 1,
        f"{side}:{mention.kind}": 1,
        f"{side}:verb_after:{verb_after}": 1,
        f"{side}:verb_before:{verb_before}": 1,
        f"{side}:break:{sentence_break}": 1,
        f"{side}:quote_between:{quote_between}": 1,
        f"{side}:verb_between:{bool(VERBS.search(between))}": 1,
        f"{near}:verb_after:{verb_after}": 1,
        f"{near}:verb_before:{verb_before}": 1,
        f"kind:{mention.kind}": 1,
        f"kind:{mention.kind}:verb_after:{verb_after}": 1,
        f"possessive:{mention.possessive}": 1,
        f"after_preposition:{_after_preposition(text, mention.start)}": 1,
        f"sentence_start:{_starts_sentence(text, mention.start)}": 1,
        f"titled:{mention.titled}": 1,
        f"key:{mention.key}": 1 if mention.kind != "name" else 0,
        f"opens_paragraph:{not masked[site.first][: site.start].strip()}:{side}": 1,
        f"{side}:rank:{min(rank, 3)}": 1,
        f"{side}:{mention.kind}:rank:{min(rank, 3)}": 1,
        f"count:{_bucket(known.counts.get(mention.key, 0), (0, 1, 2, 4, 8))}": 1,
        f"single_sentence_start:{single and _starts_sentence(text, mention.start)}": 1,
        f"lower_elsewhere:{single and mention.text.lower() in known.lower_words}": 1,
        f"{side}:first_in_sentence:{_first_in_sentence(known, mention)}:break:{sentence_break}": 1,
        f"dash:{side == 'after' and bool(_DASH.fullmatch(between))}": 1,
        f"says_noun:{mention.possessive and bool(_SPEECH_NOUN.match(text, mention.end))}": 1,
        f"lower_start:{_lower_start(masked, site)}:{side}": 1,
    }
    return {name: value for name, value in features.items() if value}


def _side(masked: Sequence[str], site: QuoteSite, mention: Mention) -> tuple[str | None, str]:
    """Where ``mention`` stands from the quotation, and the text between them."""
    if mention.paragraph == site.first and mention.end <= site.start:
        return "before", masked[site.first][mention.end : site.start]
    if mention.paragraph == site.last and mention.start >= site.end:
        return "after", masked[site.last][site.end : mention.start]
    if mention.paragraph == site.first - 1 and not masked[site.first][: site.start].strip():
        return "previous", masked[mention.paragraph][mention.end :] + " . " + masked[site.first][: site.start]
    return None, ""


def _modifies(known: Context, mention: Mention) -> bool:
    """Whether the mention only qualifies a name right after it ("Trump lawyer Jane Doe", "the
    newspaper Le Monde", "her adviser, Jane Doe"): the name after it is the one that speaks."""
    after = known.following.get(mention)
    if after is None or after.kind != "name":
        return False
    gap = known.masked[mention.paragraph][mention.end : after.start]
    if mention.kind == "nominal" and _COMMA_GAP.fullmatch(gap):
        return True
    words = _ROLE_GAP.fullmatch(gap)
    return bool(words) and not any(_not_role_word(word) for word in WORD.findall(gap))


def _not_role_word(word: str) -> bool:
    return (
        word in _FUNCTION_WORDS
        or word in PREPOSITIONS
        or bool(VERBS.fullmatch(word))
        or word.endswith(("ed", "ing"))
        or (word.endswith("s") and not word.endswith("ss"))
    )


def _in_apposition(known: Context, mention: Mention) -> bool:
    """Whether the mention stands inside an apposition to an earlier name ("Jane Doe, head of
    the Acme Institute, said"): it describes that person and does not speak."""
    before = known.preceding.get(mention)
    if before is None or before.kind != "name":
        return False
    return bool(_APPOSITION_GAP.fullmatch(known.masked[mention.paragraph], before.end, mention.start))


def _first_in_sentence(known: Context, mention: Mention) -> bool:
    """Whether no other name comes before ``mention`` in its sentence (a likely subject)."""
    text = known.masked[mention.paragraph]
    start = max((end.end() for end in _SENTENCE_END.finditer(text, 0, mention.start)), default=0)
    return not any(
        m.kind == "name" and start <= m.start < mention.start for m in known.by_paragraph.get(mention.paragraph, ())
    )


def _bucket(value: int, edges: Sequence[int]) -> int:
    return next((edge for edge in edges if value <= edge), edges[-1] + 1)


def _after_preposition(text: str, start: int) -> bool:
    before = WORD.findall(text[max(0, start - 20) : start])
    return bool(before) and before[-1] in PREPOSITIONS


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \u00a0\"“”'(—–-")
    return not before or before.endswith((".", "!", "?", ":", ";")) or before.endswith(_MASK)


def _lower_start(masked: Sequence[str], site: QuoteSite) -> bool:
    """Whether the quotation is a fragment inside a sentence (“…” opening in lower case)."""
    text = masked[site.first][site.start : site.start + 3]
    return bool(text) and any(char.islower() for char in text[1:2])


def inherit_features(masked: Sequence[str], site: QuoteSite, previous: QuoteSite) -> Features:
    """What makes the speaker of the quotation before (at ``previous``) this one's speaker too."""
    gap = site.first - previous.last
    between = masked[site.first][previous.end : site.start] if gap == 0 else ""
    opens = not masked[site.first][: site.start].strip()
    return {
        "inherit": 1,
        f"inherit:gap:{min(gap, 3)}": 1,
        f"inherit:opens_paragraph:{opens}": 1,
        f"inherit:gap:{min(gap, 3)}:opens_paragraph:{opens}": 1,
        f"inherit:between_words:{_bucket(len(WORD.findall(between)), (0, 2, 4, 8))}": 1,
        f"inherit:between_verb:{bool(VERBS.search(between))}": 1,
        f"inherit:verb_near:{_verb_near(masked, site)}": 1,
    }


def none_features(masked: Sequence[str], site: QuoteSite) -> Features:
    """What makes a quotation have no speaker to name at all (a title, a term, a slogan)."""
    return {
        "none": 1,
        f"none:verb_near:{_verb_near(masked, site)}": 1,
        f"none:lower_start:{_lower_start(masked, site)}": 1,
        f"none:opens_paragraph:{not masked[site.first][: site.start].strip()}": 1,
    }


def _verb_near(masked: Sequence[str], site: QuoteSite) -> bool:
    """Whether a speech verb stands in the quotation's sentence, before or after it."""
    head = _SENTENCE_END.split(masked[site.first][: site.start])[-1]
    tail = _SENTENCE_END.split(masked[site.last][site.end :])[0]
    return bool(VERBS.search(head) or VERBS.search(tail))


# Features of a person a pronoun or role phrase may stand for


def resolver_features(
    known: Context, anaphor: Mention, candidate: Mention, recency: int, speakers: Speakers
) -> Features:
    """What makes the earlier name ``candidate`` the one ``anaphor`` refers to."""
    text = known.masked[candidate.paragraph]
    gap = anaphor.paragraph - candidate.paragraph
    verb_after = bool(_APPOSITION_VERB.match(text, candidate.end))
    subject = _starts_sentence(text, candidate.start)
    organisation = len(candidate.text) > 1 and candidate.text.isupper()
    anaphor_kind = anaphor.key if anaphor.kind == "pronoun" else "nominal"
    first = _first_in_sentence(known, candidate)
    predicate = bool(_PREDICATE.match(text, candidate.end))
    gender = known.genders.get(candidate.key, "")
    single = " " not in candidate.text
    return {
        f"recency:{min(recency, 5)}": 1,
        f"gap:{_bucket(gap, (0, 1, 2, 3, 6))}": 1,
        f"count:{_bucket(known.counts[candidate.key], (1, 2, 4, 8))}": 1,
        f"subject:{subject}": 1,
        f"verb_after:{verb_after}": 1,
        f"subject_verb:{subject and verb_after}": 1,
        f"first_in_sentence:{first}": 1,
        f"predicate:{predicate}": 1,
        f"first_predicate:{first and predicate}": 1,
        f"previous_speaker:{candidate.key == speakers.previous}": 1,
        f"earlier_speaker:{candidate.key in speakers.earlier}": 1,
        f"possessive:{candidate.possessive}": 1,
        f"after_preposition:{_after_preposition(text, candidate.start)}": 1,
        f"multiword:{not single}": 1,
        f"modifier:{_modifies(known, candidate)}": 1,
        f"apposition:{_in_apposition(known, candidate)}": 1,
        f"titled:{candidate.titled}": 1,
        f"single_sentence_start:{single and subject and known.counts[candidate.key] == 1}": 1,
        f"anaphor:{anaphor_kind}:female:{candidate.female}": 1,
        f"anaphor:{anaphor_kind}:organisation:{organisation}": 1,
        f"anaphor:{anaphor_kind}:gender:{gender}": 1,
    }


def logistic(score: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, score))))


# Candidates and decoding

INHERIT = "inherit"  # the candidate "whoever spoke the quotation before"
NOBODY = "nobody"  # the candidate "no one is named as saying this"


@dataclass(frozen=True)
class Speaker:
    """A quotation's speaker: the name mention it comes down to, or None."""

    mention: Mention | None


def by_paragraph(mentions: Sequence[Mention]) -> dict[int, list[Mention]]:
    grouped: dict[int, list[Mention]] = {}
    for mention in mentions:
        grouped.setdefault(mention.paragraph, []).append(mention)
    return grouped


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
    sided = [(m, _side(known.masked, site, m)) for m in nearby]
    candidates: list[tuple[Mention | str, Features]] = []
    for mention, (side, between) in sided:
        if side is None or _modifies(known, mention) or _in_apposition(known, mention):
            continue
        rank = sum(1 for _, (s, b) in sided if s == side and len(b) < len(between))
        features = source_features(known, site, mention, rank)
        if features is not None:
            candidates.append((mention, features))
    if can_inherit and number and site.first - sites[number - 1].last <= 1:
        candidates.append((INHERIT, inherit_features(known.masked, site, sites[number - 1])))
    candidates.append((NOBODY, none_features(known.masked, site)))
    return candidates


@dataclass(frozen=True)
class Speakers:
    """The speakers found so far: the last quotation's and every earlier one's (name keys)."""

    previous: str | None = None
    earlier: frozenset[str] = frozenset()


def resolver_candidates(
    known: Context, mentions: Sequence[Mention], anaphor: Mention, speakers: Speakers
) -> list[tuple[Mention, Features]]:
    """The people named before ``anaphor`` that it may stand for, the latest mention of each."""
    at = (anaphor.paragraph, anaphor.start)
    latest: dict[str, Mention] = {}
    for mention in mentions:
        if (mention.paragraph, mention.start) >= at:
            break
        if mention.kind == "name":
            latest[mention.key] = mention
    ordered = sorted(latest.values(), key=lambda m: (m.paragraph, m.start), reverse=True)
    return [
        (m, resolver_features(known, anaphor, m, rank, speakers)) for rank, m in enumerate(ordered)
    ]


def attribute(masked: Sequence[str], sites: Sequence[QuoteSite]) -> list[Mention | None]:
    """The name each quotation comes down to (None when nobody can be named)."""
    source, resolver = models()
    mentions = find_mentions(masked)
    grouped = by_paragraph(mentions)
    known = context(masked, mentions)
    speakers: list[Mention | None] = []
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
    return speakers


def _resolve(
    known: Context, mentions: Sequence[Mention], anaphor: Mention, said: Speakers, resolver: Model
) -> Mention | None:
    candidates = resolver_candidates(known, mentions, anaphor, said)
    if not candidates:
        return None
    return max(candidates, key=lambda item: resolver.score(item[1]))[0]


# Naming the speaker

_ROLE = re.compile(
    r",\s+((?:a|an|the|his|her|their|who\s+is|who\s+was)\s[^,.;:|“”\"]{2,90}?)\s*(?=[,.;:]|$)"
)


def full_name(mentions: Sequence[Mention], mention: Mention) -> str:
    """The fullest form of the name the article uses for ``mention``'s person, titles left out:
    the longest name containing its words, else the full name of that surname named nearest
    before it (or first after it)."""
    names = [m for m in mentions if m.kind == "name" and m.key == mention.key and not m.possessive]
    words = set(mention.text.split())
    wider = [m.text for m in names if words <= set(m.text.split())]
    if len(words) == 1:
        at = (mention.paragraph, mention.start)
        full = [m for m in names if " " in m.text]
        before = [m for m in full if (m.paragraph, m.start) < at]
        chosen = before[-1] if before else (full[0] if full else None)
        if chosen is not None:
            words = set(chosen.text.split())
            wider = [m.text for m in names if words <= set(m.text.split())]
    return max(wider, key=len) if wider else mention.text


def role_after(masked: Sequence[str], mention: Mention) -> str | None:
    """What the article calls the speaker in an apposition after the name ("…, a lawyer for the
    company")."""
    found = _ROLE.match(masked[mention.paragraph], mention.end)
    return found.group(1) if found else None
