"""Direct quotations and their speakers, found in an article's clean paragraphs.

A quotation is the text between quote marks: “…” and „…“ (curly), "…" (straight), « … »
(guillemets) and ‘…’ (British single marks, told apart from apostrophes by where they stand). A
quotation still open at the end of a paragraph continues when the next paragraph opens with the same
kind of mark, the newspaper convention for speech running over several paragraphs; its pieces are
joined with "\\n", so every line of a quotation's text is a substring of one input paragraph.

Speakers are chosen by ``attribution`` among the names, pronouns and role phrases around each
quotation, with the quotations blanked out so that nobody quoted is taken for a speaker; each is
stored in the fullest form of the name the article uses (``mentions.Names``), with the role an
apposition gives it. A short phrase that nothing attributes, a so-called phrase or a title after a
preposition is kind ``term`` rather than ``speech``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from newsarchive.extract.attribution import ATTRIBUTED_QUOTATIONS, Attribution, attribute
from newsarchive.extract.mentions import Mention, Names, find_mentions, role_after
from newsarchive.extract.names import WORD
from newsarchive.extract.speaker_context import MASK, QuoteSite, SentenceEnds, quote_site
from newsarchive.models import Quote

_FAMILY = {
    "“": "curly", "”": "curly", "„": "curly", '"': "straight", "«": "guillemet", "‘": "single"
}  # fmt: skip
_CLOSER = {
    "“": re.compile('[”"]'),
    "”": re.compile("”"),
    "„": re.compile("[“”]"),
    '"': re.compile('["”]'),
    "«": re.compile("»"),
}
_OPENER = re.compile('[“”„"«‘]')
_SINGLE_MARK = re.compile("[‘’]")
_NOT_SINGLE_QUOTE = re.compile(r"\d\ds\b|n’")  # ‘90s and rock ‘n’ roll typed with the wrong mark
_MID_CLAUSE = re.compile(r"\s+[a-z]")
# Pronouns and role phrases are looked for this many paragraphs before a quotation: one for a
# source in the paragraph before, one more for who a pronoun there stands for (``attribution``).
ANAPHOR_PARAGRAPHS = 2
# A transcript names who speaks at the start of each paragraph ("PENCE: Well, look, ..."), inside
# the quote marks or without any; an article is one when it has this many such paragraphs, with
# two speakers at least and one of them speaking twice ("UPDATE:" and "NOTE:" are no dialogue).
_LABEL = re.compile(
    r"([\"“”„«]?)((?:[A-Z][A-Z’'.-]*\s){0,2}[A-Z][A-Z’'.-]+)(?:,\s+[A-Z][A-Z ]*[A-Z])?:\s+"
)  # "PENCE:", "“WALLACE:", "SEN. TIM KAINE:", "JANE DOE, HOST:" (the role is left out)
TRANSCRIPT_TURNS = 3
TURN_WORDS = 4  # a turn says this many words at least
TERM_WORDS = 3  # a quotation this short that nothing attributes is a term
TITLE_WORDS = 6  # a title in quote marks ("on “Face the Nation”") is at most this long
_TERM_MARKER = re.compile(
    r"\b(?:so-called|so called|the word|the words|the term|the phrase|known as|nicknamed|dubbed|"
    r"titled|entitled|sogenannte[nmrs]?|so genannte[nmrs]?|dit|dite|surnommé)\s*$"
)
_TITLE_BEFORE = re.compile(r"(?:\b(?:on|in|to|at|from|of|for|with|by|the)|’s|'s)\s*$", re.I)
_TITLE_SMALL_WORDS = frozenset(
    ["a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"]
)


@dataclass(frozen=True)
class _Mark:
    """One pair of quote marks in one paragraph; ``closed`` is False when it runs to the end."""

    start: int
    end: int
    inner: str
    family: str
    closed: bool


@dataclass
class _Span:
    """A quotation: its marks, one per paragraph it runs over, starting in paragraph ``first``;
    its ``text`` is read at once (every quotation's is), not as a cached property, which takes
    a lock on each first read."""

    first: int
    marks: tuple[_Mark, ...]
    text: str = field(init=False)

    def __post_init__(self) -> None:
        pieces = (mark.inner.strip() for mark in self.marks)
        text = "\n".join(piece for piece in pieces if piece).rstrip(",").rstrip()
        self.text = text if any(char.isalnum() for char in text) else ""

    @property
    def last(self) -> int:
        return self.first + len(self.marks) - 1


def find_quotes(paragraphs: list[str]) -> list[Quote]:
    """Direct quotations in order of appearance, one per distinct text, with speakers when known.

    ``paragraphs`` is the clean body, one paragraph per item (a standfirst may come first). A
    quotation running over several paragraphs has its pieces joined with "\\n".
    """
    located = locate(paragraphs)
    if not located.spans:
        return []
    mentions = located.mentions()
    attributions = attribute(located.masked, located.sites, mentions, located.ends)
    attributions += [Attribution(None)] * (len(located.spans) - len(located.sites))
    names = Names(mentions)
    quotes: dict[str, Quote] = {}
    for span, said in zip(located.spans, attributions, strict=True):
        known = quotes.get(span.text)
        if known is not None and (known.speaker or _nameless(located, span, said)):
            continue  # the first speaker named for a text stays; a nameless copy adds nothing
        label = _turn_speaker(located, span, names)
        quote = Quote(span.text, label) if label else _quote(located, span, said, names)
        if known is None or quote.speaker is not None:
            quotes[span.text] = quote
    return list(quotes.values())


def _nameless(located: Located, span: _Span, said: Attribution) -> bool:
    """Whether nothing names the speaker of ``span``: no attribution, no transcript label."""
    return said.speaker is None and span.first not in located.turns


@dataclass(frozen=True)
class Located:
    """The quotations of an article, the paragraphs with them blanked out, and where each of
    the first ``ATTRIBUTED_QUOTATIONS`` stands (those whose speakers are looked for)."""

    spans: list[_Span]
    masked: list[str]
    sites: list[QuoteSite]
    ends: SentenceEnds
    turns: dict[int, _Turn]

    def mentions(self) -> list[Mention]:
        """The candidate speakers up to the last attributed quotation's paragraph (none can speak
        later); pronouns and role phrases only where a quotation's source or the person a
        source stands for may be: in the quotations' paragraphs and the two before each."""
        if not self.sites:
            return []
        near = {
            paragraph
            for site in self.sites
            for paragraph in range(site.first - ANAPHOR_PARAGRAPHS, site.last + 1)
        }
        return find_mentions(self.masked[: self.sites[-1].last + 1], near)


