"""The names, pronouns and role phrases of an article that could be a quotation's source, and
the name a speaker is stored under.

A mention is found in paragraphs whose quoted text is blanked out (see ``quotes``): a run of
capitalised words (``names.name_runs``), a subject pronoun (he, she, they, it and their German and
French forms) or a role phrase ("the senator", "her spokesman", "the report").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter

from newsarchive.extract.names import WORD, alternation, name_runs, word_start

_PRONOUN_KINDS = {
    "he": "he", "He": "he", "she": "she", "She": "she", "they": "they", "They": "they",
    "it": "it", "It": "it", "er": "he", "Er": "he", "sie": "she", "Sie": "she", "il": "he",
    "Il": "he", "elle": "she", "Elle": "she",
}  # fmt: skip
# a pronoun as WORD would read it: not inside a longer word ("Sheila", "he's" stays "he’s")
_PRONOUN = re.compile(rf"{word_start(','.join(_PRONOUN_KINDS))}\b(?![’'-])")
_GERMAN_ARTICLES = (
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines",
    "zur", "zum", "im", "am", "vom", "beim",
)  # fmt: skip
_GERMAN_ARTICLE = re.compile(rf"\b(?:{'|'.join(_GERMAN_ARTICLES)})\s+$")
_ARTICLE_ENDS = frozenset(article[-1] for article in _GERMAN_ARTICLES)
_PEOPLE_ROLES = (
    "senator,candidate,nominee,governor,mayor,president,secretary,spokesman,spokeswoman,"
    "spokesperson,businessman,businesswoman,billionaire,mogul,congressman,congresswoman,lawmaker,"
    "chairman,chairwoman,aide,adviser,advisor,official,judge,lawyer,attorney,minister,chancellor,"
    "leader,officer,director,chief,executive,founder,author"
)
# role phrases that need not stand for a person: "the report said"
NOT_PEOPLE = frozenset((
    "campaign", "group", "company", "agency", "committee", "statement", "newspaper", "network",
    "organization", "organisation", "report", "study", "poll", "survey", "memo", "letter",
    "lawsuit", "complaint", "editorial", "article", "document", "filing", "ruling", "release",
    "website", "email", "ad", "video", "post", "tweet",
))  # fmt: skip
_ROLE_NOUNS = _PEOPLE_ROLES + "," + ",".join(sorted(NOT_PEOPLE))
_NOMINAL = re.compile(
    rf"{word_start('The,the,Their,their,His,his,Her,her')}\s+(?:[\w-]+\s+){{0,4}}?"
    rf"{alternation(_ROLE_NOUNS)}\b"
)

_FEMALE_TITLES = frozenset(
    [
        "Mrs",
        "Ms",
        "Miss",
        "Madame",
        "Mme",
        "Mlle",
        "Frau",
        "Dame",
        "Lady",
        "Queen",
        "Princess",
        "Congresswoman",
        "Chairwoman",
        "Spokeswoman",
        "Kanzlerin",
        "Bundeskanzlerin",
        "Präsidentin",
        "Ministerin",
        "Bürgermeisterin",
        "Senatorin",
        "Présidente",
        "Ministre",
        "Maire",
        "Presidenta",
        "Ministra",
        "Alcaldesa",
        "Señora",
        "Sra",
    ]
)


# titles that say a man is meant: the pronoun a name's titles make likely ("Mr. Doe" -> "he")
MALE_TITLES = frozenset((
    "Mr", "Sir", "Lord", "King", "Prince", "Congressman", "Chairman", "Spokesman", "Herr",
    "Monsieur", "Señor", "Kanzler", "Bundeskanzler", "Bürgermeister", "Präsident",
))  # fmt: skip


@dataclass(eq=False, slots=True)
class Mention:
    """A name, pronoun or role phrase outside quotations that could be a quotation's source.

    Mentions are compared and hashed by identity: each stands at one place in one article, and
    they key the caches of everything worked out about them. (Not frozen: a frozen dataclass
    is several times slower to make, and an article makes thousands; nothing changes them.)"""

    paragraph: int
    start: int
    end: int
    text: str
    kind: str  # "name", "pronoun" or "nominal"
    key: str  # who it is: the casefolded last word of a name, else the pronoun or phrase
    possessive: bool = False
    titled: bool = False
    female: bool = False


def find_mentions(masked: Sequence[str], near: Container[int]) -> list[Mention]:
    """The candidate sources in the paragraphs (quoted text already blanked), in reading order:
    names everywhere, pronouns and role phrases only in the paragraphs ``near`` quotations (a
    pronoun far from any quotation is nobody's source, while a name there may be the person a
    later pronoun stands for)."""
    mentions: list[Mention] = []
    for index, text in enumerate(masked):
        if index in near:
            found = [*_names(index, text), *_pronouns(index, text), *_nominals(index, text)]
            mentions += sorted(found, key=attrgetter("start"))
        else:
            mentions += _names(index, text)
    return mentions


def _names(index: int, text: str) -> Iterator[Mention]:
    for start, end, words, titled, possessive in name_runs(text):
        if len(words) == 1 and _after_german_article(text, start):
            continue  # "die Baustelle": German capitalises every noun
        female = titled and title_before(text, start) in _FEMALE_TITLES
        key = words[-1].casefold()
        yield Mention(index, start, end, text[start:end], "name", key, possessive, titled, female)


def _after_german_article(text: str, start: int) -> bool:
    """Whether a German article and spaces stand just before ``start``; the letter before the
    spaces is looked at first, since most words end in no article's last letter."""
    before = start - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    if before == start - 1 or text[before] not in _ARTICLE_ENDS:
        return False
    return _GERMAN_ARTICLE.search(text, max(0, start - 8), start) is not None


