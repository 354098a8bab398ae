"""What the speaker models see: features of a candidate source of a quotation, and of a person
a pronoun or role phrase may stand for.

Each feature is a name with the value 1; the models in ``attribution`` weigh them. Atoms (which
side of the quotation, how many words away, whether a speech verb follows) are crossed with their
frame (the side and the kind of mention, or the kind of anaphor), so that one linear model can
weigh "a speech verb follows" differently before and after a quotation.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice

from newsarchive.extract.mentions import Mention, by_paragraph
from newsarchive.extract.names import PREPOSITIONS, SENTENCE_END, VERBS, WORD, after_preposition

FeatureNames = list[str]  # the names of the features that are on


@dataclass(frozen=True)
class Features:
    """The features of one candidate. Each atom ("verb_after=said") counts alone and within the
    candidate's ``frame`` ("frame=before:name|verb_after=said"), so that a linear model can
    weigh it differently before and after a quotation; ``shared`` atoms are the same for every
    quotation the candidate stands beside (scored once, under ``key``), ``own`` ones are not;
    ``extra`` features are combinations named in full."""

    frame: str
    shared: FeatureNames = field(default_factory=list)
    own: FeatureNames = field(default_factory=list)
    extra: FeatureNames = field(default_factory=list)
    key: tuple[str, Mention] | None = None

    def names(self) -> FeatureNames:
        """Every feature by its full name (for training)."""
        if not self.frame:
            return self.extra
        atoms = self.shared + self.own
        return [self.frame, *atoms, *(f"{self.frame}|{atom}" for atom in atoms), *self.extra]


_APPOSITION_VERB = re.compile(rf"(?:,[^,|]{{1,90}},)?\s*(?:\w+\s+){{0,2}}?(?:{VERBS.pattern})")
_VERB_BEFORE = re.compile(rf"(?:{VERBS.pattern})(?:\s+(?:by|to))?\s+(?:\w+\.?\s+){{0,2}}$")
_MASK = "|"
_TIGHT_AFTER = re.compile(rf"[\s,—–-]*(?:(?:{VERBS.pattern})\s+)?")
_LOOK_BACK = 80  # enough for "according to Sen." before a name
SENTENCE_WINDOW = 400  # how far a quotation's sentence is read on each side
_GAP_ENDS = 200  # a gap longer than twice this is judged by its two ends (it is far anyway)
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
_ROLE_GAP = re.compile(r"(?:\s+[a-z][\w-]*){0,4}\s+")
_OWNER_GAP = re.compile(r"(?:’s|'s|’|')(?:\s+[a-z][\w-]*){1,4},?\s+")
_POSSESSIVE_START = re.compile(r"^(?:’s|'s|’|')")
_COMMA_GAP = re.compile(r",?\s+")
_APPOSITION_GAP = re.compile(r",\s+(?:[a-z][\w’'-]*\s+){1,8}")
_FUNCTION_WORDS = frozenset((
    "a", "an", "the", "and", "or", "but", "nor", "who", "which", "whose", "whom", "that", "is",
    "was", "were", "are", "be", "been", "has", "had", "have", "will", "would", "could", "should",
    "may", "might", "can", "did", "does", "do", "not", "also", "then", "so", "as", "if", "than",
))  # fmt: skip


@dataclass(frozen=True)
class QuoteSite:
    """Where one quotation stands: its first paragraph and opening offset, last and closing;
    whether only white space comes before it in its paragraph; and the parts of its sentence
    before and after it (``SENTENCE_WINDOW`` characters at the most)."""

    first: int
    start: int
    last: int
    end: int
    opens: bool = False
    head: str = ""
    tail: str = ""


class SentenceEnds:
    """Where the sentences of each masked paragraph end, found once per paragraph."""

    def __init__(self, masked: Sequence[str]) -> None:
        self._masked = masked
        self._ends: dict[int, tuple[list[int], list[int]]] = {}

    def of(self, paragraph: int) -> tuple[list[int], list[int]]:
        """The starts and the ends of the paragraph's sentence-ending punctuation."""
        if paragraph not in self._ends:
            found = list(SENTENCE_END.finditer(self._masked[paragraph]))
            self._ends[paragraph] = ([m.start() for m in found], [m.end() for m in found])
        return self._ends[paragraph]