def locate(paragraphs: list[str]) -> Located:
    """Find the quotations and blank them out, so that names inside them are not speakers."""
    turns = _turns(paragraphs)
    spans = _spans(paragraphs, turns)
    masked = _mask(paragraphs, spans)
    ends = SentenceEnds(masked)
    sites = [
        quote_site(masked, ends, s.first, s.marks[0].start, s.last, s.marks[-1].end, s.text)
        for s in spans[:ATTRIBUTED_QUOTATIONS]
    ]
    return Located(spans, masked, sites, ends, turns)


def _turn_speaker(located: Located, span: _Span, names: Names) -> str | None:
    """Who speaks a transcript's turn: the person the article names by the label's last word
    ("WALLACE" -> "Chris Wallace"), else what the transcript's labels say (``_Turn.speaker``)."""
    turn = located.turns.get(span.first)
    if turn is None or span.marks[0].start > turn.start:
        return None
    return names.fullest(turn.label.split()[-1]) or turn.speaker


def _quote(located: Located, span: _Span, said: Attribution, names: Names) -> Quote:
    if _is_term(located, span, said):
        return Quote(span.text, None, None, "term")
    speaker = said.speaker
    if speaker is None:
        return Quote(span.text)
    return Quote(span.text, names.full(speaker), role_after(located.masked, speaker))