def title_before(text: str, start: int) -> str:
    """The word before ``start``: a titled name's title ("Mrs" before "Jane Doe")."""
    before = WORD.findall(text[max(0, start - 24) : start])
    return before[-1] if before else ""


def _pronouns(index: int, text: str) -> Iterator[Mention]:
    """Subject pronouns as whole words ("he", not "he’s"; the "il" of "a-t-il dit" too)."""
    for word in _PRONOUN.finditer(text):
        before = text[word.start() - 1 : word.start()]
        if before in ("’", "'", "-") and not text.endswith("-t-", 0, word.start()):
            continue
        yield Mention(
            index, word.start(), word.end(), word.group(), "pronoun", _PRONOUN_KINDS[word.group()]
        )


def _nominals(index: int, text: str) -> Iterator[Mention]:
    for found in _NOMINAL.finditer(text):
        phrase = found.group()
        yield Mention(index, found.start(), found.end(), phrase, "nominal", phrase.casefold())


_ROLE = re.compile(
    r",\s+((?:a|an|the|his|her|their|who\s+is|who\s+was)\s[^,.;:|“”\"]{2,90}?)\s*(?=[,.;:]|$)"
)


class Names:
    """The article's names grouped by who they are, for the fullest form of each speaker."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._texts: dict[str, dict[str, None]] = {}  # each key's names, in order of first use
        self._multiword: dict[str, list[Mention]] = {}  # each key's names of several words
        for mention in mentions:
            if mention.kind == "name" and not mention.possessive:
                self._texts.setdefault(mention.key, {})[mention.text] = None
                if " " in mention.text:
                    self._multiword.setdefault(mention.key, []).append(mention)
        self._positions = {
            key: [(m.paragraph, m.start) for m in found] for key, found in self._multiword.items()
        }
        self._widest: dict[tuple[str, frozenset[str]], str | None] = {}

    def fullest(self, word: str) -> str | None:
        """The longest name the article gives a person it also calls ``word`` ("WALLACE" ->
        "Chris Wallace"), or None when it names nobody so."""
        names = self._texts.get(word.casefold(), ())
        return max(names, key=len) if names else None

    def full(self, mention: Mention) -> str:
        """The fullest form of the name the article uses for ``mention``'s person, titles left
        out: the longest name containing its words; a bare surname first takes the full name of
        that surname named nearest before it (or first after it)."""
        words = frozenset(mention.text.split())
        if len(words) == 1 and mention.key in self._multiword:
            before = bisect_left(self._positions[mention.key], (mention.paragraph, mention.start))
            chosen = self._multiword[mention.key][before - 1 if before else 0]
            words = frozenset(chosen.text.split())
        key = (mention.key, words)
        if key not in self._widest:
            wider = [
                text for text in self._texts.get(mention.key, ()) if words <= set(text.split())
            ]
            self._widest[key] = max(wider, key=len) if wider else None
        return self._widest[key] or mention.text


def role_after(masked: Sequence[str], mention: Mention) -> str | None:
    """What the article calls the speaker in an apposition after the name ("…, a lawyer for the
    company")."""
    found = _ROLE.match(masked[mention.paragraph], mention.end)
    return found.group(1) if found else None
