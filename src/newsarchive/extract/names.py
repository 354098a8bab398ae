"""People named in an article: runs of capitalised words, the titles and stopwords around them,
and the mapping from a bare surname or pronoun to the full name the article uses.

The quotation finder (``quotes``) uses these to name a quotation's speaker. The speech verbs live
here too, because a lone capitalised word followed by one ("Klitschko said") is a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Position = tuple[int, int]  # (paragraph index, character offset)

WORD = re.compile(r"[^\W\d_][\w’'-]*")
SENTENCE_END = re.compile(r"(?<![A-Z])(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)(?<!St)[.!?]+(?=\s|$)")
_GAPS = (" ", "\u00a0", ". ", ".\u00a0", ".")  # what may stand between two words of a name
_POSSESSIVE = re.compile("(?:’s|'s|’|')$")


def _words(text: str) -> str:
    """A regex alternation of the comma-separated words in ``text``, factored by common
    prefixes ("sa(?:id|ys)"): Python's regex engine tries a plain alternation word by word at
    every position, and the speech verbs are searched in every gap around every quotation."""
    tree: dict = {}
    words = [word for word in text.split(",") if word]
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _alternation(tree)


def _alternation(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(char) + _alternation(rest) for char, rest in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and not ends:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERBS = re.compile(
    r"\b(?:"
    + _words(
        "said,says,added,wrote,according to,According to,sagte,sagt,schrieb,erklärte,laut,Laut,"
        "a déclaré,a dit,a ajouté,selon,Selon,dijo,añadió,según,Según,"
        "say,tells,told,adds,writes,warned,warns,insisted,insists,asked,asks,explained,explains,"
        "stated,declared,declares,noted,claimed,replied,replies,responded,argued,argues,admitted,"
        "announced,urged,recalled,remarked,acknowledged,confirmed,tweeted,shouted,joked,conceded,"
        "stressed,called,described,saying,adding,telling,writing,warning,insisting,explaining,"
        "noting,arguing,asking,claiming,continued,continues,concluded,concludes,reported,reports,"
        "pledged,promised,promises,vowed,vows,accused,accuses,chanted,blasted,blamed,lamented,"
        "asserted,asserts,predicted,proclaimed,answered,suggested,suggests,cited,citing,ruled,"
        "sings,sang,posted,tweets,recalls,calls,describes,described,calling,describing,states,"
        "stating,declaring,remarking,replying,responding,countered,quipped,mused,scoffed,"
        "complained,complains,observed,pointed out,went on,testified,emphasized,emphasised,"
        "betonte,meinte,warnte,fügte hinzu,sagten,erklärt,betont,meint,"
        "a affirmé,a expliqué,a estimé,a ajouté,a lancé,a assuré,a indiqué,a précisé,estime,"
        "assure,indique,précise,"
        "a souligné,déclare,affirme,ajoute,explique,afirmó,declaró,explicó,aseguró,advirtió"
    )
    + r")\b"
)
PREPOSITIONS = _set(
    "in on at during after before from to with by while as when of that this last since "
    "about for into under over through dass que"
)
_STOP = _set(
    "The A An This That These Those In On At By For From With Without But And Or So If When While "
    "After Before Earlier Later Meanwhile However Yesterday Today Tonight Tomorrow Some Many Most "
    "It He She They Er Sie Il Elle We I You His Her Their Our My Your Its There Here Then Now As Also Still Even "
    "Only Just Last Next Every Each All No Not Yet Since Until Under Over Despite Although Though "
    "Because According Selon Laut Según Wie Der Die Das Ein Eine Le La Les Un Une El Los Las Monday Tuesday Wednesday "
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
    "Alcalde Alcaldesa Maire Engineer Coach Doctor Commander Deputy Councillor Councilor Dean "
    "Master"
)
_PARTICLES = _set("de del della di da das dos du van von der den ter bin ibn al")


@dataclass(frozen=True)
class Run:
    """Capitalised words that may name someone, leading stopwords and titles removed."""

    start: int
    end: int
    words: tuple[str, ...]
    titled: bool
    possessive: bool


def name_runs(text: str) -> list[Run]:
    """Runs of capitalised words ("Vitali Klitschko", "Mr. Smith") in ``text``.

    Only capitalised words and name particles are visited (a lower-case word between two of
    them leaves a gap that does not join), which is what makes this fast on long articles.
    """
    runs: list[Run] = []
    current: list[re.Match[str]] = []
    for word in _NAME_WORD.finditer(text):
        value = word.group()
        if value[0].isupper() or (current and value in _PARTICLES):
            if current and not _joins(text, current[-1], word):
                runs += _run(current)
                current = []
            if value[0].isupper() or current:
                current.append(word)
        elif current:
            runs += _run(current)
            current = []
    return runs + _run(current)


_UPPER = "".join(chr(code) for code in range(0x2000) if chr(code).isupper())
_NAME_WORD = re.compile(
    rf"(?<![^\W\d_])(?<![\w][’'-])(?:[{re.escape(_UPPER)}][\w’'-]*|(?:{'|'.join(sorted(_PARTICLES))})(?![\w’'-]))"
)


def _joins(text: str, previous: re.Match[str], word: re.Match[str]) -> bool:
    gap = text[previous.end() : word.start()]
    if gap not in _GAPS or _possessive(previous.group()):
        return False
    dotted = previous.group() in _TITLES or len(previous.group()) == 1
    initial = len(previous.group()) == 1 and gap == "."  # "G.K. Jones"
    return gap in (" ", "\u00a0") or initial or (dotted and gap in (". ", ".\u00a0"))


def _possessive(word: str) -> bool:
    return bool(_POSSESSIVE.search(word))


def _run(words: list[re.Match[str]]) -> list[Run]:
    while words and _POSSESSIVE.sub("", words[0].group()) in _STOP:  # "He’s" is "He"
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
    return [Run(words[0].start(), end, names, bool(titles), stem != last)]


def after_preposition(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a preposition ("officials in New York")."""
    before = WORD.findall(text[max(0, start - 20) : start])
    return bool(before) and before[-1] in PREPOSITIONS