# Finding the quotation marks


def _spans(paragraphs: list[str], turns: dict[int, _Turn]) -> list[_Span]:
    spans: list[_Span] = []
    for index, paragraph in enumerate(paragraphs):
        for number, mark in enumerate(_turn_marks(paragraph, turns.get(index))):
            if number == 0 and index not in turns and _continues(spans, index, paragraph, mark):
                spans[-1] = _Span(spans[-1].first, (*spans[-1].marks, mark))
            else:
                spans.append(_Span(index, (mark,)))
    return [span for span in spans if span.text]


@dataclass(frozen=True)
class _Turn:
    """A paragraph of a transcript: who speaks, where their words start, and the speaker its
    labels give: the fullest label with the same last word ("BAKKE" -> "NORA BAKKE"), when it is
    a full name or speaks more than once (one word met once may be a caption: "VIDEO:")."""

    label: str  # as the transcript writes it: "PENCE", "SEN. KAINE"
    start: int
    speaker: str | None


def _turns(paragraphs: list[str]) -> dict[int, _Turn]:
    """The paragraphs that open with a speaker's label, by index, when the article is a
    transcript (see ``_LABEL``); none otherwise."""
    found = {
        index: label
        for index, paragraph in enumerate(paragraphs)
        if (label := _LABEL.match(paragraph)) and _is_turn(paragraph, label)
    }
    labels: dict[str, list[str]] = {}  # by last word: BAKKE, NORA BAKKE
    for label in found.values():
        labels.setdefault(label.group(2).split()[-1], []).append(label.group(2))
    said = {last: len(named) for last, named in labels.items()}
    if len(found) < TRANSCRIPT_TURNS or len(said) < 2 or max(said.values()) < 2:
        return {}
    speakers = {
        last: fullest if said[last] > 1 or " " in fullest else None
        for last, named in labels.items()
        if (fullest := max(named, key=len))
    }
    return {
        index: _Turn(label.group(2), label.end(), speakers[label.group(2).split()[-1]])
        for index, label in found.items()
    }


def _is_turn(paragraph: str, label: re.Match[str]) -> bool:
    """Whether a labelled paragraph is someone speaking: a few words at least ("CEO: Jane Doe" is
    a fact box), after a name that is no letter's salutation ("DEAR ABBY:")."""
    spoken = WORD.findall(paragraph, label.end())
    return len(spoken) >= TURN_WORDS and not label.group(2).startswith("DEAR ")


def _turn_marks(paragraph: str, turn: _Turn | None) -> list[_Mark]:
    """The quote marks of a paragraph; a transcript's turn without marks is quoted whole after
    its label, its own quote marks part of it (the label is blanked with it: no speaker)."""
    marks = _marks(paragraph)
    if turn is None or (marks and marks[0].start < turn.start):
        return marks
    return [_Mark(0, len(paragraph), paragraph[turn.start :], "transcript", True)]


def _continues(spans: list[_Span], index: int, paragraph: str, mark: _Mark) -> bool:
    """Whether ``mark``, first in its paragraph, goes on with a quotation left open just before."""
    if not spans or spans[-1].last != index - 1 or paragraph[: mark.start].strip():
        return False
    previous = spans[-1].marks[-1]
    return not previous.closed and previous.family == mark.family


def _marks(paragraph: str) -> list[_Mark]:
    """Quote marks left to right; marks nested in a quotation stay part of its text."""
    marks: list[_Mark] = []
    position = 0
    while (opener := _OPENER.search(paragraph, position)) is not None:
        mark = _mark_at(paragraph, opener.start())
        if mark is None:
            position = opener.start() + 1
            continue
        marks.append(mark)
        if not mark.closed:
            break
        position = mark.end
    return marks


