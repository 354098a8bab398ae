"""The article as the speaker models see it: where each quotation stands, the mentions around
it, and what is known about each mention from the rest of the article (how often it is named,
the pronoun used for it, whether it only qualifies the name after it).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

from newsarchive.extract.mentions import Mention
from newsarchive.extract.names import PREPOSITIONS, SENTENCE_END, VERBS, WORD, word_start

FeatureNames = Sequence[str]  # the names of the features that are on

MASK = "|"
SENTENCE_WINDOW = 400  # how far a quotation's sentence is read on each side
LOOK_BACK = 80  # how far back a sentence start or a speech verb before a name is looked for
_GAP_ENDS = 200  # a gap longer than twice this is judged by its two ends (it is far anyway)
_GENDERED_WORDS = "he,his,him,himself,she,her,hers,herself"
# searched after every name (``_gender``): written with word_start to skip to the next h or s
_GENDERED = re.compile(word_start(f"{_GENDERED_WORDS},{_GENDERED_WORDS.title()}") + r"\b")
_FEMININE = frozenset({"she", "her", "hers", "herself"})
_LOWER_WORD = re.compile(r"[a-z][a-z-]+")
_WORD_CHAR = re.compile(r"[\w-]")
_ROLE_GAP = re.compile(r"(?:\s+(?:[a-z][\w-]*|\d+(?:st|nd|rd|th))){0,4}\s+")  # "spokesman", "1st"
_OWNER_GAP = re.compile(r"(?:’s|'s|’|')(?:\s+[a-z][\w-]*){0,4},?\s+")
# the words a titled name's run leaves out before it: "Army Capt." in "Army Capt. Jane Doe"
_TITLE_WORDS = re.compile(r"(?:[A-Z][\w’'-]*\.?\s+)+$")
_POSSESSIVE_START = re.compile(r"^(?:’s|'s|’|')")
_COMMA_GAP = re.compile(r",?\s+")
# ", head of the", ", a lawyer for", " of " ("Jane Doe of Ohio"): what describes the name before
_APPOSITION_GAP = re.compile(r",\s+(?:[a-z][\w’'-]*\s+){1,8}|\s+of\s+")
# what opens a wire story's paragraph: "LONDON (Reuters) - ", "DES MOINES, Iowa — ", "Washington
# (AFP) – ", "NEW YORK, Nov. 19 (UPI) — " (a place in capitals, or one with an agency in brackets;
# not "UN envoy Jane Doe – in Geneva – said", capitals opening a sentence)
_DATELINE = re.compile(
    r"\s*(?:[A-Z]{2}[A-Z.'’ ]*|[A-Z][^\n—–|(,-]*\([A-Z][\w ]*\))"
    r"(?:,[^\n—–|-]{1,30})?\s*(?:\([A-Z][\w ]*\)\s*)?(?:[—–]|--?)\s"
)
_FUNCTION_WORDS = frozenset((
    "a", "an", "the", "and", "or", "but", "nor", "who", "which", "whose", "whom", "that", "is",
    "was", "were", "are", "be", "been", "has", "had", "have", "will", "would", "could", "should",
    "may", "might", "can", "did", "does", "do", "not", "also", "then", "so", "as", "if", "than",
))  # fmt: skip


@dataclass(frozen=True)
class QuoteSite:
    """Where one quotation stands: its first paragraph and opening offset, last and closing;
    whether only white space comes before it in its paragraph; whether it opens in lower case (a
    fragment inside a sentence); and whether a speech verb stands in its sentence, before or
    after it (``SENTENCE_WINDOW`` characters at the most)."""

    first: int
    start: int
    last: int
    end: int
    opens: bool = False
    lower_start: bool = False
    verb_near: bool = False
    text: str = ""  # what the quotation says

    @cached_property
    def words(self) -> frozenset[str]:
        """The quotation's own words, case-folded (worked out for the few that need them)."""
        return frozenset(word.casefold() for word in WORD.findall(self.text))


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
    masked: Sequence[str],
    ends: SentenceEnds,
    first: int,
    start: int,
    last: int,
    end: int,
    text: str = "",
) -> QuoteSite:
    """The site of a quotation in the masked paragraphs (quotations blanked out); ``text``: what
    it says."""
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
    lower_start = before[start + 1 : start + 2].islower()
    verb_near = bool(VERBS.search(head) or VERBS.search(tail))
    return QuoteSite(first, start, last, end, opens, lower_start, verb_near, text)