def quote_site(
    masked: Sequence[str], ends: SentenceEnds, first: int, start: int, last: int, end: int
) -> QuoteSite:
    """The site of a quotation in the masked paragraphs (quotations blanked out)."""
    before, after = masked[first], masked[last]
    low = max(0, start - SENTENCE_WINDOW)
    _, closes = ends.of(first)
    at = bisect_right(closes, start) - 1
    head = before[max(low, closes[at]) if at >= 0 else low : start]
    high = min(len(after), end + SENTENCE_WINDOW)
    opens_after, _ = ends.of(last)
    at = bisect_left(opens_after, end)
    tail = after[end : min(high, opens_after[at]) if at < len(opens_after) else high]
    opens = not before[low:start].strip() and (low == 0 or not before[:low].strip())
    return QuoteSite(first, start, last, end, opens, head, tail)


@dataclass(frozen=True)
class Speakers:
    """The speakers found so far: the last quotation's and every earlier one's (name keys)."""

    previous: str | None = None
    earlier: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParagraphMentions:
    """One paragraph's mentions in reading order, and where each starts (to bisect)."""

    mentions: list[Mention]
    starts: list[int]


class Context:
    """What the features of a mention need to know about the rest of the article. What only
    some quotations need (pronoun genders, lower-case words, sentence subjects) is worked out
    the first time it is asked for, and each mention's own features once."""

    def __init__(self, masked: Sequence[str], mentions: Sequence[Mention]) -> None:
        self.masked = masked
        self.mentions = mentions
        self.counts: dict[str, int] = {}  # how often each name is mentioned
        self.following: dict[Mention, Mention] = {}  # the next mention in the same paragraph
        for number, mention in enumerate(mentions):
            if mention.kind == "name":
                self.counts[mention.key] = self.counts.get(mention.key, 0) + 1
            if number + 1 < len(mentions) and mentions[number + 1].paragraph == mention.paragraph:
                self.following[mention] = mentions[number + 1]
        self.preceding = {after: before for before, after in self.following.items()}
        self.paragraphs = {
            paragraph: ParagraphMentions(found, [m.start for m in found])
            for paragraph, found in by_paragraph(mentions).items()
        }
        self.order = {mention: number for number, mention in enumerate(mentions)}
        self.atoms: dict[tuple[str, Mention], tuple[dict[str, object], FeatureNames]] = {}
        self._firsts: dict[int, frozenset[Mention]] = {}

    @cached_property
    def genders(self) -> dict[str, str]:
        """ "he" or "she" for the names the article follows with that pronoun."""
        return _genders(self.masked, self.mentions)

    @cached_property
    def lower_words(self) -> frozenset[str]:
        """The words the article writes in lower case."""
        return frozenset(word for text in self.masked for word in _LOWER_WORD.findall(text))

    def first_in_sentence(self, mention: Mention) -> bool:
        """Whether no other name (one that is not a mere modifier) comes before ``mention`` in
        its sentence: a likely subject."""
        if mention.paragraph not in self._firsts:
            self._firsts[mention.paragraph] = _firsts(self, mention.paragraph)
        return mention in self._firsts[mention.paragraph]


def context(masked: Sequence[str], mentions: Sequence[Mention]) -> Context:
    """Everything about the article the features need, from its mentions."""
    return Context(masked, mentions)


def _firsts(known: Context, paragraph: int) -> frozenset[Mention]:
    firsts: set[Mention] = set()
    ends = [end.end() for end in SENTENCE_END.finditer(known.masked[paragraph])]
    named: set[int] = set()  # sentences that have had a name
    for mention in known.paragraphs[paragraph].mentions:
        sentence = bisect_right(ends, mention.start)
        if sentence not in named:
            firsts.add(mention)
        if mention.kind == "name" and not modifies(known, mention):
            named.add(sentence)
    return frozenset(firsts)


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
        stop = min(stop, mention.end + 2 * SENTENCE_WINDOW)
        ends = islice(SENTENCE_END.finditer(text, mention.end, stop), 2)
        last_end = [end.end() for end in ends][1:]
        found = _GENDERED.search(text, mention.end, last_end[0] if last_end else stop)
        if found:
            tally = votes.setdefault(mention.key, {"he": 0, "she": 0})
            tally["she" if found.group().lower() in _FEMININE else "he"] += 1
    return {
        key: "she" if tally["she"] > tally["he"] else "he"
        for key, tally in votes.items()
        if tally["he"] != tally["she"]
    }


