"""People named in an article: runs of capitalised words, the titles and stopwords around them,
and the mapping from a bare surname or pronoun to the full name the article uses.

The quotation finder (``quotes``) uses these to name a quotation's speaker. The speech verbs live
here too, because a lone capitalised word followed by one ("Klitschko said") is a person.
"""

from __future__ import annotations

import re
from typing import NamedTuple

Position = tuple[int, int]  # (paragraph index, character offset)

_LETTER = r"[^\W\d_]"  # what a word starts with
_WORD_CHARACTER = r"[\w’'-]"  # what it goes on with
WORD = re.compile(rf"{_LETTER}{_WORD_CHARACTER}*")
# A run of sentence-ending marks, not after a capital (U.S.) or an abbreviated title. The first mark
# comes before the look back at what precedes it, so that the regex engine can skip from mark to
# mark instead of looking back at every character.
SENTENCE_END = re.compile(
    r"[.!?](?<![A-Z].)(?<!Mr.)(?<!Mrs.)(?<!Ms.)(?<!Dr.)(?<!St.)[.!?]*(?=\s|$)"
)
_GAPS = (" ", "\u00a0", ". ", ".\u00a0", ".")  # what may stand between two words of a name
_POSSESSIVE_ENDS = ("’s", "'s", "’", "'")
_POSSESSIVE_LAST = "s’'"  # how a possessive ends (most names end otherwise)


def _shape(code: int) -> int:
    """How ``word_count`` reads an ASCII character: "a" a letter, "0" another character a word
    goes on with, " " one that ends it."""
    char = chr(code)
    if re.fullmatch(_LETTER, char):
        return ord("a")
    return ord("0") if re.fullmatch(_WORD_CHARACTER, char) else ord(" ")


_ASCII_SHAPES = bytes(map(_shape, range(128))) + b" " * 128


def word_count(text: str) -> int:
    """``len(WORD.findall(text))``. An ASCII text (most gaps between a quotation and a candidate
    speaker) is counted without the regex, which reads every character of it through Unicode's
    tables: each run of word characters with a letter in it is one word."""
    if not text.isascii():
        return len(WORD.findall(text))
    shapes = text.encode("ascii").translate(_ASCII_SHAPES)
    return len(shapes.replace(b"0", b"").split())


def alternation(text: str) -> str:
    """A regex alternation of the comma-separated words in ``text``, factored by common
    prefixes ("sa(?:id|ys)"): Python's regex engine tries a plain alternation word by word at
    every position, and the speech verbs are searched in every gap around every quotation."""
    return _alternation(_tree(text))


# Words starting with more different letters than this start with most letters of a text.
_MANY_FIRST_LETTERS = 16


def word_start(text: str) -> str:
    """``\\b`` and ``alternation(text)``, for words that start with a letter, written so that
    the regex engine tries few positions. Where the words start with few letters (pronouns), it
    skips from one possible first letter to the next: it tries a pattern that opens with ``\\b``
    at every position, so the look back for the boundary comes after the first letter
    ("s(?<!\\w.)(?:aid|ays)"). Where they start with most letters (the speech verbs, 23), that
    skips little, and the engine would try the letters of the alternation one by one at nearly
    every letter: there the boundary is looked at first, which most positions fail at once, and
    then the first letter ("\\b(?=[as])(?:a…|s…)": on the speech verbs, 30% fewer
    instructions over news paragraphs)."""
    tree = _tree(text)
    if len(tree) > _MANY_FIRST_LETTERS:
        return rf"\b(?=[{re.escape(''.join(sorted(tree)))}])" + _alternation(tree)
    branches = (re.escape(char) + r"(?<!\w.)" + _alternation(rest) for char, rest in tree.items())
    return "(?:" + "|".join(sorted(branches)) + ")"


def _tree(text: str) -> dict:
    """The comma-separated words of ``text`` as a tree of their letters, "" ending a word."""
    tree: dict = {}
    for word in filter(None, text.split(",")):
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return tree


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
    word_start(
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
    + r"\b"
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
    "October November December One Another Other Both Several Few Such More Once Ever First "
    "Rather About To Yes What Who Which Why How Where Nobody Someone Everyone Nothing Perhaps "
    # prepositions and sentence adverbs that open a sentence ("During the debate, Doe said")
    "Of During Amid Among Between Like Unlike Following Throughout Within Against Beyond Besides "
    "Across Around Inside Outside Shortly Finally Similarly Additionally Ultimately Eventually "
    "Specifically Instead Indeed Asked Speaking"
)
_TITLES = _set(
    "Mr Mrs Ms Miss Mx Dr Prof Professor Sir Dame Lord Lady President Vice Prime Minister "
    "Chancellor Mayor Governor Gov Senator Sen Rep Representative General Gen Colonel Col Captain "
    "Capt Lieutenant Lt Sergeant Sgt Secretary Chief Judge Justice "
    "King Queen Prince Princess Pope "
    "Father Rev Reverend Rabbi Imam Sheikh Ambassador Commissioner Chairman Chairwoman Director "
    "Spokesman Spokeswoman Spokesperson Leader Officer Detective Inspector Herr Frau Monsieur "
    "Madame Mme Señor Señora Sr Sra Präsident Präsidentin Bundeskanzler Bundeskanzlerin Kanzler "
    "Kanzlerin Bürgermeister Bürgermeisterin Président Présidente Presidente Ministre Ministro "
    "Alcalde Alcaldesa Maire Engineer Coach Doctor Commander Deputy Councillor Councilor Dean "
    "Master"
)
# titles that are surnames too: a title before a name ("Dean Jane Roe"), a surname ending one
# ("Howard Dean", "Rep. Pete King", "Mr. King")
_SURNAME_TITLES = _set("Dean King Pope Judge Prince")
_PARTICLES = _set("de del della di da das dos du van von der den ter bin ibn al")