@dataclass(frozen=True)
class ParagraphMentions:
    """One paragraph's mentions in reading order, and where each starts (to bisect)."""

    mentions: list[Mention]
    starts: list[int]


class Context:
    """What the features of a mention need to know about the rest of the article. What only
    some quotations need (pronoun genders, lower-case words, sentence subjects) is worked out
    the first time it is asked for, and each mention's own features once."""

    def __init__(
        self, masked: Sequence[str], mentions: Sequence[Mention], ends: SentenceEnds
    ) -> None:
        self.masked = masked
        self.mentions = mentions
        self.ends = ends  # shared with the quotation sites: each paragraph is scanned once
        self.counts = Counter(m.key for m in mentions if m.kind == "name")  # how often named
        self.order = {mention: number for number, mention in enumerate(mentions)}
        self._paragraph_of = [mention.paragraph for mention in mentions]
        self._paragraphs: dict[int, ParagraphMentions | None] = {}
        self.atoms: dict[tuple[str, Mention], tuple[dict[str, object], FeatureNames]] = {}
        self._firsts: dict[int, frozenset[Mention]] = {}
        self._genders: dict[str, str | None] = {}
        self._lower: dict[str, bool] = {}
        self._can_speak: dict[Mention, bool] = {}
        self._datelines: dict[int, int] = {}
        self.modifiers: dict[Mention, bool] = {}  # ``modifies`` of each mention asked about
        self.people: dict[str, FeatureNames] = {}  # what each name's mentions say of it

    def named(self, key: str) -> list[Mention]:
        """The mentions of the name ``key``, possessives left out."""
        return [self.mentions[number] for number in self._named_at.get(key, ())]

    def paragraph(self, paragraph: int) -> ParagraphMentions | None:
        """The mentions in ``paragraph``, or None where it has none."""
        if paragraph not in self._paragraphs:
            low = bisect_left(self._paragraph_of, paragraph)
            found = self.mentions[low : bisect_right(self._paragraph_of, paragraph, low)]
            self._paragraphs[paragraph] = (
                ParagraphMentions(list(found), [m.start for m in found]) if found else None
            )
        return self._paragraphs[paragraph]

    def following(self, mention: Mention) -> Mention | None:
        """The next mention in the same paragraph."""
        number = self.order[mention] + 1
        if number < len(self.mentions) and self._paragraph_of[number] == mention.paragraph:
            return self.mentions[number]
        return None

    def preceding(self, mention: Mention) -> Mention | None:
        """The mention before in the same paragraph."""
        number = self.order[mention] - 1
        if number >= 0 and self._paragraph_of[number] == mention.paragraph:
            return self.mentions[number]
        return None

    def can_speak(self, mention: Mention) -> bool:
        """Whether the mention may be a source: not a mere modifier of the name after it, nor
        inside an apposition to the one before."""
        if mention not in self._can_speak:
            self._can_speak[mention] = (
                not modifies(self, mention)
                and not in_apposition(self, mention)
                and mention.end > self._dateline_end(mention.paragraph)
            )
        return self._can_speak[mention]

    def _dateline_end(self, paragraph: int) -> int:
        """Where the dateline opening the paragraph ends ("LONDON (Reuters) - Jane Doe said"):
        what stands in it is a place, not a source. 0 when there is none."""
        if paragraph not in self._datelines:
            found = _DATELINE.match(self.masked[paragraph])
            self._datelines[paragraph] = found.end() if found else 0
        return self._datelines[paragraph]

    def common_word(self, mention: Mention) -> bool:
        """Whether the name is a single word capitalised only because it opens a sentence, which
        the article also writes in lower case ("Fundraising was slow"): no one a pronoun may
        stand for. (It may still be a source: "Police say …".)"""
        return (
            " " not in mention.text
            and starts_sentence(self.masked[mention.paragraph], mention.start)
            and self.written_lower(mention.text)
        )

    def gender(self, key: str) -> str | None:
        """ "he" or "she" when the article follows the name ``key`` with that pronoun."""
        if key not in self._genders:
            self._genders[key] = _gender(self, self._named_at.get(key, ()))
        return self._genders[key]

    @cached_property
    def _named_at(self) -> dict[str, list[int]]:
        """Where each name stands in the mentions, not as a possessive."""
        found: dict[str, list[int]] = {}
        for number, mention in enumerate(self.mentions):
            if mention.kind == "name" and not mention.possessive:
                found.setdefault(mention.key, []).append(number)
        return found

    @cached_property
    def _text(self) -> str:
        return "\n".join(self.masked)

    def written_lower(self, word: str) -> bool:
        """Whether the article also writes ``word`` in lower case ("Will", "will")."""
        lower = word.lower()
        if lower not in self._lower:
            self._lower[lower] = bool(_LOWER_WORD.fullmatch(lower)) and _stands_alone(
                self._text, lower
            )
        return self._lower[lower]

    def first_in_sentence(self, mention: Mention) -> bool:
        """Whether no other name (one that is not a mere modifier) comes before ``mention`` in
        its sentence: a likely subject."""
        if mention.paragraph not in self._firsts:
            self._firsts[mention.paragraph] = _firsts(self, mention.paragraph)
        return mention in self._firsts[mention.paragraph]