def source_features(
    known: Context, site: QuoteSite, mention: Mention, side: str, gap: str, rank: int
) -> Features:
    """What makes ``mention``, on ``side`` of the quotation at ``site`` with ``gap`` between
    them, look like its source; ``rank``: how many candidates on that side stand nearer."""
    atoms, shared = _atoms(known, "source", mention, _source_atoms)
    frame = f"{side}:{mention.kind}"
    near = _bucket(len(WORD.findall(gap)), (0, 1, 3, 6, 12, 25))
    sentence_break = bool(SENTENCE_END.search(gap))
    dynamic = {
        "near": near,
        "break": sentence_break,
        "quote_between": _MASK in gap,
        "verb_between": bool(VERBS.search(gap)),
        "rank": min(rank, 3),
        "dash": side == "after" and bool(_DASH.fullmatch(gap)),
        "lower_start": _lower_start(known.masked, site),
        "opens_paragraph": site.opens,
        "tight": _tight(atoms, side, gap, sentence_break),
    }
    return Features(
        f"frame={frame}",
        shared,
        _named(dynamic),
        [
            f"{frame}|near={near}|verb_after={bool(atoms['verb_after'])}",
            f"{frame}|near={near}|verb_before={bool(atoms['verb_before'])}",
            f"{frame}|first={atoms['first_in_sentence']}|break={sentence_break}",
            f"{frame}|break={sentence_break}|verbs={bool(atoms['verb_after'])}"
            f":{bool(atoms['verb_before'])}",
        ],
        ("source", mention),
    )


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
    starts = _starts_sentence(text, mention.start)
    return {
        "verb_after": _verb_word(_APPOSITION_VERB.match(text, mention.end)),
        "verb_before": _verb_word(
            _VERB_BEFORE.search(text, max(0, mention.start - _LOOK_BACK), mention.start)
        ),
        "possessive": mention.possessive,
        "after_preposition": after_preposition(text, mention.start),
        "sentence_start": starts,
        "titled": mention.titled,
        "count": _bucket(known.counts.get(mention.key, 0), (0, 1, 2, 4, 8)),
        "single_sentence_start": single and starts,
        "lower_elsewhere": single and mention.text.lower() in known.lower_words,
        "first_in_sentence": known.first_in_sentence(mention),
        "says_noun": mention.possessive and bool(_SPEECH_NOUN.match(text, mention.end)),
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
    if key not in known.atoms:
        atoms = atoms_of(known, mention)
        known.atoms[key] = (atoms, _named(atoms))
    return known.atoms[key]


def _named(atoms: dict[str, object]) -> FeatureNames:
    return [f"{name}={value}" for name, value in atoms.items()]


def nearest(known: Context, site: QuoteSite, limit: int) -> Iterator[tuple[str, list[Mention]]]:
    """Each side of the quotation at ``site`` (before it in its first paragraph, after it in
    its last, and the paragraph before when the quotation opens its own) with up to ``limit``
    mentions there, nearest first. Modifiers and names inside an apposition never speak."""
    first, last = known.paragraphs.get(site.first), known.paragraphs.get(site.last)
    if first:
        at = bisect_left(first.starts, site.start)
        yield (
            "before",
            _speakers(known, map(first.mentions.__getitem__, range(at - 1, -1, -1)), limit),
        )
    if last:
        at = bisect_left(last.starts, site.end)
        yield "after", _speakers(known, islice(last.mentions, at, None), limit)
    previous = known.paragraphs.get(site.first - 1)
    if previous and site.opens:
        yield "previous", _speakers(known, reversed(previous.mentions), limit)


def _speakers(known: Context, mentions: Iterator[Mention], limit: int) -> list[Mention]:
    able = (m for m in mentions if not modifies(known, m) and not in_apposition(known, m))
    return list(islice(able, limit))


def between(masked: Sequence[str], site: QuoteSite, side: str, mention: Mention) -> str:
    """The text between ``mention`` and the quotation; a long one keeps only its two ends."""
    if side == "before":
        return _ends(masked[site.first], mention.end, site.start)
    if side == "after":
        return _ends(masked[site.last], site.end, mention.start)
    text = masked[mention.paragraph]
    return _ends(text, mention.end, len(text)) + " . "


def _ends(text: str, low: int, high: int) -> str:
    """``text[low:high]``, or its two ends when it is long: what lies far away is far anyway."""
    if high - low > 2 * _GAP_ENDS:
        return f"{text[low : low + _GAP_ENDS]} … {text[high - _GAP_ENDS : high]}"
    return text[low:high]


def closed_off(gap: str) -> bool:
    """Whether another quotation and a sentence end stand in ``gap``: a name before them belongs
    to that quotation's sentence ("Doe called it “x”. “…”")."""
    return _MASK in gap and bool(SENTENCE_END.search(gap))


def _verb_word(found: re.Match[str] | None) -> str | bool:
    """The speech verb a match found ("said", "told"), or False for none."""
    if found is None:
        return False
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
    shape = _OWNER_GAP if mention.possessive else _ROLE_GAP  # "Trump’s lawyer, Jane Doe"
    role = _POSSESSIVE_START.sub("", gap)
    return bool(shape.fullmatch(gap)) and not any(_not_role_word(w) for w in WORD.findall(role))


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


def _bucket(value: int, edges: Sequence[int]) -> int:
    return next((edge for edge in edges if value <= edge), edges[-1] + 1)


def _starts_sentence(text: str, start: int) -> bool:
    """Whether only a sentence end, the paragraph's start or a quotation stands before ``start``
    (spaces, dashes and open marks aside)."""
    low = max(0, start - _LOOK_BACK)
    before = text[low:start].rstrip(" \u00a0\"“”'(—–-")
    if not before:
        return low == 0 or not text[low - 1].strip()
    return before.endswith((".", "!", "?", ":", ";", _MASK))


def _lower_start(masked: Sequence[str], site: QuoteSite) -> bool:
    """Whether the quotation is a fragment inside a sentence (“…” opening in lower case)."""
    text = masked[site.first][site.start : site.start + 3]
    return bool(text) and any(char.islower() for char in text[1:2])


def inherit_features(masked: Sequence[str], site: QuoteSite, previous: QuoteSite) -> Features:
    """What makes the speaker of the quotation before (at ``previous``) this one's speaker too."""
    gap = site.first - previous.last
    between = _ends(masked[site.first], previous.end, site.start) if gap == 0 else ""
    opens = site.opens
    return Features(
        "",
        extra=[
            "inherit",
            f"inherit:gap:{min(gap, 3)}",
            f"inherit:opens_paragraph:{opens}",
            f"inherit:gap:{min(gap, 3)}:opens_paragraph:{opens}",
            f"inherit:between_words:{_bucket(len(WORD.findall(between)), (0, 2, 4, 8))}",
            f"inherit:between_verb:{bool(VERBS.search(between))}",
            f"inherit:verb_near:{_verb_near(masked, site)}",
        ],
    )


def none_features(masked: Sequence[str], site: QuoteSite) -> Features:
    """What makes a quotation have no speaker to name at all (a title, a term, a slogan)."""
    return Features(
        "",
        extra=[
            "none",
            f"none:verb_near:{_verb_near(masked, site)}",
            f"none:lower_start:{_lower_start(masked, site)}",
            f"none:opens_paragraph:{site.opens}",
        ],
    )


def _verb_near(masked: Sequence[str], site: QuoteSite) -> bool:
    """Whether a speech verb stands in the quotation's sentence, before or after it."""
    return bool(VERBS.search(site.head) or VERBS.search(site.tail))


# Features of a person a pronoun or role phrase may stand for


def resolver_features(
    known: Context,
    anaphor: Mention,
    candidate: Mention,
    recency: int,
    speakers: Speakers,
    speaking: int | None,
) -> Features:
    """What makes the earlier name ``candidate`` the one ``anaphor`` refers to; ``recency``: how
    many other people were named since; ``speaking``: how many other subjects of a speech verb
    ("X said …") were named since, None when the candidate was never one."""
    atoms, shared = _atoms(known, "resolver", candidate, _resolver_atoms)
    gap = _bucket(anaphor.paragraph - candidate.paragraph, (0, 1, 2, 3, 6))
    dynamic = {
        "recency": min(recency, 5),
        "gap": gap,
        "previous_speaker": candidate.key == speakers.previous,
        "earlier_speaker": candidate.key in speakers.earlier,
        "speaking": "never" if speaking is None else min(speaking, 2),
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
    subject = _starts_sentence(text, candidate.start)
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
        "gender": known.genders.get(candidate.key, ""),
        "lower_elsewhere": single and candidate.text.lower() in known.lower_words,
    }


def speaks(known: Context, mention: Mention) -> bool:
    """Whether the mention is the subject of a speech verb ("Jane Doe, the mayor, said …")."""
    atoms, _ = _atoms(known, "resolver", mention, _resolver_atoms)
    return bool(atoms["first_in_sentence"] and atoms["verb_after"])


def subject(known: Context, mention: Mention) -> bool:
    """Whether the mention is the subject of its sentence: first in it and followed by a verb."""
    atoms, _ = _atoms(known, "resolver", mention, _resolver_atoms)
    return bool(atoms["first_in_sentence"] and atoms["predicate"] and not atoms["possessive"])


def anaphor_kind(anaphor: Mention) -> str:
    """The pronoun, or the head noun of a role phrase ("senator", "report")."""
    return anaphor.key if anaphor.kind == "pronoun" else anaphor.key.split()[-1]