class Run(NamedTuple):
    """Capitalised words that may name someone, leading stopwords and titles removed."""

    start: int
    end: int
    words: tuple[str, ...]
    titled: bool
    possessive: bool


Word = tuple[int, str]  # where a word starts, and the word


def name_runs(text: str) -> list[Run]:
    """Runs of capitalised words ("Vitali Klitschko", "Mr. Smith") in ``text``.

    One regular expression finds each stretch of capitalised words and name particles with at
    most a space or a dot between them; only a stretch of several words is split, where two of
    its words do not join (after a possessive; a full stop after a word that is neither a title
    nor an initial). Most stretches are one word, and many of those a stopword.
    """
    runs: list[Run] = []
    for stretch in _NAME_STRETCH.finditer(text):
        if stretch.lastindex is None:  # one word: no gap was matched
            word = stretch.group()
            if word not in _NOT_ALONE:
                stem = _without_possessive(word) if word[-1] in _POSSESSIVE_LAST else word
                start = stretch.start()
                runs.append(Run(start, start + len(stem), (stem,), False, stem != word))
            continue
        current: list[Word] = []
        for found in _NAME_WORD.finditer(text, stretch.start(), stretch.end()):
            word = (found.start(), found.group())
            if current and not _joins(text, current[-1], word):
                runs += _run(current)
                current = []
            if current or word[1][0].isupper():  # a particle never starts a name
                current.append(word)
        runs += _run(current)
    return runs


_UPPER = re.escape("".join(chr(code) for code in range(0x2000) if chr(code).isupper()))
# A word starts where no letter, and no letter with an apostrophe or hyphen, stands before it.
# The capital comes first and the look back after it, so that the regex engine can skip to the
# next capital instead of looking back at every character.
_CAPITALISED = rf"[{_UPPER}](?<![^\W\d_].)(?<![\w][’'-].)[\w’'-]*"
_PARTICLE = rf"(?:{'|'.join(sorted(_PARTICLES))})(?![\w’'-])"
_NAME_WORD = re.compile(rf"{_CAPITALISED}|(?<![^\W\d_])(?<![\w][’'-]){_PARTICLE}")
# what may stand between two words of a name: a space or a dot (see _GAPS); the gap is the one
# group, so that a stretch of one word is told by matching none (``lastindex``)
_NAME_STRETCH = re.compile(
    rf"{_CAPITALISED}(?:([ \u00a0]|\.[ \u00a0]?)(?:[{_UPPER}][\w’'-]*|{_PARTICLE}))*"
)


def _joins(text: str, previous: Word, word: Word) -> bool:
    start, name = previous
    gap = text[start + len(name) : word[0]]
    if gap not in _GAPS or name.endswith(_POSSESSIVE_ENDS):
        return False
    dotted = name in _TITLES or len(name) == 1
    initial = len(name) == 1 and gap == "."  # "G.K. Jones"
    return gap in (" ", "\u00a0") or initial or (dotted and gap in (". ", ".\u00a0"))


_CLITICS = [mark + clitic for mark in "’'" for clitic in ("s", "d", "ll", "re", "ve", "m")]
# the words that start no name, with a clitic too ("He’s", "She’d", "They’ll"): a set, since a
# word is looked up in it at every capital of an article
_STOPWORDS = _STOP | {word + clitic for word in _STOP for clitic in _CLITICS}
_NOT_ALONE = _STOPWORDS | _TITLES  # a word that is no name on its own


def _without_possessive(word: str) -> str:
    """ "Jones" for "Jones’s", "Joneses" for "Joneses’"; "He" for "He’s"."""
    last = word[-1]
    if last == "s":
        return word[:-2] if word[-2:-1] in ("’", "'") else word
    return word[:-1] if last in ("’", "'") else word


def _run(words: list[Word]) -> list[Run]:
    """The name in a stretch's ``words``: past its leading stopwords and its last title, short
    of the particles it ends with (indices move, where slicing would copy the list each time).
    A title that is also a surname is the name's last word where another word comes before it
    ("Howard Dean")."""
    first, end = 0, len(words)
    while first < end and words[first][1] in _STOPWORDS:
        first += 1
    titled = False
    last = end - 1
    if last > first and _without_possessive(words[last][1]) in _SURNAME_TITLES:
        last -= 1
    for number in range(last, first - 1, -1):
        if words[number][1] in _TITLES:
            first, titled = number + 1, True
            break
    while end > first and words[end - 1][1] in _PARTICLES:
        end -= 1
    if end == first:
        return []
    start, last = words[end - 1]
    stem = _without_possessive(last)
    names = tuple([word for _, word in words[first : end - 1]] + [stem])
    return [Run(words[first][0], start + len(stem), names, titled, stem != last)]


def after_preposition(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a preposition ("officials in New York")."""
    before = WORD.findall(text[max(0, start - 20) : start])
    return bool(before) and before[-1] in PREPOSITIONS
