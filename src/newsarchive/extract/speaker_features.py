"""What the speaker models see: features of a candidate source of a quotation, and of a person
a pronoun or role phrase may stand for.

Each feature is a name with the value 1; the models in ``attribution`` weigh them. Atoms (which
side of the quotation, how many words away, whether a speech verb follows) are crossed with their
frame (the side and the kind of mention, or the kind of anaphor), so that one linear model can
weigh "a speech verb follows" differently before and after a quotation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsarchive.extract.mentions import Mention, by_paragraph
from newsarchive.extract.names import PREPOSITIONS, SENTENCE_END, VERBS, WORD, after_preposition

Features = dict[str, float]

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
_POSSESSIVE_START = re.compile(r"^(?:’s|'s|’|')")
_COMMA_GAP = re.compile(r",?\s+")
_APPOSITION_GAP = re.compile(r",\s+(?:[a-z][\w’'-]*\s+){1,8}")
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "who",
        "which",
        "whose",
        "whom",
        "that",
        "is",
        "was",
        "were",
        "are",
        "be",
        "been",
        "has",
        "had",
        "have",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "did",
        "does",
        "do",
        "not",
        "also",
        "then",
        "so",
        "as",
        "if",
        "than",
    ]
)


@dataclass(frozen=True)
class QuoteSite:
    """Where one quotation stands: its first paragraph and opening offset, last and closing."""

    first: int
    start: int
    last: int
    end: int


@dataclass(frozen=True)
class Speakers:
    """The speakers found so far: the last quotation's and every earlier one's (name keys)."""

    previous: str | None = None
    earlier: frozenset[str] = frozenset()


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
        masked,
        counts,
        following,
        preceding,
        _genders(masked, mentions),
        by_paragraph(mentions),
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
        stop = (
            after.start
            if after and after.paragraph == mention.paragraph and after.kind == "name"
            else len(text)
        )
        ends = [end.end() for end in SENTENCE_END.finditer(text, mention.end, stop)]
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
    side, between = side_of(masked, site, mention)
    if side is None:
        return None
    text = masked[mention.paragraph]
    single = mention.kind == "name" and " " not in mention.text
    words = len(WORD.findall(between))
    verb_after_found = _APPOSITION_VERB.match(text, mention.end)
    verb_before_found = _VERB_BEFORE.search(text, 0, mention.start)
    verb_after, verb_before = bool(verb_after_found), bool(verb_before_found)
    sentence_break = bool(SENTENCE_END.search(between))
    quote_between = _MASK in between
    atoms = {
        "near": _bucket(words, (0, 1, 3, 6, 12, 25)),
        "verb_after": _verb_word(verb_after_found) if verb_after else False,
        "verb_before": _verb_word(verb_before_found) if verb_before else False,
        "break": sentence_break,
        "quote_between": quote_between,
        "verb_between": bool(VERBS.search(between)),
        "possessive": mention.possessive,
        "after_preposition": after_preposition(text, mention.start),
        "sentence_start": _starts_sentence(text, mention.start),
        "titled": mention.titled,
        "rank": min(rank, 3),
        "count": _bucket(known.counts.get(mention.key, 0), (0, 1, 2, 4, 8)),
        "single_sentence_start": single and _starts_sentence(text, mention.start),
        "lower_elsewhere": single and mention.text.lower() in known.lower_words,
        "first_in_sentence": _first_in_sentence(known, mention),
        "dash": side == "after" and bool(_DASH.fullmatch(between)),
        "says_noun": mention.possessive and bool(_SPEECH_NOUN.match(text, mention.end)),
        "lower_start": _lower_start(masked, site),
        "opens_paragraph": not masked[site.first][: site.start].strip(),
        "key": mention.key if mention.kind != "name" else "",
    }
    features = _crossed(atoms, {"side": side, "kind": mention.kind})
    frame = f"{side}:{mention.kind}"
    features[f"{frame}|near={atoms['near']}|verb_after={atoms['verb_after']}"] = 1
    features[f"{frame}|near={atoms['near']}|verb_before={atoms['verb_before']}"] = 1
    features[f"{frame}|first={atoms['first_in_sentence']}|break={sentence_break}"] = 1
    return features


def _crossed(atoms: dict[str, object], frames: dict[str, str]) -> Features:
    """Each atom alone and within each frame and the frames together: a linear model over
    these can weigh "a verb follows" differently before and after the quotation."""
    joint = ":".join(frames.values()) if len(frames) > 1 else None
    features: Features = {f"{name}={value}": 1 for name, value in frames.items()}
    for name, value in atoms.items():
        atom = f"{name}={value}"
        features[atom] = 1
        for frame_name, frame_value in frames.items():
            features[f"{frame_name}={frame_value}|{atom}"] = 1
        if joint:
            features[f"{joint}|{atom}"] = 1
    if joint:
        features[joint] = 1
    return features


def side_of(masked: Sequence[str], site: QuoteSite, mention: Mention) -> tuple[str | None, str]:
    """Where ``mention`` stands from the quotation, and the text between them."""
    if mention.paragraph == site.first and mention.end <= site.start:
        return "before", masked[site.first][mention.end : site.start]
    if mention.paragraph == site.last and mention.start >= site.end:
        return "after", masked[site.last][site.end : mention.start]
    if mention.paragraph == site.first - 1 and not masked[site.first][: site.start].strip():
        return "previous", masked[mention.paragraph][mention.end :] + " . " + masked[site.first][
            : site.start
        ]
    return None, ""


def _verb_word(found: re.Match[str] | None) -> str:
    """The speech verb a match found ("said", "told"), or "" for none."""
    if found is None:
        return ""
    verb = VERBS.search(found.group())
    return verb.group().lower() if verb else ""


def modifies(known: Context, mention: Mention) -> bool:
    """Whether the mention only qualifies a name right after it ("Trump lawyer Jane Doe", "the
    newspaper Le Monde", "her adviser, Jane Doe"): the name after it is the one that speaks."""
    after = known.following.get(mention)
    if after is None or after.kind != "name" or mention.titled:
        return False
    gap = known.masked[mention.paragraph][mention.end : after.start]
    if mention.kind == "nominal" and _COMMA_GAP.fullmatch(gap):
        return True
    words = _ROLE_GAP.fullmatch(gap)
    role = _POSSESSIVE_START.sub("", gap)
    return bool(words) and not any(_not_role_word(word) for word in WORD.findall(role))


def _not_role_word(word: str) -> bool:
    return (
        word in _FUNCTION_WORDS
        or word in PREPOSITIONS
        or bool(VERBS.fullmatch(word))
        or word.endswith(("ed", "ing"))
        or (word.endswith("s") and not word.endswith("ss"))
    )


def in_apposition(known: Context, mention: Mention) -> bool:
    """Whether the mention stands inside an apposition to an earlier name ("Jane Doe, head of
    the Acme Institute, said"): it describes that person and does not speak."""
    before = known.preceding.get(mention)
    if before is None or before.kind != "name":
        return False
    return bool(
        _APPOSITION_GAP.fullmatch(known.masked[mention.paragraph], before.end, mention.start)
    )


def _first_in_sentence(known: Context, mention: Mention) -> bool:
    """Whether no other name comes before ``mention`` in its sentence (a likely subject)."""
    text = known.masked[mention.paragraph]
    start = max((end.end() for end in SENTENCE_END.finditer(text, 0, mention.start)), default=0)
    return not any(
        m.kind == "name" and start <= m.start < mention.start and not modifies(known, m)
        for m in known.by_paragraph.get(mention.paragraph, ())
    )


def _bucket(value: int, edges: Sequence[int]) -> int:
    return next((edge for edge in edges if value <= edge), edges[-1] + 1)


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
    head = SENTENCE_END.split(masked[site.first][: site.start])[-1]
    tail = SENTENCE_END.split(masked[site.last][site.end :])[0]
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
    kind = anaphor_kind(anaphor)
    first = _first_in_sentence(known, candidate)
    predicate = bool(_PREDICATE.match(text, candidate.end))
    gender = known.genders.get(candidate.key, "")
    single = " " not in candidate.text
    atoms = {
        "recency": min(recency, 5),
        "gap": _bucket(gap, (0, 1, 2, 3, 6)),
        "count": _bucket(known.counts[candidate.key], (1, 2, 4, 8)),
        "subject": subject,
        "verb_after": verb_after,
        "first_in_sentence": first,
        "predicate": predicate,
        "previous_speaker": candidate.key == speakers.previous,
        "earlier_speaker": candidate.key in speakers.earlier,
        "possessive": candidate.possessive,
        "after_preposition": after_preposition(text, candidate.start),
        "multiword": not single,
        "modifier": modifies(known, candidate),
        "apposition": in_apposition(known, candidate),
        "titled": candidate.titled,
        "once_at_sentence_start": single and subject and known.counts[candidate.key] == 1,
        "female": candidate.female,
        "organisation": organisation,
        "gender": gender,
        "lower_elsewhere": single and candidate.text.lower() in known.lower_words,
    }
    features = _crossed(atoms, {"anaphor": kind})
    features[f"recency={atoms['recency']}|previous={atoms['previous_speaker']}"] = 1
    features[f"first={first}|predicate={predicate}|gap={atoms['gap']}"] = 1
    return features


def anaphor_kind(anaphor: Mention) -> str:
    """The pronoun, or the head noun of a role phrase ("senator", "report")."""
    return anaphor.key if anaphor.kind == "pronoun" else anaphor.key.split()[-1]
