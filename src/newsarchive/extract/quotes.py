"""Direct quotations and their speakers, found in an article's clean paragraphs.

A quotation is the text between quote marks: “…” and „…“ (curly), "…" (straight), « … »
(guillemets) and ‘…’ (British single marks, told apart from apostrophes by where they stand). A
quotation still open at the end of a paragraph continues when the next paragraph opens with the same
kind of mark, the newspaper convention for speech running over several paragraphs; its pieces are
joined with "\\n", so every line of a quotation's text is a substring of one input paragraph.

The speaker comes from the attribution in the quotation's own sentence (“…,” he said / said X /
X said: “…” / X said it was “very difficult”). Pronouns resolve to the person named last before
them and a bare surname to the full name the article uses. A quotation that opens its sentence with
no attribution takes the speaker of another quotation in its paragraph or, when it opens its
paragraph, of the quotations in the paragraph before (a run of quote paragraphs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsarchive.extract.names import (
    INVERTIBLE_VERB,
    PREPOSITIONS,
    PRONOUNS,
    VERBS,
    WORD,
    People,
    Ref,
    after_preposition,
    name_runs,
)
from newsarchive.models import Quote

_FAMILY = {"“": "curly", "„": "curly", '"': "straight", "«": "guillemet", "‘": "single"}
_CLOSER = {
    "“": re.compile("”"),
    "„": re.compile("[“”]"),
    '"': re.compile('"'),
    "«": re.compile("»"),
}
_OPENER = re.compile('[“„"«‘]')
_SINGLE_MARK = re.compile("[‘’]")
_NOT_SINGLE_QUOTE = re.compile(r"\d\ds\b|n’")  # ‘90s and rock ‘n’ roll typed with the wrong mark
_MID_CLAUSE = re.compile(r"\s+[a-z]")
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)(?<!St)[.!?]+(?=\s|$)")
_PUNCTUATION = " ,;:—–-\u00a0\u202f\t"
_FILLER = re.compile(
    r"(?:\s+(?:also|later|then|has|had|have|was|is|would|will|once|again|previously|reportedly"
    r"|repeatedly|earlier|today|yesterday|simply|finally))*\s*$"
)


@dataclass(frozen=True)
class _Mark:
    """One pair of quote marks in one paragraph; ``closed`` is False when it runs to the end."""

    start: int
    end: int
    inner: str
    family: str
    closed: bool


@dataclass(frozen=True)
class _Span:
    """A quotation: its marks, one per paragraph it runs over, starting in paragraph ``first``."""

    first: int
    marks: tuple[_Mark, ...]

    @property
    def last(self) -> int:
        return self.first + len(self.marks) - 1

    @property
    def text(self) -> str:
        pieces = (mark.inner.strip() for mark in self.marks)
        text = "\n".join(piece for piece in pieces if piece).rstrip(",").rstrip()
        return text if any(char.isalnum() for char in text) else ""


def find_quotes(paragraphs: list[str]) -> list[Quote]:
    """Direct quotations in order of appearance, one per distinct text, with speakers when known.

    ``paragraphs`` is the clean body, one paragraph per item (a standfirst may come first). A
    quotation running over several paragraphs has its pieces joined with "\\n".
    """
    spans = _spans(paragraphs)
    if not spans:
        return []
    people = People(_mask(paragraphs, spans))
    speakers = [_attribute(paragraphs, spans, number, people) for number in range(len(spans))]
    speakers = _inherit(paragraphs, spans, speakers)
    quotes: dict[str, Quote] = {}
    for span, speaker in zip(spans, speakers, strict=True):
        known = quotes.get(span.text)
        if known is None or (known.speaker is None and speaker is not None):
            quotes[span.text] = Quote(span.text, speaker)
    return list(quotes.values())


# Finding the quotation marks


def _spans(paragraphs: list[str]) -> list[_Span]:
    spans: list[_Span] = []
    for index, paragraph in enumerate(paragraphs):
        for number, mark in enumerate(_marks(paragraph)):
            if number == 0 and _continues(spans, index, paragraph, mark):
                spans[-1] = _Span(spans[-1].first, (*spans[-1].marks, mark))
            else:
                spans.append(_Span(index, (mark,)))
    return [span for span in spans if span.text]


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
    """Curly and angle marks always open; " and ‘ only at the start of a word (not 6" or ‘90s)."""
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
    masked = list(paragraphs)
    for span in spans:
        for index, mark in enumerate(span.marks, start=span.first):
            text = masked[index]
            masked[index] = text[: mark.start] + "|" * (mark.end - mark.start) + text[mark.end :]
    return masked


# Attribution


def _attribute(
    paragraphs: list[str], spans: list[_Span], number: int, people: People
) -> str | None:
    ref = _tail_ref(paragraphs, spans, number) or _head_ref(paragraphs, spans, number, people)
    return people.resolve(ref) if ref else None


def _head_range(paragraphs: list[str], spans: list[_Span], number: int) -> tuple[int, int]:
    """Offsets of the sentence part before the quotation, in its first paragraph."""
    span = spans[number]
    low = 0
    if number and spans[number - 1].last == span.first:
        low = spans[number - 1].marks[-1].end
    high = span.marks[0].start
    for end in _SENTENCE_END.finditer(paragraphs[span.first], low, high):
        low = end.end()
    return low, high


def _tail_range(paragraphs: list[str], spans: list[_Span], number: int) -> tuple[int, int]:
    """Offsets of the sentence part after the quotation, in its last paragraph."""
    span = spans[number]
    paragraph = paragraphs[span.last]
    low, high = span.marks[-1].end, len(paragraph)
    if number + 1 < len(spans) and spans[number + 1].first == span.last:
        high = spans[number + 1].marks[0].start
    end = _SENTENCE_END.search(paragraph, low, high)
    return low, end.start() if end else high


def _tail_ref(paragraphs: list[str], spans: list[_Span], number: int) -> Ref | None:
    """“…,” he said / “…,” said X / “…”, X, the mayor, said / “…”, according to X"""
    index = spans[number].last
    paragraph = paragraphs[index]
    low, high = _tail_range(paragraphs, spans, number)
    verb = VERBS.search(paragraph, low, high)
    if verb is None:
        return None
    if not paragraph[low : verb.start()].strip(_PUNCTUATION):
        return _name_after(paragraph, index, verb.end(), high)
    subject = _subject(paragraph, index, low, verb.start())
    if subject and paragraph[low : subject.position[1]].strip(_PUNCTUATION) in ("", "the"):
        return subject
    return None


def _head_ref(paragraphs: list[str], spans: list[_Span], number: int, people: People) -> Ref | None:
    """X said: “…” / said X: “…” / X said it would be “very difficult” / X, saying “…”"""
    index = spans[number].first
    paragraph = paragraphs[index]
    low, high = _head_range(paragraphs, spans, number)
    verbs = list(VERBS.finditer(paragraph, low, high))
    if not verbs:
        return None
    verb = verbs[-1]
    if INVERTIBLE_VERB.match(verb.group()):
        after = _name_after(paragraph, index, verb.end(), high)
        if after and not paragraph[after.position[1] + len(after.text) : high].strip(_PUNCTUATION):
            return after
    subject = _subject(paragraph, index, low, verb.start())
    return subject or _first_subject(paragraph, index, low, verb.start(), people)


def _subject(paragraph: str, index: int, low: int, high: int) -> Ref | None:
    """The name or pronoun ending just before ``high`` (skipping adverbs and an appositive)."""
    text = paragraph[low:high]
    filler = _FILLER.search(text)
    text = text[: filler.start()] if filler else text
    if text.endswith(","):  # "Vitali Klitschko, the mayor, said"
        comma = text.rfind(",", 0, len(text) - 1)
        text = text[:comma] if comma >= 0 and len(text) - comma < 100 else text
    last = list(WORD.finditer(text))
    if last and last[-1].end() == len(text) and last[-1].group() in PRONOUNS:
        return Ref((index, low + last[-1].start()), last[-1].group())
    runs = name_runs(text)
    if not runs or runs[-1].possessive or text[runs[-1].end :].strip():
        return None
    if after_preposition(text, runs[-1].start):  # "officials in New York said"
        return None
    return Ref((index, low + runs[-1].start), text[runs[-1].start : runs[-1].end])


def _name_after(paragraph: str, index: int, low: int, high: int) -> Ref | None:
    """The name or pronoun in the phrase following a verb: "said the mayor, Vitali Klitschko"."""
    text = paragraph[low : min(high, low + 80)]
    words = WORD.findall(text)
    if not words or words[0] in PREPOSITIONS:
        return None
    if words[0] in PRONOUNS:
        return Ref((index, low + text.index(words[0])), words[0])
    named = [run for run in name_runs(text) if not run.possessive]
    return (
        Ref((index, low + named[0].start), text[named[0].start : named[0].end]) if named else None
    )


def _first_subject(paragraph: str, index: int, low: int, high: int, people: People) -> Ref | None:
    """The sentence's first person or pronoun, subject of "X pleaded ... after saying “…”"."""
    pronoun = next((w for w in WORD.finditer(paragraph, low, high) if w.group() in PRONOUNS), None)
    person = people.first_in(index, low, high)
    if pronoun and (person is None or pronoun.start() < person.position[1]):
        return Ref((index, pronoun.start()), pronoun.group())
    return person


