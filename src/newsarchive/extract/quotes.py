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

from newsarchive.models import Quote

Position = tuple[int, int]  # (paragraph index, character offset)

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
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_POSSESSIVE = re.compile("(?:’s|'s|’|')$")
_PUNCTUATION = " ,;:—–-\u00a0\u202f\t"


def _words(text: str) -> str:
    """A regex alternation of the comma-separated words in ``text``."""
    return "|".join(re.escape(word) for word in text.split(","))


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_INVERTIBLE = _words(
    "said,says,added,wrote,according to,According to,sagte,sagt,schrieb,erklärte,laut,Laut,"
    "a déclaré,a dit,a ajouté,selon,Selon,dijo,añadió,según,Según"
)
_VERBS = re.compile(
    rf"\b(?:{_INVERTIBLE}|"
    + _words(
        "say,tells,told,adds,writes,warned,warns,insisted,insists,asked,asks,explained,explains,"
        "stated,declared,declares,noted,claimed,replied,replies,responded,argued,argues,admitted,"
        "announced,urged,recalled,remarked,acknowledged,confirmed,tweeted,shouted,joked,conceded,"
        "stressed,called,described,saying,adding,telling,writing,warning,insisting,explaining,"
        "noting,arguing,asking,claiming,betonte,meinte,warnte,a affirmé,a expliqué,a estimé,"
        "a souligné,déclare,affirme,ajoute,explique,afirmó,declaró,explicó,aseguró,advirtió"
    )
    + r")\b"
)
_INVERTIBLE_VERB = re.compile(rf"^(?:{_INVERTIBLE})$")
_FILLER = re.compile(
    r"(?:\s+(?:also|later|then|has|had|have|was|is|would|will|once|again|previously|reportedly"
    r"|repeatedly|earlier|today|yesterday|simply|finally))*\s*$"
)
_VERB_AFTER = re.compile(rf"\s+(?:(?:also|later|then|has|had)\s+)?{_VERBS.pattern}")
_PRONOUNS = _set("he she they He She They er sie Er Sie il elle Il Elle")
_PREPOSITIONS = _set(
    "in on at during after before from to with by while as when of that this last since "
    "about for into under over through dass que"
)
_STOP = _set(
    "The A An This That These Those In On At By For From With Without But And Or So If When While "
    "After Before Earlier Later Meanwhile However Yesterday Today Tonight Tomorrow Some Many Most "
    "It He She They Er Sie Il Elle We I You His Her Their Our My Your Its There Here Then Now As Also Still Even "
    "Only Just Last Next Every Each All No Not Yet Since Until Under Over Despite Although Though "
    "Because According Der Die Das Ein Eine Le La Les Un Une El Los Las Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday January February March April May June July August September "
    "October November December"
)
_TITLES = _set(
    "Mr Mrs Ms Miss Mx Dr Prof Professor Sir Dame Lord Lady President Vice Prime Minister "
    "Chancellor Mayor Governor Gov Senator Sen Rep Representative General Gen Colonel Col Captain "
    "Capt Lieutenant Sergeant Sgt Secretary Chief Judge Justice King Queen Prince Princess Pope "
    "Father Rev Reverend Rabbi Imam Sheikh Ambassador Commissioner Chairman Chairwoman Director "
    "Spokesman Spokeswoman Spokesperson Leader Officer Detective Inspector Herr Frau Monsieur "
    "Madame Mme Señor Señora Sr Sra Präsident Präsidentin Bundeskanzler Bundeskanzlerin Kanzler "
    "Kanzlerin Bürgermeister Bürgermeisterin Président Présidente Presidente Ministre Ministro "
    "Alcalde Alcaldesa Maire Engineer Coach Doctor Commander Deputy Councillor Councilor Dean"
)
_PARTICLES = _set("de del della di da das dos du van von der den ter bin ibn al")
_NOT_PERSON = _set(
    "Federation Union States Kingdom Republic House Ministry Department Council Party Army Forces "
    "Office Court University Street City Square News Times Post Media Premium Independent Guardian "
    "Nations Government Parliament Senate Congress Commission Agency Company Group Bank Church "
    "Club Committee Police Service Airport Station Bridge River Sea Ocean Europe Africa Asia "
    "America International National Tech Day Week War Cup League New North South East West "
    "Saint San"
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


@dataclass(frozen=True)
class _Run:
    """Capitalised words that may name someone, leading stopwords and titles removed."""

    start: int
    end: int
    words: tuple[str, ...]
    titled: bool
    possessive: bool


@dataclass(frozen=True)
class _Ref:
    """A name or pronoun found in an attribution, still to be resolved."""

    position: Position
    text: str


def find_quotes(paragraphs: list[str]) -> list[Quote]:
    """Direct quotations in order of appearance, one per distinct text, with speakers when known.

    ``paragraphs`` is the clean body, one paragraph per item (a standfirst may come first). A
    quotation running over several paragraphs has its pieces joined with "\\n".
    """
    spans = _spans(paragraphs)
    people = _People(paragraphs, spans)
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


# Names of people


def _runs(text: str) -> list[_Run]:
    """Runs of capitalised words ("Vitali Klitschko", "Mr. Smith") in ``text``."""
    runs: list[_Run] = []
    current: list[re.Match[str]] = []
    for word in _WORD.finditer(text):
        if current and not _joins(text, current[-1], word):
            runs += _run(current)
            current = []
        if word.group()[0].isupper() or (current and word.group() in _PARTICLES):
            current.append(word)
        else:
            runs += _run(current)
            current = []
    return runs + _run(current)


def _joins(text: str, previous: re.Match[str], word: re.Match[str]) -> bool:
    gap = text[previous.end() : word.start()]
    if _possessive(previous.group()):
        return False
    dotted = previous.group() in _TITLES or len(previous.group()) == 1
    return gap in (" ", "\u00a0") or (dotted and gap in (". ", ".\u00a0"))


def _possessive(word: str) -> bool:
    return bool(_POSSESSIVE.search(word))


def _run(words: list[re.Match[str]]) -> list[_Run]:
    while words and words[0].group() in _STOP:
        words = words[1:]
    titles = [number for number, word in enumerate(words) if word.group() in _TITLES]
    if titles:
        words = words[titles[-1] + 1 :]
    while words and words[-1].group() in _PARTICLES:
        words = words[:-1]
    if not words:
        return []
    last = words[-1].group()
    stem = _POSSESSIVE.sub("", last)
    names = (*(word.group() for word in words[:-1]), stem)
    end = words[-1].start() + len(stem)
    return [_Run(words[0].start(), end, names, bool(titles), stem != last)]


def _is_person(run: _Run, text: str, surnames: set[str]) -> bool:
    """Two to four plain capitalised words, or one word known as someone's name."""
    if len(run.words) > 1:
        return (
            len(run.words) <= 4
            and not any(word in _NOT_PERSON for word in run.words)
            and not any(len(word) > 1 and word.isupper() for word in run.words)
        )
    if run.titled or run.words[0] in surnames:
        return True
    return bool(_VERB_AFTER.match(text, run.end)) and not _after_preposition(text, run.start)


def _after_preposition(text: str, start: int) -> bool:
    before = _WORD.findall(text[max(0, start - 20) : start])
    return bool(before) and before[-1] in _PREPOSITIONS


class _People:
    """The people named in the article, outside quotations, in reading order."""

    def __init__(self, paragraphs: list[str], spans: list[_Span]) -> None:
        masked = _mask(paragraphs, spans)
        runs = [(index, text, run) for index, text in enumerate(masked) for run in _runs(text)]
        persons = [(i, t, run) for i, t, run in runs if _is_person(run, t, set())]
        self._full = [
            ((i, run.start), run.words[-1], t[run.start : run.end])
            for i, t, run in persons
            if len(run.words) > 1
        ]
        surnames = {surname for _, surname, _ in self._full}
        self._mentions = [
            ((i, run.start), text[run.start : run.end])
            for i, text, run in runs
            if _is_person(run, text, surnames)
        ]

    def resolve(self, ref: _Ref) -> str | None:
        """The full name a name or pronoun stands for (None for a pronoun before any name)."""
        if ref.text not in _PRONOUNS:
            return self.canonical(ref.text, ref.position)
        earlier = [(at, name) for at, name in self._mentions if at < ref.position]
        return self.canonical(earlier[-1][1], earlier[-1][0]) if earlier else None

    def canonical(self, name: str, position: Position) -> str:
        """A bare surname becomes the full name used nearest before it (or first after it)."""
        if len(name.split()) > 1:
            return name
        full = [(at, text) for at, surname, text in self._full if surname == name]
        before = [text for at, text in full if at < position]
        return before[-1] if before else (full[0][1] if full else name)

    def first_in(self, index: int, low: int, high: int) -> _Ref | None:
        for (paragraph, offset), name in self._mentions:
            if paragraph == index and low <= offset < high:
                return _Ref((paragraph, offset), name)
        return None


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
    paragraphs: list[str], spans: list[_Span], number: int, people: _People
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


def _tail_ref(paragraphs: list[str], spans: list[_Span], number: int) -> _Ref | None:
    """“…,” he said / “…,” said X / “…”, X, the mayor, said / “…”, according to X"""
    index = spans[number].last
    paragraph = paragraphs[index]
    low, high = _tail_range(paragraphs, spans, number)
    verb = _VERBS.search(paragraph, low, high)
    if verb is None:
        return None
    if not paragraph[low : verb.start()].strip(_PUNCTUATION):
        return _name_after(paragraph, index, verb.end(), high)
    subject = _subject(paragraph, index, low, verb.start())
    if subject and paragraph[low : subject.position[1]].strip(_PUNCTUATION) in ("", "the"):
        return subject
    return None


def _head_ref(
    paragraphs: list[str], spans: list[_Span], number: int, people: _People
) -> _Ref | None:
    """X said: “…” / said X: “…” / X said it would be “very difficult” / X, saying “…”"""
    index = spans[number].first
    paragraph = paragraphs[index]
    low, high = _head_range(paragraphs, spans, number)
    verbs = list(_VERBS.finditer(paragraph, low, high))
    if not verbs:
        return None
    verb = verbs[-1]
    if _INVERTIBLE_VERB.match(verb.group()):
        after = _name_after(paragraph, index, verb.end(), high)
        if after and not paragraph[after.position[1] + len(after.text) : high].strip(_PUNCTUATION):
            return after
    subject = _subject(paragraph, index, low, verb.start())
    return subject or _first_subject(paragraph, index, low, verb.start(), people)


def _subject(paragraph: str, index: int, low: int, high: int) -> _Ref | None:
    """The name or pronoun ending just before ``high`` (skipping adverbs and an appositive)."""
    text = paragraph[low:high]
    filler = _FILLER.search(text)
    text = text[: filler.start()] if filler else text
    if text.endswith(","):  # "Vitali Klitschko, the mayor, said"
        comma = text.rfind(",", 0, len(text) - 1)
        text = text[:comma] if comma >= 0 and len(text) - comma < 100 else text
    last = list(_WORD.finditer(text))
    if last and last[-1].end() == len(text) and last[-1].group() in _PRONOUNS:
        return _Ref((index, low + last[-1].start()), last[-1].group())
    runs = _runs(text)
    if not runs or runs[-1].possessive or text[runs[-1].end :].strip():
        return None
    if _after_preposition(text, runs[-1].start):  # "officials in New York said"
        return None
    return _Ref((index, low + runs[-1].start), text[runs[-1].start : runs[-1].end])


def _name_after(paragraph: str, index: int, low: int, high: int) -> _Ref | None:
    """The name or pronoun in the phrase following a verb: "said the mayor, Vitali Klitschko"."""
    text = paragraph[low : min(high, low + 80)]
    words = _WORD.findall(text)
    if not words or words[0] in _PREPOSITIONS:
        return None
    if words[0] in _PRONOUNS:
        return _Ref((index, low + text.index(words[0])), words[0])
    named = [run for run in _runs(text) if not run.possessive]
    return (
        _Ref((index, low + named[0].start), text[named[0].start : named[0].end]) if named else None
    )


def _first_subject(paragraph: str, index: int, low: int, high: int, people: _People) -> _Ref | None:
    """The sentence's first person or pronoun, subject of "X pleaded ... after saying “…”"."""
    pronoun = next(
        (w for w in _WORD.finditer(paragraph, low, high) if w.group() in _PRONOUNS), None
    )
    person = people.first_in(index, low, high)
    if pronoun and (person is None or pronoun.start() < person.position[1]):
        return _Ref((index, pronoun.start()), pronoun.group())
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