def _mark_at(paragraph: str, start: int) -> _Mark | None:
    opener = paragraph[start]
    if not _can_open(paragraph, start):
        return None
    if opener == "‘":
        close = _single_close(paragraph, start)
    else:
        found = _CLOSER[opener].search(paragraph, start + 1)
        close = found.start() if found else None
    if close is None:  # a lone ‘ is an apostrophe typed the wrong way; others run to the end
        if opener == "‘":
            return None
        return _Mark(start, len(paragraph), paragraph[start + 1 :], _FAMILY[opener], False)
    return _Mark(start, close + 1, paragraph[start + 1 : close], _FAMILY[opener], True)


def _can_open(paragraph: str, start: int) -> bool:
    """Curly and angle marks always open; " and ‘ only at the start of a word (not 6" or ‘90s);
    ” only at the start of a paragraph, typed for “ ("”We will," she said)."""
    if paragraph[start] == "”":
        return start == 0 and paragraph[1:2].isalnum()
    if paragraph[start] not in '"‘':
        return True
    before = paragraph[start - 1] if start else " "
    after = paragraph[start + 1 : start + 2]
    if before.isalnum() or not after or after.isspace():
        return False
    return paragraph[start] == '"' or not _NOT_SINGLE_QUOTE.match(paragraph, start + 1)


def _single_close(paragraph: str, start: int) -> int | None:
    """The ’ closing the ‘ at ``start``, or None.

    Apostrophes (he’s, rock ’n’ roll, ’90s) never close: a closer follows a non-space and is not
    followed by a letter. A plural possessive (the Joneses’ dog) still looks like one, so a
    candidate ending a clause is preferred to one followed by a lowercase word.
    """
    candidates: list[int] = []
    for found in _SINGLE_MARK.finditer(paragraph, start + 1):
        index = found.start()
        if found.group() == "‘" and _can_open(paragraph, index):
            break
        following = paragraph[index + 1 : index + 2]
        if found.group() == "’" and not paragraph[index - 1].isspace() and not following.isalpha():
            candidates.append(index)
    clause_ends = [index for index in candidates if not _MID_CLAUSE.match(paragraph, index + 1)]
    return (clause_ends or candidates or [None])[0]


def _mask(paragraphs: list[str], spans: list[_Span]) -> list[str]:
    """Paragraphs with quoted text blanked out: names inside a quotation are not its speaker."""
    marks: dict[int, list[_Mark]] = {}
    for span in spans:
        for index, mark in enumerate(span.marks, start=span.first):
            marks.setdefault(index, []).append(mark)
    masked = list(paragraphs)
    for index, found in marks.items():
        text, pieces, done = paragraphs[index], [], 0
        for mark in found:
            pieces += [text[done : mark.start], MASK * (mark.end - mark.start)]
            done = mark.end
        masked[index] = "".join([*pieces, text[done:]])
    return masked


# Kinds of quotation


def _is_term(located: Located, span: _Span, said: Attribution) -> bool:
    """A phrase in quote marks that nobody is quoted as saying: a title after a preposition
    ("on “Face the Nation”"), a phrase named as such ("so-called “experts”"), or a short phrase
    that nothing around it attributes to anyone."""
    start = span.marks[0].start
    before = located.masked[span.first][max(0, start - 20) : start]
    if _TERM_MARKER.search(before):
        return True
    titled = _TITLE_BEFORE.search(before) is not None
    if not titled and not said.unattributed:
        return False
    words = _words_up_to(span.text, TITLE_WORDS + 1)  # a longer quotation is neither
    if titled and len(words) <= TITLE_WORDS and _title_case(words):
        return True
    return len(words) <= TERM_WORDS and said.unattributed


def _words_up_to(text: str, count: int) -> list[str]:
    """The first ``count`` words of ``text`` (a long quotation need not be read to its end)."""
    return [word.group() for word in islice(WORD.finditer(text), count)]


def _title_case(words: list[str]) -> bool:
    return all(word[0].isupper() or word in _TITLE_SMALL_WORDS for word in words)