def starts_sentence(text: str, start: int) -> bool:
    """Whether only a sentence end, the paragraph's start or a quotation stands before ``start``
    (spaces, dashes and open marks aside)."""
    low = max(0, start - LOOK_BACK)
    before = text[low:start].rstrip(" \u00a0\"“”'(—–-")
    if not before:
        return low == 0 or not text[low - 1].strip()
    return before.endswith((".", "!", "?", ":", ";", MASK))


def _firsts(known: Context, paragraph: int) -> frozenset[Mention]:
    firsts: set[Mention] = set()
    _, ends = known.ends.of(paragraph)
    named: set[int] = set()  # sentences that have had a name
    for mention in known.paragraph(paragraph).mentions:
        sentence = bisect_right(ends, mention.start)
        if sentence not in named:
            firsts.add(mention)
        if mention.kind == "name" and not modifies(known, mention):
            named.add(sentence)
    return frozenset(firsts)


def _stands_alone(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` as a word of its own (not in "anti-word", "words")."""
    at = text.find(word)
    while at >= 0:
        before, after = text[at - 1 : at] if at else "", text[at + len(word) : at + len(word) + 1]
        if not _WORD_CHAR.match(before) and not _WORD_CHAR.match(after):
            return True
        at = text.find(word, at + 1)
    return False


def _gender(known: Context, numbers: Sequence[int]) -> str | None:
    """A vote of the he/his/him and she/her words that follow each mention of a name (at
    ``numbers`` in the article's mentions) before the next name, in its sentence and the next."""
    votes = {"he": 0, "she": 0}
    mentions = known.mentions
    for number in numbers:
        mention = mentions[number]
        text = known.masked[mention.paragraph]
        stop = min(_next_name(mentions, number, len(text)), mention.end + 2 * SENTENCE_WINDOW)
        ends = islice(SENTENCE_END.finditer(text, mention.end, stop), 2)
        last_end = [end.end() for end in ends][1:]
        found = _GENDERED.search(text, mention.end, last_end[0] if last_end else stop)
        if found:
            votes["she" if found.group().lower() in _FEMININE else "he"] += 1
    if votes["he"] == votes["she"]:
        return None
    return "she" if votes["she"] > votes["he"] else "he"


def _next_name(mentions: Sequence[Mention], number: int, otherwise: int) -> int:
    """Where the next name in the paragraph of mention ``number`` starts (else ``otherwise``)."""
    paragraph = mentions[number].paragraph
    for after in range(number + 1, len(mentions)):
        if mentions[after].paragraph != paragraph:
            break
        if mentions[after].kind == "name":
            return mentions[after].start
    return otherwise


def nearest(
    known: Context, site: QuoteSite, limits: Mapping[str, int]
) -> Iterator[tuple[str, list[Mention]]]:
    """Each side of the quotation at ``site`` (before it in its first paragraph, after it in
    its last, and the paragraph before when the quotation opens its own) with up to its
    ``limits`` of mentions there, nearest first. Modifiers and names inside an apposition never speak."""
    first, last = known.paragraph(site.first), known.paragraph(site.last)
    if first:
        at = bisect_left(first.starts, site.start)
        yield (
            "before",
            _speakers(
                known, map(first.mentions.__getitem__, range(at - 1, -1, -1)), limits["before"]
            ),
        )
    if last:
        at = bisect_left(last.starts, site.end)
        yield (
            "after",
            _speakers(
                known,
                map(last.mentions.__getitem__, range(at, len(last.mentions))),
                limits["after"],
            ),
        )
    previous = known.paragraph(site.first - 1)
    if previous and site.opens:
        yield "previous", _speakers(known, reversed(previous.mentions), limits["previous"])


def _speakers(known: Context, mentions: Iterator[Mention], limit: int) -> list[Mention]:
    return list(islice(filter(known.can_speak, mentions), limit))


def between(masked: Sequence[str], site: QuoteSite, side: str, mention: Mention) -> str:
    """The text between ``mention`` and the quotation; a long one keeps only its two ends."""
    if side == "before":
        return ends(masked[site.first], mention.end, site.start)
    if side == "after":
        return ends(masked[site.last], site.end, mention.start)
    text = masked[mention.paragraph]
    return ends(text, mention.end, len(text)) + " . "


def ends(text: str, low: int, high: int) -> str:
    """``text[low:high]``, or its two ends when it is long: what lies far away is far anyway."""
    if high - low > 2 * _GAP_ENDS:
        return f"{text[low : low + _GAP_ENDS]} … {text[high - _GAP_ENDS : high]}"
    return text[low:high]


def closed_off(gap: str) -> bool:
    """Whether another quotation and a sentence end stand in ``gap``: a name before them belongs
    to that quotation's sentence ("Doe called it “x”. “…”")."""
    return MASK in gap and bool(SENTENCE_END.search(gap))


def modifies(known: Context, mention: Mention) -> bool:
    """Whether the mention only qualifies a name right after it ("Trump lawyer Jane Doe", "the
    newspaper Le Monde", "her adviser, Jane Doe"): the name after it is the one that speaks.
    Worked out once per mention: sentence subjects, sources and resolved people all ask."""
    found = known.modifiers.get(mention)
    if found is None:
        found = known.modifiers[mention] = _modifies(known, mention)
    return found


def _modifies(known: Context, mention: Mention) -> bool:
    after = known.following(mention)
    while after is not None and after.start < mention.end:  # inside "the Israeli newspaper"
        after = known.following(after)
    if after is None or after.kind != "name" or mention.titled:
        return False
    gap = known.masked[mention.paragraph][mention.end : after.start]
    if after.titled:
        gap = _TITLE_WORDS.sub(" ", gap)
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
    the Acme Institute, said", "Jane Doe of Ohio said"): it describes that person and does not
    speak."""
    before = known.preceding(mention)
    if before is None or before.kind != "name":
        return False
    return bool(
        _APPOSITION_GAP.fullmatch(known.masked[mention.paragraph], before.end, mention.start)
    )
