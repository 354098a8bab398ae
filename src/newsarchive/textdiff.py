"""What changed between two versions of an article (pure: no database, no terminal).

The fields a reader notices first come first: headline, standfirst, authors, publication date,
then the quotations (a corrected quote matters more than a moved comma), then the numbers that
changed inside changed sentences, then the body: paragraphs aligned first (one removed or
added whole is one change), then the sentences of the paragraphs that differ, and inside a
changed sentence the words (difflib throughout).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from newsarchive.models import Article

# Two sentences at least this alike are one sentence changed, not one removed and one added.
SAME_SENTENCE = 0.5
# How far ahead a changed sentence's new form is looked for: a rewritten article of hundreds of
# sentences would otherwise compare every sentence with every other.
LOOK_AHEAD = 25
_FIELDS = ("headline", "standfirst", "authors", "published")
_WORDS = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
# A sentence ends at . ! ? or … (with closing quote marks or brackets) before a space and a
# capital, a digit or an opening quote mark.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9À-Ý])")


@dataclass(frozen=True)
class Span:
    """A run of words that is the same in both versions (``equal``), only in the older
    (``delete``) or only in the newer (``insert``)."""

    op: str
    text: str


@dataclass(frozen=True)
class Change:
    """One change: ``kind`` is a field name, ``quote``, ``number``, ``paragraph`` or
    ``sentence``; ``op`` is ``changed``, ``added`` or ``removed``; ``words`` shows a changed
    text word by word."""

    kind: str
    op: str
    old: str | None = None
    new: str | None = None
    words: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleDiff:
    """The changes from one version of an article to another, most telling first."""

    article_id: int
    old_version: int
    new_version: int
    changes: list[Change]


def diff_articles(
    old: Article, new: Article, article_id: int = 0, versions: tuple[int, int] = (0, 0)
) -> ArticleDiff:
    """Compare two versions of an article."""
    fields = _field_changes(old, new)
    quotes = _sequence_changes("quote", [q.text for q in old.quotes], [q.text for q in new.quotes])
    body = _body_changes(old.text, new.text)
    changed = [change for change in [*fields, *quotes, *body] if change.op == "changed"]
    numbers = [number for change in changed if (number := _number_change(change))]
    changes = [*fields, *quotes, *_unique(numbers), *body]
    return ArticleDiff(article_id, versions[0], versions[1], changes)


def word_spans(old: str, new: str) -> list[Span]:
    """``old`` and ``new`` as runs of words kept, removed and added."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    spans: list[Span] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(spans, "equal", "".join(before[i1:i2]))
            continue
        _append(spans, "delete", "".join(before[i1:i2]))
        _append(spans, "insert", "".join(after[j1:j2]))
    return spans


def _append(spans: list[Span], op: str, text: str) -> None:
    if not text:
        return
    if spans and spans[-1].op == op:
        spans[-1] = Span(op, spans[-1].text + text)
    else:
        spans.append(Span(op, text))


def _field_changes(old: Article, new: Article) -> list[Change]:
    changes = []
    for name in _FIELDS:
        before, after = _field_text(old, name), _field_text(new, name)
        if before != after:
            op = "added" if before is None else "removed" if after is None else "changed"
            changes.append(Change(name, op, before, after, word_spans(before or "", after or "")))
    return changes


def _field_text(article: Article, name: str) -> str | None:
    value = getattr(article, name)
    if isinstance(value, list):
        value = ", ".join(value)
    return value or None


# A change with the positions of its texts in the two lists (None for the side it lacks).
_Placed = tuple[Change, int | None, int | None]


def _sequence_changes(kind: str, old: list[str], new: list[str]) -> list[Change]:
    """Align two lists of texts; texts in a replaced run are paired in order (quotes whatever
    they say, sentences when alike)."""
    alike = 0.0 if kind == "quote" else SAME_SENTENCE
    return [change for change, _, _ in _aligned(kind, old, new, alike)]


def _aligned(kind: str, old: list[str], new: list[str], alike: float) -> list[_Placed]:
    placed: list[_Placed] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            placed += _paired(kind, old, new, (i1, i2, j1, j2), alike)
    return placed