def _inherit(
    paragraphs: list[str], spans: list[_Span], speakers: list[str | None]
) -> list[str | None]:
    """Speakers for quotations that open their sentence without an attribution."""
    result = list(speakers)
    for number, span in enumerate(spans):
        if result[number] is not None:
            continue
        low, high = _head_range(paragraphs, spans, number)
        if paragraphs[span.first][low:high].strip(_PUNCTUATION):
            continue
        result[number] = _neighbour(spans, speakers, number) or _previous_paragraph(
            paragraphs, spans, result, number
        )
    return result


def _neighbour(spans: list[_Span], speakers: list[str | None], number: int) -> str | None:
    """The speaker of the nearest attributed quotation sharing a paragraph, earlier first."""
    span = spans[number]
    near = [
        n for n in range(len(spans)) if spans[n].last == span.first or spans[n].first == span.last
    ]
    ordered = sorted(near, key=lambda n: (n > number, abs(n - number)))
    return next((speakers[n] for n in ordered if speakers[n] is not None), None)


def _previous_paragraph(
    paragraphs: list[str], spans: list[_Span], speakers: list[str | None], number: int
) -> str | None:
    """In a run of quote paragraphs, the speaker of the paragraph before this one."""
    span = spans[number]
    if paragraphs[span.first][: span.marks[0].start].strip():
        return None
    before = [speakers[n] for n in range(number) if spans[n].last == span.first - 1]
    return next((speaker for speaker in reversed(before) if speaker is not None), None)
