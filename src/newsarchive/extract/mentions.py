"""The names, pronouns and role phrases of an article that could be a quotation's source, and
the name a speaker is stored under.

A mention is found in paragraphs whose quoted text is blanked out (see ``quotes``): a run of
capitalised words (``names.name_runs``), a subject pronoun (he, she, they, it and their German and
French forms) or a role phrase ("the senator", "her spokesman", "the report").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from newsarchive.extract.names import WORD, name_runs

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
    "chief|executive|founder|author|statement|newspaper|network|organization|organisation|"
    "report|study|poll|survey|memo|letter|lawsuit|complaint|editorial|article|document|filing|"
    "ruling|release|website|email|ad|video|post|tweet"
)
_NOMINAL = re.compile(
    rf"\b(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[\w-]+\s+){{0,4}}?(?:{_ROLE_NOUNS})\b"
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


def find_mentions(masked: Sequence[str]) -> list[Mention]:
    """Every candidate source in the paragraphs (quoted text already blanked), in reading order."""
    mentions: list[Mention] = []
    for index, text in enumerate(masked):
        found = [*_names(index, text), *_pronouns(index, text), *_nominals(index, text)]
        mentions += sorted(found, key=lambda mention: mention.start)
    return mentions


def _names(index: int, text: str) -> Iterator[Mention]:
    for run in name_runs(text):
        before = WORD.findall(text[max(0, run.start - 24) : run.start])
        title = before[-1] if before else ""
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


def by_paragraph(mentions: Sequence[Mention]) -> dict[int, list[Mention]]:
    grouped: dict[int, list[Mention]] = {}
    for mention in mentions:
        grouped.setdefault(mention.paragraph, []).append(mention)
    return grouped


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