def _paired(
    kind: str, old: list[str], new: list[str], run: tuple[int, int, int, int], alike: float
) -> list[_Placed]:
    """In a replaced run, each old text paired with the next new one at least ``alike`` like
    it (in order); the unpaired ones were removed or added."""
    i1, i2, start, end = run
    placed: list[_Placed] = []
    for i in range(i1, i2):
        ahead = range(start, min(end, start + LOOK_AHEAD))
        match = next((j for j in ahead if _alike(old[i], new[j], alike)), None)
        if match is None:
            placed.append((Change(kind, "removed", old[i]), i, None))
            continue
        placed += [(Change(kind, "added", new=new[j]), None, j) for j in range(start, match)]
        words = word_spans(old[i], new[match])
        placed.append((Change(kind, "changed", old[i], new[match], words), i, match))
        start = match + 1
    return placed + [(Change(kind, "added", new=new[j]), None, j) for j in range(start, end)]


def _alike(old: str, new: str, least: float) -> bool:
    """Whether the two texts share at least ``least`` of their words (cheap bounds first)."""
    if least <= 0:
        return True
    # Words only: shared spaces and commas would make any two sentences look alike.
    matcher = SequenceMatcher(None, _WORD.findall(old), _WORD.findall(new), autojunk=False)
    return (
        matcher.real_quick_ratio() >= least
        and matcher.quick_ratio() >= least
        and matcher.ratio() >= least
    )


def _body_changes(old: str, new: str) -> list[Change]:
    """Whole paragraphs removed or added, then sentences within the paragraphs that differ."""
    before, after = paragraphs(old), paragraphs(new)
    changes = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "delete":
            changes += [Change("paragraph", "removed", text) for text in before[i1:i2]]
        elif op == "insert":
            changes += [Change("paragraph", "added", new=text) for text in after[j1:j2]]
        elif op == "replace":
            changes += _replaced_paragraphs(before[i1:i2], after[j1:j2])
    return changes


def _replaced_paragraphs(old: list[str], new: list[str]) -> list[Change]:
    """The sentences of a run of paragraphs that differ, aligned, in order; a paragraph all of
    whose sentences went (or came) is one change."""
    olds, news = _numbered_sentences(old), _numbered_sentences(new)
    placed = _aligned("sentence", [s for _, s in olds], [s for _, s in news], SAME_SENTENCE)
    removed = _whole(olds, {i for change, i, _ in placed if change.op == "removed"})
    added = _whole(news, {j for change, _, j in placed if change.op == "added"})
    changes: list[Change] = []
    told: set[tuple[str, int]] = set()
    for change, i, j in placed:
        paragraph = olds[i][0] if i is not None else news[j][0] if j is not None else -1
        if change.op == "removed" and paragraph in removed:
            change = Change("paragraph", "removed", old[paragraph])
        elif change.op == "added" and paragraph in added:
            change = Change("paragraph", "added", new=new[paragraph])
        if change.kind == "sentence" or (change.op, paragraph) not in told:
            told.add((change.op, paragraph))
            changes.append(change)
    return changes


def _numbered_sentences(paragraphs: list[str]) -> list[tuple[int, str]]:
    """Each sentence with the number of its paragraph."""
    return [(number, one) for number, text in enumerate(paragraphs) for one in sentences(text)]


def _whole(numbered: list[tuple[int, str]], touched: set[int]) -> set[int]:
    """The paragraphs every sentence of which is among ``touched`` (by position)."""
    positions: dict[int, list[int]] = defaultdict(list)
    for position, (paragraph, _) in enumerate(numbered):
        positions[paragraph].append(position)
    return {p for p, found in positions.items() if all(each in touched for each in found)}


def _number_change(change: Change) -> Change | None:
    """The numbers a changed sentence lost and gained, if any."""
    before, after = (
        Counter(_NUMBER.findall(change.old or "")),
        Counter(_NUMBER.findall(change.new or "")),
    )
    lost, gained = list((before - after).elements()), list((after - before).elements())
    if not lost and not gained:
        return None
    return Change(
        "number", "changed", ", ".join(lost) or None, ", ".join(gained) or None, change.words
    )


def _unique(changes: list[Change]) -> list[Change]:
    """A number changed in a quote is changed in its sentence too: listed once."""
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for change in changes:
        if (change.old, change.new) not in seen:
            seen.add((change.old, change.new))
            kept.append(change)
    return kept


def paragraphs(text: str) -> list[str]:
    """A body's paragraphs, each stripped, blank lines left out: what versions compare."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences (a plain rule: an end mark, a space, a capital or a digit)."""
    found, start = [], 0
    for end in _SENTENCE_END.finditer(paragraph):
        found.append(paragraph[start : end.end()].strip())
        start = end.end()
    found.append(paragraph[start:].strip())
    return [sentence for sentence in found if sentence]
